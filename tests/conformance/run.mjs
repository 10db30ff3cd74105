#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, on Node 22
// from npm) against Patchbay's conformance client, two selections:
//   --suite auth                  the 14 authorization scenarios (2025-11-25 wire)
//   --requirements 2026-07-28     every scenario the 2026-07-28 revision scores (25 auth + 7 other)
// and its `server` command against a real `patchbay gateway serve` (gateway.mjs: a fresh
// profile, an HTTP action, an access key; the `patchbay` binary next to the client):
//   --scenario dns-rebinding-protection   each check counted on its own (selection "gateway")
// and its `authorization` command against the gateway's own authorization server, with a
// custom public client made for it: the suite prints the authorization URL, the headless test
// browser (tests/servers/lib/browser-core.mjs) opens it, and the suite's callback gets the
// code (selection "authorization-server", each check counted on its own).
// A scenario passes only with no failing and no warning check (the suite's own rule).
// Scenarios the revision does not score (extensions) are reported, not counted, except those
// Patchbay holds itself to (`required` below), which count like the scored ones.
// Known failures are listed with their reason in expected-failures.json; one of those that
// starts passing is reported as a failure until it is taken off the list.
//
// Usage: node run.mjs /abs/path/to/patchbay-conformance [OUT_DIR]
// Prints one line per scenario (per check for the gateway), then "# pass N", "# fail N",
// "# expected N".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createServer } from 'node:net';

import { runBrowser } from '../servers/lib/browser-core.mjs';
import { initializeWithKey, startGateway } from './gateway.mjs';

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

// Scenarios the revision lists as not scored that Patchbay implements and must pass: the
// client credentials extension (io.modelcontextprotocol/oauth-client-credentials) with
// client_secret_basic and private_key_jwt, DPoP (SEP-1932, RFC 9449) with and without server
// nonces, enterprise-managed authorization (SEP-990: an ID-JAG from the identity provider,
// presented with RFC 7523), workload identity federation (SEP-1933: the workload's token as a
// jwt-bearer assertion), and JSON Schema 2020-12 keyword preservation.
const required = new Set([
  'auth/client-credentials-basic',
  'auth/client-credentials-jwt',
  'auth/dpop',
  'auth/dpop-nonce',
  'auth/enterprise-managed-authorization',
  'auth/wif-jwt-bearer',
  'json-schema-2020-12-preservation',
]);

const selections = [
  { name: 'auth', args: ['--suite', 'auth'] },
  { name: '2026-07-28', args: ['--requirements', '2026-07-28'] },
];

// CONFORMANCE_ONLY=NAME runs one selection (auth, 2026-07-28, gateway or
// authorization-server), for work on it.
const only = process.env.CONFORMANCE_ONLY;
let pass = 0;
let fail = 0;
let known = 0;
for (const sel of selections.filter((s) => !only || s.name === only)) {
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
    if (notScored.has(scenario) && !required.has(scenario)) {
      console.log(`# not scored by the revision: ${id} ${ok ? 'passes' : 'fails'} (${detail})`);
      continue;
    }
    count(sel.name, scenario, ok, detail);
  }
  // The 2026-07-28 selection runs the extensions too: each required one must have run.
  if (sel.name === '2026-07-28') {
    for (const id of required) {
      if (!results.some((r) => r.scenario === id)) {
        console.log(`not ok - ${sel.name} ${id}: required, but the suite did not run it`);
        fail += 1;
      }
    }
  }
}
// One outcome, counted against expected-failures.json[selection][id].
function count(selection, id, ok, detail) {
  const reason = expected[selection]?.[id];
  const name = `${selection} ${id}`;
  if (ok && reason) {
    console.log(`not ok - ${name}: now passes; take it off expected-failures.json`);
    fail += 1;
  } else if (ok) {
    console.log(`ok - ${name} (${detail})`);
    pass += 1;
  } else if (reason) {
    console.log(`# expected failure - ${name} (${detail}): ${reason}`);
    known += 1;
  } else {
    console.log(`not ok - ${name} (${detail})`);
    fail += 1;
  }
}

// The suite's `server` command, without blocking this process (the gateway it tests is a
// child of this process): its exit code and output, killed after `ms`.
function suiteServer(args, ms) {
  return new Promise((resolve) => {
    const child = spawn(node22, [cli, 'server', ...args], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(the suite did not finish within ${ms / 1000} s; killed)`;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', (e) => (stderr += `\n${e.message}`));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

// The suite's server scenario `dns-rebinding-protection` against the gateway. The suite's
// `server` command takes only --url (no headers, no credentials), so the check that a
// localhost Host is accepted meets the gateway's 401; a control request, the same initialize
// with the access key, shows the gateway accepts it (counted as `initialize-with-access-key`).
async function gatewaySelection() {
  const sel = 'gateway';
  const bin = join(dirname(client), 'patchbay');
  if (!existsSync(bin)) {
    console.log(`not ok - ${sel}: no patchbay binary next to the client (${bin}); build the workspace's binaries first`);
    fail += 1;
    return;
  }
  const started = Date.now();
  let gw;
  try {
    gw = await startGateway(bin);
  } catch (e) {
    console.log(`not ok - ${sel}: the gateway did not start: ${e.message}`);
    fail += 1;
    return;
  }
  try {
    const dir = join(out, sel);
    const scenario = 'dns-rebinding-protection';
    const r = await suiteServer(['--url', gw.url, '--scenario', scenario, '-o', dir], 2 * 60 * 1000);
    const runs = existsSync(dir) ? readdirSync(dir).filter((d) => d.includes(scenario)) : [];
    const file = runs.length ? join(dir, runs.sort().at(-1), 'checks.json') : null;
    if (!file || !existsSync(file)) {
      console.log(`not ok - ${sel} ${scenario}: no checks.json (exit ${r.status})\n${r.stdout}\n${r.stderr}`);
      fail += 1;
      return;
    }
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`# ${sel}: ${scenario}, ${checks.length} checks against ${gw.url} in ${secs} s (results in ${dirname(file)})`);
    for (const c of checks) {
      if (c.status === 'INFO' || c.status === 'SKIPPED') {
        console.log(`# not counted: ${sel} ${c.id} ${c.status}`);
        continue;
      }
      const status = c.details?.statusCode;
      const detail = `${c.status}${status ? `, HTTP ${status}` : ''}${c.errorMessage ? `: ${c.errorMessage}` : ''}`;
      count(sel, c.id, c.status === 'SUCCESS', detail);
    }
    let status;
    try {
      status = await initializeWithKey(gw.url, gw.key);
    } catch (e) {
      status = `no answer: ${e.message}`;
    }
    count(sel, 'initialize-with-access-key', status >= 200 && status < 300, `the control: a localhost Host and Origin with the access key: HTTP ${status}`);
  } finally {
    await gw.close();
  }
}
if (!only || only === 'gateway') await gatewaySelection();

// A port nobody listens on now (the suite's callback server takes it).
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// The suite's `authorization` command against the gateway's authorization server: metadata,
// then the authorization code grant with PKCE for a custom public client. The suite prints
// the authorization URL and waits for its callback; the test browser opens that URL.
async function authorizationSelection() {
  const sel = 'authorization-server';
  const bin = join(dirname(client), 'patchbay');
  const started = Date.now();
  let gw;
  try {
    gw = await startGateway(bin);
  } catch (e) {
    console.log(`not ok - ${sel}: the gateway did not start: ${e.message}`);
    fail += 1;
    return;
  }
  try {
    const port = await freePort();
    const clientId = gw.addPublicClient('conformance', `http://127.0.0.1:${port}/callback`);
    const issuer = new URL(gw.url).origin;
    const dir = join(out, sel);
    const args = [cli, 'authorization', '--url', issuer, '--client-id', clientId, '--resource', gw.url, '--port', String(port), '-o', dir];
    const r = await new Promise((resolve) => {
      const child = spawn(node22, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let opened = false;
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = new RegExp(`^(${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/authorize\\?\\S+)$`, 'm').exec(stdout);
        if (m && !opened) {
          opened = true;
          runBrowser(m[1], { log: (l) => { stderr += `browser: ${l}\n`; } })
            .catch((e) => { stderr += `browser failed: ${e.message}\n`; });
        }
      });
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        stderr += '\n(the suite did not finish within 120 s; killed)';
        child.kill('SIGKILL');
      }, 120_000);
      child.on('error', (e) => (stderr += `\n${e.message}`));
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
    const files = [];
    const walk = (d) => {
      for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name === 'checks.json') files.push(join(d, e.name));
      }
    };
    walk(dir);
    if (files.length === 0) {
      console.log(`not ok - ${sel}: no checks.json (exit ${r.status})\n${r.stdout}\n${r.stderr}`);
      fail += 1;
      return;
    }
    const checks = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`# ${sel}: ${checks.length} checks against ${issuer} in ${secs} s (results in ${dir})`);
    for (const c of checks) {
      if (c.status === 'INFO' || c.status === 'SKIPPED') {
        console.log(`# not counted: ${sel} ${c.id} ${c.status}${c.errorMessage ? `: ${c.errorMessage}` : ''}`);
        continue;
      }
      count(sel, c.id, c.status === 'SUCCESS', `${c.status}${c.errorMessage ? `: ${c.errorMessage}` : ''}`);
    }
  } finally {
    await gw.close();
  }
}
if (!only || only === 'authorization-server') await authorizationSelection();

console.log(`# pass ${pass}`);
console.log(`# fail ${fail}`);
console.log(`# expected ${known}`);
process.exit(fail === 0 ? 0 : 1);
