#!/usr/bin/env bash
# What the window loads before its first screen, checked on the built UI (ui/dist, from
# `npm --prefix ui run build`): one module script and one style sheet, the script importing no
# other file statically (lazily loaded parts are fetched with import(), after the first screen),
# and the script within its size budget. Every extra file is another request to the app before
# the first render, and every kilobyte is parsed before it (docs/benchmarks.md, the desktop's
# start-up). The bundler splits the entry on its own when a lazily loaded part shares modules
# with it; vite.config.ts keeps them in the entry, and this catches a change that undoes that.
#   scripts/check-ui-bundle.sh [DIST]     (BUDGET_KB=180 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-ui/dist}
budget_kb=${BUDGET_KB:-180}
html="$dist/index.html"
[ -f "$html" ] || { echo "check-ui-bundle: $html is missing (build the UI first: npm --prefix ui run build)" >&2; exit 1; }
node - "$dist" "$budget_kb" <<'JS'
const fs = require("fs");
const path = require("path");
const [dist, budgetKb] = process.argv.slice(2);
const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
const problems = [];
const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)].map((m) => m[1]);
const sheets = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*>/g)].map((m) => m[1]);
const preloads = [...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>/g)].map((m) => m[1]);
if (scripts.length !== 1) problems.push(`${scripts.length} scripts (${scripts.join(", ")}), not 1`);
if (sheets.length !== 1) problems.push(`${sheets.length} style sheets (${sheets.join(", ")}), not 1`);
if (preloads.length > 0) problems.push(`files preloaded with the entry: ${preloads.join(", ")}`);
for (const src of scripts) {
  const file = path.join(dist, src.replace(/^\//, ""));
  const code = fs.readFileSync(file, "utf8");
  // A static import of another chunk: `import"./x.js"`, `import{a}from"./x.js"`, `import x from...`
  // (not `import("./x.js")`, which loads it later).
  const statics = [...code.matchAll(/\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*(?:from\s*)?["'](\.{1,2}\/[^"']+)["']/g)]
    .map((m) => m[1]);
  if (statics.length > 0) problems.push(`${src} imports ${statics.join(", ")} before it runs`);
  const kb = fs.statSync(file).size / 1024;
  const line = `${src}: ${kb.toFixed(1)} kB (budget ${budgetKb} kB)`;
  if (kb > +budgetKb) problems.push(`${line}: over budget`);
  else console.log(`check-ui-bundle: ${line}`);
}
for (const href of sheets) {
  const kb = fs.statSync(path.join(dist, href.replace(/^\//, ""))).size / 1024;
  console.log(`check-ui-bundle: ${href}: ${kb.toFixed(1)} kB`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check-ui-bundle: ${p}`);
  process.exit(1);
}
console.log("check-ui-bundle: the first screen loads one script and one style sheet");
JS
