#!/usr/bin/env node
// One OAuth connect with the MCP TypeScript SDK's client (`auth()` from
// @modelcontextprotocol/sdk/client/auth.js), for the side-by-side benchmark with
// `patchbay connect` (scripts/bench-oauth.sh). Consent runs in-process through the same
// headless browser logic; its CPU time is measured and subtracted, so the figure is the
// client's own machine time: process start, discovery, registration, token exchange.
//   node bench-sdk-connect.mjs <mcp-server-url>
// Prints one JSON line: {"cpuMs": N, "consentCpuMs": N, "wallMs": N, "authorized": true}.
import http from 'node:http';

import { auth } from '@modelcontextprotocol/sdk/client/auth.js';

import { parseMode, runBrowser } from './lib/browser-core.mjs';

const serverUrl = process.argv[2];
if (!serverUrl) {
  process.stderr.write('usage: bench-sdk-connect.mjs <mcp-server-url>\n');
  process.exit(2);
}
const started = performance.now();

// The loopback callback, as a native client has it.
let onCode;
const codeArrived = new Promise((resolve) => (onCode = resolve));
const callback = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  onCode(u.searchParams.get('code'));
});
await new Promise((r) => callback.listen(0, '127.0.0.1', r));
const redirectUrl = `http://127.0.0.1:${callback.address().port}/callback`;

const store = {};
const provider = {
  get redirectUrl() {
    return redirectUrl;
  },
  get clientMetadata() {
    return {
      client_name: 'SDK bench',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  },
  clientInformation: () => store.client,
  saveClientInformation: (c) => (store.client = c),
  tokens: () => store.tokens,
  saveTokens: (t) => (store.tokens = t),
  redirectToAuthorization: (url) => (store.authUrl = url.toString()),
  saveCodeVerifier: (v) => (store.verifier = v),
  codeVerifier: () => store.verifier,
};

const first = await auth(provider, { serverUrl });
if (first !== 'REDIRECT' || !store.authUrl) throw new Error(`expected a redirect, got ${first}`);

// Consent (not counted): the same headless browser, in-process.
const beforeConsent = process.cpuUsage();
await runBrowser(store.authUrl, { mode: parseMode('consent') });
const code = await codeArrived;
const consent = process.cpuUsage(beforeConsent);

const second = await auth(provider, { serverUrl, authorizationCode: code });
callback.close();
const total = process.cpuUsage();
const ms = (u) => (u.user + u.system) / 1000;
process.stdout.write(
  JSON.stringify({
    cpuMs: ms(total) - ms(consent),
    consentCpuMs: ms(consent),
    wallMs: performance.now() - started,
    authorized: second === 'AUTHORIZED' && Boolean(store.tokens?.access_token),
  }) + '\n',
);
process.exit(0);
