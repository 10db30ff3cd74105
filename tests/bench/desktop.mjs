// The desktop benchmarks' driver (scripts/bench-desktop.sh runs it; no npm dependency).
//
//   node desktop.mjs startup CONFIG_JSON   start-up to the first rendered list and idle
//                                          memory of the process tree, apps interleaved
//   node desktop.mjs scroll CONFIG_JSON    the logs view's frame time while scrolling,
//                                          through tauri-driver (WebDriver over plain fetch)
//
// Both print one JSON object on stdout; progress goes to stderr.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const [mode, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson ?? "{}");
const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const napArray = new Int32Array(new SharedArrayBuffer(4));
/** Block this thread for `ms` (finer than a timer: the poll below wants ~1 ms steps). */
const nap = (ms) => Atomics.wait(napArray, 0, 0, ms);

// ---- /proc: the process tree, its memory, stopping it --------------------------------

function procStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    return { pid, comm, state: f[0], ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

function alive(pid) {
  const st = procStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

/** `root` and all its living descendants. */
function tree(root) {
  const children = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (!st || st.state === "Z") continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(st);
  }
  const root_ = procStat(root);
  if (!root_) return [];
  const out = [root_];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i].pid) ?? []));
  return out;
}

/** kB of `field` in a /proc file of "Name:   123 kB" lines (null when unreadable). */
function kb(file, field) {
  try {
    const m = fs.readFileSync(file, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function memory(root) {
  const procs = tree(root).map((p) => ({
    comm: p.comm,
    rss_kib: kb(`/proc/${p.pid}/status`, "VmRSS") ?? 0,
    pss_kib: kb(`/proc/${p.pid}/smaps_rollup`, "Pss"),
  }));
  const pssKnown = procs.every((p) => p.pss_kib !== null);
  return {
    procs,
    rss_kib: procs.reduce((a, p) => a + p.rss_kib, 0),
    pss_kib: pssKnown ? procs.reduce((a, p) => a + p.pss_kib, 0) : null,
  };
}

/** Stop `child` and every descendant: SIGTERM to its group and each member, then SIGKILL. */
async function stopTree(child) {
  const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
  const signal = (sig) => {
    const pids = tree(child.pid).map((p) => p.pid);
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone already
    }
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // gone
      }
    }
    return pids;
  };
  let pids = signal("SIGTERM");
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && pids.some(alive)) await sleep(20);
  if (pids.some(alive)) {
    pids = [...new Set([...pids, ...signal("SIGKILL")])];
    while (pids.some(alive)) await sleep(20);
  }
  await exited;
}

// ---- start-up and idle memory ---------------------------------------------------------

async function startOnce(app, readyFile) {
  fs.rmSync(readyFile, { force: true });
  const stderr = fs.openSync(config.logFile ?? "/dev/null", "a");
  const t0 = performance.now();
  const child = spawn(app.bin, [], {
    detached: true, // its own process group, so the WebKit children can be stopped with it
    stdio: ["ignore", "ignore", stderr],
    env: { ...process.env, PATCHBAY_READY_FILE: readyFile },
  });
  fs.closeSync(stderr);
  let readyMs = null;
  const limit = t0 + 60_000;
  // Poll every millisecond for the file (synchronously: nothing else runs meanwhile).
  for (;;) {
    if (fs.existsSync(readyFile)) {
      readyMs = performance.now() - t0;
      break;
    }
    if (performance.now() > limit || !alive(child.pid)) break;
    nap(1);
  }
  if (readyMs === null) {
    await stopTree(child);
    throw new Error(`${app.name}: no ${readyFile} within 60 s (exit ${child.exitCode}); see ${config.logFile}`);
  }
  // The app writes the file in one call; wait until its figure is in. It is JSON:
  // {"ms": N, "phases": {name: ms since the app's start}} (a bare number from older builds).
  let own = null;
  let phases = {};
  for (let i = 0; i < 200 && own === null; i++) {
    const s = fs.readFileSync(readyFile, "utf8").trim();
    if (s !== "") {
      const v = JSON.parse(s);
      own = typeof v === "number" ? v : v.ms;
      phases = typeof v === "number" ? {} : (v.phases ?? {});
    } else await sleep(5);
  }
  await sleep(config.idleMs);
  const mem = memory(child.pid);
  await stopTree(child);
  return { ready_ms: readyMs, own_ms: own, phases, ...mem };
}

async function startup() {
  const readyFile = path.join(config.workDir, "ready");
  const results = Object.fromEntries(config.apps.map((a) => [a.name, []]));
  for (let run = 1; run <= config.runs; run++) {
    for (const app of config.apps) {
      const r = await startOnce(app, readyFile);
      results[app.name].push(r);
      log(
        `  run ${run}/${config.runs} ${app.name.padEnd(9)} ready ${r.ready_ms.toFixed(1)} ms (own ${r.own_ms} ms), ` +
          `RSS ${(r.rss_kib / 1024).toFixed(1)} MiB, PSS ${r.pss_kib === null ? "n/a" : (r.pss_kib / 1024).toFixed(1) + " MiB"}, ` +
          `${r.procs.length} processes (${r.procs.map((p) => p.comm).join(", ")})`,
      );
      await sleep(config.pauseMs);
    }
  }
  return results;
}

// ---- the logs view's frame time, through WebDriver ------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function wd(base, method, route, body) {
  const res = await fetch(base + route, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`WebDriver ${method} ${route}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

// One pass: every animation frame, read what is on screen, then move the scroll position
// (`step` px further, or to a pseudo-random offset for "jumps", or nowhere for "idle").
// Runs in the page; resolves with the frame deltas and what the grid held.
const PASS = `
const [kind, frames, step, seed, rowHeight] = arguments;
const done = arguments[arguments.length - 1];
const el = document.querySelector('[data-testid="logs-scroll"]');
const max = el.scrollHeight - el.clientHeight;
let x = seed;
const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648), x / 2147483648);
el.scrollTop = 0;
// Script time per scroll: from the scroll event reaching the window (capture, first) to
// the last listener on the container (added after the virtualizer's, so it runs after its
// synchronous re-render).
let scriptStart = null;
const script = [];
const onStart = () => { scriptStart = performance.now(); };
const onEnd = () => {
  if (scriptStart !== null) script.push(performance.now() - scriptStart);
  scriptStart = null;
};
window.addEventListener("scroll", onStart, true);
el.addEventListener("scroll", onEnd);
const deltas = [];
let last = null, i = 0, maxRows = 0, minRows = Infinity, missing = 0, travelled = 0;
function frame(t) {
  if (last !== null) deltas.push(t - last);
  last = t;
  const rows = el.querySelectorAll('[data-testid="log-row"]').length;
  maxRows = Math.max(maxRows, rows);
  minRows = Math.min(minRows, rows);
  // The row at the top of the viewport must be in the DOM (no blank frame).
  const top = Math.floor(el.scrollTop / rowHeight) + 2;
  if (i > 0 && !el.querySelector('[aria-rowindex="' + top + '"]')) missing++;
  if (i >= frames) {
    window.removeEventListener("scroll", onStart, true);
    el.removeEventListener("scroll", onEnd);
    // As a string: WebKitWebDriver then has only one value to pass back.
    done(JSON.stringify({ deltas, script, maxRows, minRows, missing, max, travelled, clientHeight: el.clientHeight }));
    return;
  }
  i++;
  const before = el.scrollTop;
  if (kind === "jumps") el.scrollTop = Math.floor(rnd() * max);
  else if (kind !== "idle") el.scrollTop = Math.min(max, el.scrollTop + step);
  travelled += Math.abs(el.scrollTop - before);
  requestAnimationFrame(frame);
}
requestAnimationFrame(() => requestAnimationFrame(frame));
`;

// Open the logs screen and wait (frame by frame) until the grid holds every row.
const OPEN_LOGS = `
const [expected] = arguments;
const done = arguments[arguments.length - 1];
const t0 = performance.now();
location.hash = "#/logs";
function check() {
  const grid = document.querySelector('[role="grid"][aria-label="Log rows"]');
  const count = grid ? Number(grid.getAttribute("aria-rowcount")) - 1 : 0;
  const rows = document.querySelectorAll('[data-testid="log-row"]').length;
  if (count >= expected && rows > 0) done({ ms: performance.now() - t0, count, rows });
  else if (performance.now() - t0 > 120000) done({ error: "timeout", count, rows });
  else requestAnimationFrame(check);
}
check();
`;

/** tauri-driver + the app, the first screen up, the Logs screen open with every row. */
async function openApp(attempt) {
  const port = await freePort();
  const native = await freePort();
  const stderr = fs.openSync(config.logFile ?? "/dev/null", "a");
  const readyFile = path.join(config.workDir, `ready-scroll-${attempt}`);
  fs.rmSync(readyFile, { force: true });
  const driver = spawn(config.tauriDriver, ["--port", String(port), "--native-port", String(native)], {
    detached: true,
    stdio: ["ignore", stderr, stderr],
    env: { ...process.env, PATCHBAY_READY_FILE: readyFile },
  });
  fs.closeSync(stderr);
  const base = `http://127.0.0.1:${port}`;
  const app = { driver, base, s: null };
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`${base}/status`);
        break;
      } catch {
        if (i > 400) throw new Error("tauri-driver did not listen within 20 s");
        await sleep(50);
      }
    }
    const session = await wd(base, "POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application: config.bin } } },
    });
    app.s = `/session/${session.sessionId}`;
    await wd(base, "POST", `${app.s}/timeouts`, { script: 300_000 });
    // The first screen: the ready file (the app's own signal), else go on after 60 s.
    const limit = Date.now() + 60_000;
    while (!fs.existsSync(readyFile) && Date.now() < limit) await sleep(50);
    if (!fs.existsSync(readyFile)) log("  (no ready file within 60 s: the UI does not call app_ready; going on)");
    await sleep(1000);
    app.open = await wd(base, "POST", `${app.s}/execute/async`, { script: OPEN_LOGS, args: [config.rows] });
    if (app.open.error) throw new Error(`the logs screen did not show ${config.rows} rows: ${JSON.stringify(app.open)}`);
    log(`  logs screen: ${app.open.count} rows loaded and shown in ${app.open.ms.toFixed(0)} ms (${app.open.rows} rows in the DOM)`);
    await sleep(1000);
    return app;
  } catch (e) {
    await closeApp(app);
    throw e;
  }
}

async function closeApp(app) {
  if (app.s) await wd(app.base, "DELETE", app.s).catch(() => {});
  await stopTree(app.driver);
}

async function scroll() {
  let attempt = 0;
  let app = await openApp(attempt);
  const open = app.open;
  const passes = [];
  const failures = [];
  try {
    for (const p of config.passes) {
      const run = async () =>
        JSON.parse(
          await wd(app.base, "POST", `${app.s}/execute/async`, {
            script: PASS,
            args: [p.kind, p.frames, p.step ?? 0, 12345, config.rowHeight],
          }),
        );
      // WebKitWebDriver now and then answers a pass with "Could not parse script result"
      // and then drops the session ("page crash or hang"): start the app again and run the
      // pass once more, and say so in the report.
      const r = await run().catch(async (e) => {
        const procs = tree(app.driver.pid).map((x) => `${x.comm}:${x.state}`).join(", ");
        log(`  pass ${p.kind} failed (${e.message}); processes then: ${procs}; again, in a new app`);
        failures.push({ pass: p.label, error: e.message });
        await closeApp(app);
        app = await openApp(++attempt);
        return run();
      });
      passes.push({ ...p, ...r });
      log(`  pass ${p.kind}: ${r.deltas.length} frames, ${r.maxRows} rows at most in the DOM, ${r.missing} blank`);
      await sleep(500);
    }
  } finally {
    await closeApp(app);
  }
  return { open, passes, failures };
}

// ---- the report: markdown tables for the README ----------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const mib = (kib) => (kib / 1024).toFixed(1) + " MiB";
const ms = (x, d = 0) => x.toFixed(d) + " ms";
const ratio = (a, b) => (a / b).toFixed(2) + "×";
const num = (n) => n.toLocaleString("en-US");

// Where the start-up goes: each phase's median moment (ms since the app's start, as the
// apps report it) and the step from the phase before, both apps side by side.
const PHASES = [
  ["core", "database opened (Patchbay's core, migrations)"],
  ["window", "plugins and window built (the setup hook starts)"],
  ["setup", "setup hook done"],
  ["page", "page starts loading"],
  ["script", "first script runs (the bundle loaded and parsed)"],
  ["firstCall", "first command reaches the backend"],
  ["evaluated", "all modules evaluated (the UI library, the screens)"],
  ["seeded", "first screen's answers in the cache (or 250 ms passed)"],
  ["fonts", "font stacks measured (the generic family where the first name ends there)"],
  ["rendering", "the first render starts"],
  ["rendered", "first render in the DOM"],
  ["listed", "the list with its answer in the DOM (the first render, once seeded)"],
  ["effects", "it asks for the next frame (a layout effect; before issue 20 item 5, a passive one)"],
  ["frame", "next frame starts"],
  ["painted", "that frame painted (the app's own figure)"],
];

function breakdown(st, apps) {
  const at = (name) => Object.fromEntries(PHASES.map(([k]) => {
    const xs = st[name].map((r) => r.phases?.[k]).filter((x) => typeof x === "number");
    return [k, xs.length === st[name].length && xs.length > 0 ? median(xs) : null];
  }));
  const cols = apps.map((app) => ({ app, m: at(app.name) }));
  if (cols[0].m.painted === null) return [];
  const cell = (m, k) => {
    if (m[k] === null) return "—";
    const prev = PHASES.slice(0, PHASES.findIndex(([x]) => x === k)).reverse().find(([x]) => m[x] !== null);
    const step = m[k] - (prev ? m[prev[0]] : 0);
    // Medians of different phases come from different runs: a step can read negative.
    return `${ms(m[k])} (${step < 0 ? "−" : "+"}${ms(Math.abs(step))})`;
  };
  const out = [
    "",
    `Where the start-up goes (median moment of each phase in ms since the app's \`run()\`, and the step from the phase before it; `
      + `the page's marks are \`performance.now()\` values placed on the app's clock):`,
    "",
    `| phase | ${cols.map((c) => c.app.label).join(" | ")} |`,
    `|:---|${cols.map(() => "---:").join("|")}|`,
  ];
  for (const [k, label] of PHASES) {
    if (cols.every((c) => c.m[k] === null)) continue;
    out.push(`| ${label} | ${cols.map((c) => cell(c.m, k)).join(" | ")} |`);
  }
  return out;
}

function report() {
  const st = JSON.parse(fs.readFileSync(config.startup, "utf8"));
  const scrolls = (config.scrolls ?? []).map((x) => ({ ...x, data: JSON.parse(fs.readFileSync(x.file, "utf8")) }));
  // Patchbay, the minimal app, and maybe another build of Patchbay (BASELINE).
  const [a, b, c] = config.apps;
  const runs = st[a.name].length;
  const sum = (name) => {
    const r = st[name];
    const ready = r.map((x) => x.ready_ms);
    const pss = r.every((x) => x.pss_kib !== null) ? median(r.map((x) => x.pss_kib)) : null;
    return {
      label: config.apps.find((x) => x.name === name).label,
      ready: median(ready),
      min: Math.min(...ready),
      max: Math.max(...ready),
      own: median(r.map((x) => x.own_ms)),
      rss: median(r.map((x) => x.rss_kib)),
      pss,
      procs: median(r.map((x) => x.procs.length)),
      first: r[0].ready_ms,
      rest: r.length > 1 ? median(ready.slice(1)) : null,
    };
  };
  const A = sum(a.name);
  const B = sum(b.name);
  const C = c ? sum(c.name) : null;
  const apps = C ? [A, C] : [A];
  const out = [];
  const p = (l = "") => out.push(l);
  p(`### Start-up and idle memory, next to a minimal Tauri 2 app`);
  p();
  const profile = config.profile ?? "release";
  p(`${config.machine}; ${c ? "all" : "both"} ${profile} builds (same tauri ${config.tauri}, same ${profile} profile), `
    + `launched ${runs} times each, alternating, under Xvfb (no GPU) with a private D-Bus and keyring. `
    + `Start-up is from spawning the process to the ready file appearing (polled every 1 ms): `
    + `the first screen (Patchbay: the Actions list with ${config.actions} actions; minimal: a 5-item list) `
    + `rendered and painted. Memory is the whole process tree (the app, WebKitWebProcess, `
    + `WebKitNetworkProcess) ${config.idleMs / 1000} s after that.`);
  p();
  p(`| median of ${runs} (min–max) | start to first rendered list | app's own figure | idle RSS, process tree | idle PSS, process tree | processes |`);
  p(`|:---|---:|---:|---:|---:|---:|`);
  for (const x of [...apps, B]) {
    p(`| ${x.label} | ${ms(x.ready)} (${ms(x.min)}–${ms(x.max)}) | ${ms(x.own)} | ${mib(x.rss)} | ${x.pss === null ? "n/a" : mib(x.pss)} | ${x.procs} |`);
  }
  for (const x of apps) {
    p(`| **${x.label} / minimal** | **${ratio(x.ready, B.ready)}** | ${ratio(x.own, B.own)} | **${ratio(x.rss, B.rss)}** | ${x.pss === null || B.pss === null ? "n/a" : `**${ratio(x.pss, B.pss)}**`} | |`);
  }
  p();
  p(`The app's own figure runs from the start of its \`main\`/\`run()\` to the same moment, so the `
    + `difference is the process being loaded. RSS counts the WebKit pages shared between the `
    + `processes once per process; PSS divides them among the processes that share them.`);
  p(`"Cold" here is a new process each time, not an empty page cache (that needs root): the `
    + `binaries were just built, so the cache is warm from run 1 on. Run 1 alone: `
    + [...apps, B].map((x) => `${x.label} ${ms(x.first)}`).join(", ")
    + (A.rest !== null ? ` (runs 2–${runs}: ${[...apps, B].map((x) => ms(x.rest)).join(", ")}).` : "."));
  p();
  for (const l of breakdown(st, c ? [a, c, b] : [a, b])) p(l);
  p();
  p(profile === "release" ? `| release binary (stripped, thin LTO, codegen-units 1) | size |` : `| ${profile} binary | size |`);
  p(`|:---|---:|`);
  for (const [label, bytes] of config.sizes) p(`| ${label} | ${(bytes / 1048576).toFixed(1)} MiB |`);
  if (scrolls.length > 0) {
    const open = scrolls.map((x) => `${ms(x.data.open.ms)} ${x.short}`).join(", ");
    p();
    p(`### The logs view with ${num(config.rows)} rows`);
    p();
    p(`The release app through WebDriver (tauri-driver + WebKitWebDriver) under Xvfb, so `
      + `**no GPU**: everything is drawn by the CPU (${config.cores} cores, shared with whatever else `
      + `runs), and the frame clock is WebKit's own 60 Hz timer. Opening the Logs screen to `
      + `${num(scrolls[0].data.open.count)} rows shown took ${open} (one \`list_logs\` of every `
      + `row, then the first render). Each pass moves the grid's scroll container once per `
      + `animation frame; the frame time is the time between two frames, and the script time is `
      + `what the scroll event costs in JavaScript (the virtualizer and React's synchronous `
      + `re-render of the rows in view).`);
    for (const x of scrolls) {
      p();
      p(`**${x.title}**`);
      for (const f of x.data.failures ?? []) {
        p();
        p(`(The pass "${f.pass}" failed once in WebDriver, "${f.error.replace(/^WebDriver \S+ \S+: /, "")}", and was run again in a freshly started app.)`);
      }
      p();
      p(`| pass | frames | frame p50 | p95 | p99 | max | over 16.7 ms | over 33 ms | script p50 / p95 | rows in the DOM | frames missing the top row |`);
      p(`|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
      for (const r of x.data.passes) {
        const d = r.deltas;
        const over = (t) => ((100 * d.filter((v) => v > t).length) / d.length).toFixed(1) + "%";
        const script = r.kind === "idle" || r.script.length === 0 ? "—" : `${ms(pct(r.script, 50), 1)} / ${ms(pct(r.script, 95), 1)}`;
        p(`| ${r.label} | ${d.length} | ${ms(pct(d, 50), 1)} | ${ms(pct(d, 95), 1)} | ${ms(pct(d, 99), 1)} | ${ms(Math.max(...d), 1)} | ${over(config.over60)} | ${over(config.over30)} | ${script} | ${r.minRows}–${r.maxRows} | ${r.missing} |`);
      }
    }
    p();
    p(`WebKit gives frame times in whole milliseconds, so one 60 Hz frame reads 16 or 17 ms: `
      + `"over 16.7 ms" counts frames of more than ${config.over60} ms, "over 33 ms" frames of more `
      + `than ${config.over30} ms. The grid renders only the rows in view plus 12 either side, `
      + `wherever it is scrolled.`);
  }
  p();
  p(`Load average (1 min) at the start and the end of the run: ${config.loadStart} and ${fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]}.`);
  return out.join("\n");
}

if (mode === "report") {
  console.log(report());
} else {
  const out = mode === "startup" ? await startup() : mode === "scroll" ? await scroll() : null;
  if (out === null) {
    console.error("usage: node desktop.mjs startup|scroll|report CONFIG_JSON");
    process.exit(2);
  }
  console.log(JSON.stringify(out));
}
