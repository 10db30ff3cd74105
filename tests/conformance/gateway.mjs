// A real `patchbay gateway serve` for the suite's server scenarios (run.mjs): a fresh profile
// (PATCHBAY_HOME in a scratch folder), one HTTP action pointing at tests/servers/http-server.mjs
// (pong), one access key opening every action, and the gateway on a free port. Every wait is
// bounded and says what it waited for. The access key stays in this process's memory: it is
// never printed, logged or written to a file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const servers = join(here, '..', 'servers');

// The first line a child prints on stdout, within `ms`; rejects saying what it waited for,
// with the child's stderr, when the line does not come or the child exits first.
function firstLine(child, what, ms) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const done = (f, v) => {
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.removeListener('exit', onExit);
      f(v);
    };
    const timer = setTimeout(
      () => done(reject, new Error(`waited ${ms / 1000} s for ${what} to print its first line; it did not. Its stderr: ${err.trim()}`)),
      ms,
    );
    const onExit = (code, signal) =>
      done(reject, new Error(`${what} exited (${signal ?? code}) before printing its first line. Its stderr: ${err.trim()}`));
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) done(resolve, out.slice(0, nl).trim());
    });
    child.on('exit', onExit);
  });
}

// Stop a child: SIGTERM, then SIGKILL when it has not exited within `ms`.
function stop(child, what, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      console.log(`# ${what} did not exit within ${ms / 1000} s of SIGTERM; killing it`);
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// `patchbay ARGS` in the profile, at most 60 s; its stdout, or an error with its stderr
// (never its stdout, which may hold a key).
function patchbay(bin, home, args) {
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PATCHBAY_HOME: home },
  });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? `exit ${r.status ?? r.signal}`;
    throw new Error(`patchbay ${args.slice(0, 3).join(' ')} failed (${why}): ${r.stderr?.trim()}`);
  }
  return r.stdout;
}

// Start the gateway; resolves to { url, key, close, addPublicClient }. `close()` stops it and
// the HTTP server and removes the profile; `addPublicClient(name, redirectUri)` makes a
// custom public OAuth client opening every action and returns its client id.
export async function startGateway(bin) {
  const home = mkdtempSync(join(tmpdir(), 'patchbay-conformance-gateway-'));
  const children = [];
  const close = async () => {
    for (const [child, what] of children.reverse()) await stop(child, what, 15_000);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const http = spawn(process.execPath, [join(servers, 'http-server.mjs'), 'pong', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push([http, 'the HTTP server (tests/servers/http-server.mjs)']);
    const port = await firstLine(http, 'the HTTP server (tests/servers/http-server.mjs)', 30_000);
    patchbay(bin, home, ['action', 'add', 'pong', '--url', `http://127.0.0.1:${port}/`, '--http']);
    const key = JSON.parse(patchbay(bin, home, ['gateway', 'key', 'add', 'conformance', '--actions', '*', '--json'])).key;
    const gw = spawn(bin, ['gateway', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATCHBAY_HOME: home },
    });
    children.push([gw, 'the gateway (patchbay gateway serve)']);
    const url = await firstLine(gw, 'the gateway (patchbay gateway serve)', 30_000);
    if (!/^http:\/\/127\.0\.0\.1:\d+\/mcp$/.test(url)) throw new Error(`the gateway printed '${url}', not its URL`);
    const addPublicClient = (name, redirectUri) => JSON.parse(patchbay(bin, home, [
      'gateway', 'client', 'add', name, '--type', 'public', '--redirect-uri', redirectUri, '--actions', '*', '--json',
    ])).clientId;
    return { url, key, close, addPublicClient };
  } catch (e) {
    await close();
    throw e;
  }
}

// The control for the suite's `localhost-host-valid-accepted`: the same initialize request
// with a localhost Host and Origin, plus the access key, must be accepted (2xx). Resolves to
// the HTTP status.
export async function initializeWithKey(url, key) {
  const r = await fetch(url, {
    method: 'POST',
    signal: AbortSignal.timeout(30_000),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      origin: new URL(url).origin,
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'patchbay-conformance-control', version: '1.0.0' },
      },
    }),
  });
  await r.body?.cancel();
  return r.status;
}
