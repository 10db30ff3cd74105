#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, on Node 22
// from npm) against Patchbay's conformance client, two selections:
//   --suite auth                  the 14 authorization scenarios (2025-11-25 wire)
//   --requirements 2026-07-28     every scenario the 2026-07-28 revision scores (25 auth + 7 other)
// A scenario passes only with no failing and no warning check (the suite's own rule).
// Scenarios the revision does not score (extensions) are reported, not counted.
// Known failures are listed with their reason in expected-failures.json; one of those that
// starts passing is reported as a failure until it is taken off the list.
//
// Usage: node run.mjs /abs/path/to/patchbay-conformance [OUT_DIR]
// Prints one line per scenario, then "# pass N", "# fail N", "# expected N".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [client, outArg] = process.argv.slice(2);
if (!client || !client.startsWith('/') || client.includes(' ')) {
  console.error('usage: node run.mjs /abs/path/to/patchbay-conformance [OUT_DIR] (no spaces: the suite splits --command on spaces)');
  process.exit(2);
}
const node22 = join(here, 'node_modules', '.bin', 'node');
const cli = join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const out = outArg ?? mkdtempSync(join(tmpdir(), 'patchbay-conformance-'));
const expected = JSON.parse(readFileSync(join(here, 'expected-failures.json'), 'utf8'));

const selections = [
  { name: 'auth', args: ['--suite', 'auth'] },
  { name: '2026-07-28', args: ['--requirements', '2026-07-28'] },
];

let pass = 0;
let fail = 0;
let known = 0;
for (const sel of selections) {
  const started = Date.now();
  const r = spawnSync(node22, [cli, 'client', '--command', client, ...sel.args, '-o', join(out, sel.name)], {
    cwd: here,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    // The client runs with the system PATH; it is a Rust binary and needs no node.
    env: { ...process.env },
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.error || r.stdout === null) {
    console.log(`not ok - ${sel.name}: the suite did not run: ${r.error?.message ?? r.stderr}`);
    fail += 1;
    continue;
  }
  const lines = r.stdout.split('\n');
  const notScored = new Set(
    lines.map((l) => /^\s+✗ (\S+) \(/.exec(l)?.[1] ?? /^\s+✓ (\S+) \(/.exec(l)?.[1]).filter(Boolean),
  );
  const results = lines
    .map((l) => /^([✓✗]) (\S+): (.*)$/.exec(l))
    .filter(Boolean)
    .map(([, mark, scenario, detail]) => ({ ok: mark === '✓', scenario, detail }));
  if (results.length === 0) {
    console.log(`not ok - ${sel.name}: no scenario results (exit ${r.status})\n${r.stdout}\n${r.stderr}`);
    fail += 1;
    continue;
  }
  console.log(`# ${sel.name}: ${results.length} scenarios in ${secs} s (results in ${join(out, sel.name)})`);
  for (const { ok, scenario, detail } of results) {
    const id = `${sel.name} ${scenario}`;
    if (notScored.has(scenario)) {
      console.log(`# not scored by the revision: ${id} ${ok ? 'passes' : 'fails'} (${detail})`);
      continue;
    }
    const reason = expected[sel.name]?.[scenario];
    if (ok && reason) {
      console.log(`not ok - ${id}: now passes; take it off expected-failures.json`);
      fail += 1;
    } else if (ok) {
      console.log(`ok - ${id} (${detail})`);
      pass += 1;
    } else if (reason) {
      console.log(`# expected failure - ${id} (${detail}): ${reason}`);
      known += 1;
    } else {
      console.log(`not ok - ${id} (${detail})`);
      fail += 1;
    }
  }
}
console.log(`# pass ${pass}`);
console.log(`# fail ${fail}`);
console.log(`# expected ${known}`);
process.exit(fail === 0 ? 0 : 1);
