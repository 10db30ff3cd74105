#!/usr/bin/env node
// The gateway's authorization server, measured from a local app's side (Node's fetch, no
// OAuth library, so the figures are the server's and the wire's): N full browser sign-ins of
// a custom public client (no consent: its actions were chosen when it was made) — the
// unauthenticated MCP request and its 401, RFC 9728 metadata, RFC 8414 metadata,
// /authorize (302 with the code), /token — then N refresh-token grants (each rotates).
//
// usage: bench-gateway-signin.mjs MCP_URL CLIENT_ID REDIRECT_URI N
// Prints one JSON line: {"signin": {p50_ms, p99_ms, requests}, "token_code": {p50_ms, p99_ms},
//   "token_refresh": {p50_ms, p99_ms}, "access_token": the last one (for the call benchmark;
//   the caller keeps it in memory)}.
import './lib/stdio-guard.mjs';

import { createHash, randomBytes } from 'node:crypto';

const [mcpUrl, clientId, redirectUri, nArg] = process.argv.slice(2);
const n = Number(nArg ?? '200');
if (!mcpUrl || !clientId || !redirectUri || !(n > 0)) {
  console.error('usage: bench-gateway-signin.mjs MCP_URL CLIENT_ID REDIRECT_URI N');
  process.exit(2);
}
const signal = () => AbortSignal.timeout(10_000);
const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const lat = (v) => ({ p50_ms: pct(v, 50), p99_ms: pct(v, 99) });
let requests = 0;
async function req(url, init = {}) {
  requests += 1;
  const r = await fetch(url, { redirect: 'manual', signal: signal(), ...init });
  return r;
}

async function signIn(codeTimes) {
  // 1. The MCP request without a token: 401 and where the metadata is.
  const probe = await req(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  await probe.arrayBuffer();
  const www = probe.headers.get('www-authenticate') ?? '';
  const prmUrl = /resource_metadata="([^"]+)"/.exec(www)?.[1];
  if (probe.status !== 401 || !prmUrl) throw new Error(`no 401 challenge: ${probe.status} ${www}`);
  // 2. RFC 9728, 3. RFC 8414.
  const prm = await (await req(prmUrl)).json();
  const issuer = prm.authorization_servers[0];
  const as = await (await req(`${issuer}/.well-known/oauth-authorization-server`)).json();
  // 4. /authorize: straight back with a code (a custom client needs no consent).
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const a = new URL(as.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge,
    code_challenge_method: 'S256', state, resource: prm.resource, scope: 'mcp offline_access',
  })) a.searchParams.set(k, v);
  const back = await req(a);
  await back.arrayBuffer();
  const loc = new URL(back.headers.get('location') ?? 'x:');
  if (loc.searchParams.get('state') !== state || loc.searchParams.get('iss') !== as.issuer) {
    throw new Error(`bad authorization response: ${back.status} ${loc}`);
  }
  // 5. /token.
  const t0 = performance.now();
  const tok = await req(as.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: loc.searchParams.get('code'), redirect_uri: redirectUri,
      code_verifier: verifier, client_id: clientId, resource: prm.resource,
    }),
  });
  const body = await tok.json();
  codeTimes.push(performance.now() - t0);
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return { as, prm, body };
}

try {
  const warm = [];
  for (let i = 0; i < 5; i += 1) await signIn(warm);
  const times = [];
  const codeTimes = [];
  let last;
  requests = 0;
  for (let i = 0; i < n; i += 1) {
    const s = performance.now();
    last = await signIn(codeTimes);
    times.push(performance.now() - s);
  }
  const perSignIn = requests / n;
  const refresh = [];
  let { refresh_token: rt } = last.body;
  let access = last.body.access_token;
  for (let i = 0; i < n; i += 1) {
    const s = performance.now();
    const r = await req(last.as.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt, client_id: clientId }),
    });
    const b = await r.json();
    refresh.push(performance.now() - s);
    if (!b.refresh_token) throw new Error(`refresh failed: ${JSON.stringify(b)}`);
    rt = b.refresh_token;
    access = b.access_token;
  }
  process.stdout.write(`${JSON.stringify({
    signin: { ...lat(times), requests: perSignIn }, token_code: lat(codeTimes), token_refresh: lat(refresh), access_token: access,
  })}\n`);
} catch (e) {
  console.error(`bench-gateway-signin: ${e.message}`);
  process.exit(1);
}
