// Helpers for the node:test suite: start the servers as real child processes,
// a throwaway loopback callback listener, PKCE and the authorization-code flow.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

import { parseMode, runBrowser } from './browser-core.mjs';

export const DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const children = new Set();
const listeners = new Set();

after(async () => {
  await Promise.all([...children].map((c) => c.stop()));
  await Promise.all([...listeners].map((l) => l.close()));
});

/**
 * Start `script` (auth-server.mjs / mcp-server.mjs) with `config` and wait for
 * its ready line. Resolves { ready, stderr(), stop(), proc, startMs }.
 */
export async function startServer(script, config = {}, { timeoutMs = 10000 } = {}) {
  const t0 = Date.now();
  const proc = spawn(process.execPath, [`${DIR}/${script}`, '--config', JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TEST_SERVERS_VERBOSE: '' },
  });
  let err = '';
  let out = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  proc.stdout.setEncoding('utf8');
  const exited = once(proc, 'exit');
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: no ready line in ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
    const onData = (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        try {
          resolve({ line: out.slice(0, nl), json: JSON.parse(out.slice(0, nl)) });
        } catch (e) {
          reject(new Error(`${script}: ready line is not JSON: ${out.slice(0, nl)}`));
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before its ready line; stderr:\n${err}`));
    });
  });
  // anything further on stdout breaks the protocol: remember it
  let extraStdout = out.slice(out.indexOf('\n') + 1);
  proc.stdout.on('data', (d) => { extraStdout += d; });

  const handle = {
    proc,
    ready: ready.json,
    readyLine: ready.line,
    startMs: Date.now() - t0,
    stderr: () => err,
    extraStdout: () => extraStdout,
    exited,
    async stop(signal = 'SIGTERM') {
      children.delete(handle);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const [code, sig] = await exited;
      return { code, signal: sig };
    },
  };
  children.add(handle);
  return handle;
}

/** Run a server expected to fail at startup; resolves { code, stderr }. */
export async function runExpectingExit(script, args, env = {}) {
  const proc = spawn(process.execPath, [`${DIR}/${script}`, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let err = '';
  let out = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  proc.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  const [code] = await once(proc, 'exit');
  return { code, stderr: err, stdout: out };
}

/** A throwaway loopback "client" listening for the OAuth redirect. */
export async function startCallbackListener({ holdUntil } = {}) {
  const hits = [];
  const waiters = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    hits.push(url);
    waiters.splice(0).forEach((w) => w());
    if (holdUntil) await holdUntil;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`received ${url.search}`);
  });
  server.keepAliveTimeout = 100;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const listener = {
    port,
    redirectUri: `http://127.0.0.1:${port}/callback`,
    hits,
    /** resolves with the n-th (1-based) request URL */
    async nth(n = 1) {
      while (hits.length < n) {
        // eslint-disable-next-line no-await-in-loop
        await new Promise((r) => waiters.push(r));
      }
      return hits[n - 1];
    },
    close() {
      listeners.delete(listener);
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
  listeners.add(listener);
  return listener;
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export async function getJson(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

export async function metadataOf(issuer) {
  const r = await getJson(`${issuer}/.well-known/openid-configuration`);
  if (r.status !== 200) throw new Error(`no OpenID metadata at ${issuer}: ${r.status}`);
  return r.json;
}

export async function registerPublicClient(meta, redirectUri, extra = {}) {
  const r = await getJson(meta.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Patchbay test',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      ...extra,
    }),
  });
  if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${r.text}`);
  return r.json;
}

export function authorizationUrl(meta, params) {
  const u = new URL(meta.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

/**
 * Full authorization-code + PKCE + resource flow. client: { client_id,
 * client_secret?, auth: 'none'|'basic'|'post' }. Returns { callback, tokens,
 * tokenResponse, state }.
 */
export async function codeFlow(meta, client, { resource, scope = 'openid email mcp:read', listener, mode = '', tokenResource = resource }) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString('base64url');
  const url = authorizationUrl(meta, {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: listener.redirectUri,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource,
  });
  const before = listener.hits.length;
  const logs = [];
  await runBrowser(url, { mode: parseMode(mode), log: (m) => logs.push(m) });
  const callback = await Promise.race([
    listener.nth(before + 1),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`no callback:\n${logs.join('\n')}`)), 10000).unref()),
  ]);
  if (!callback.searchParams.get('code')) return { callback, state, logs };
  const tokenResponse = await exchangeCode(meta, client, {
    code: callback.searchParams.get('code'),
    redirectUri: listener.redirectUri,
    verifier,
    resource: tokenResource,
  });
  return { callback, state, tokenResponse, tokens: tokenResponse.json, logs };
}

export async function tokenRequest(meta, client, params) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
  if (client.auth === 'basic') {
    const enc = (s) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(client.client_secret)}`).toString('base64')}`;
  } else if (client.auth === 'post') {
    body.set('client_id', client.client_id);
    body.set('client_secret', client.client_secret);
  } else {
    body.set('client_id', client.client_id);
  }
  return getJson(meta.token_endpoint, { method: 'POST', headers, body });
}

export function exchangeCode(meta, client, { code, redirectUri, verifier, resource }) {
  return tokenRequest(meta, client, {
    grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, resource,
  });
}

export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

/** Start an auth server + MCP server pair and obtain a token for the MCP resource. */
export async function startPair({ auth = {}, mcp = {} } = {}) {
  const as = await startServer('auth-server.mjs', auth);
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer, ...mcp });
  const meta = await metadataOf(as.ready.issuer);
  return { as, rs, meta };
}

export async function tokenFor(meta, resource, { scope = 'mcp:read', listener } = {}) {
  const l = listener ?? await startCallbackListener();
  const client = await registerPublicClient(meta, l.redirectUri);
  const { tokens } = await codeFlow(meta, { client_id: client.client_id, auth: 'none' }, { resource, scope, listener: l });
  if (!listener) await l.close();
  if (!tokens?.access_token) throw new Error(`no access token: ${JSON.stringify(tokens)}`);
  return tokens;
}
