#!/usr/bin/env node
// A local MCP client signing in to Patchbay's gateway with the MCP TypeScript SDK's own OAuth
// (`auth()` and the transport's authProvider), as VS Code or Claude Code would: RFC 9728 and
// RFC 8414 discovery, then registration (RFC 7591) or a Client ID Metadata Document, PKCE,
// the browser step (the headless test browser, which follows the consent page's meta
// refresh until the user decides), the code exchange, tools listed and called, and a refresh
// when the access token has expired.
//
// usage: sdk-oauth-client.mjs URL [--metadata-url URL] [--pause-ms MS] [--call TOOL ARGS_JSON]
//   --metadata-url  sign in with this Client ID Metadata Document URL instead of registering
//   --pause-ms      after the first call, wait this long, then call again (across an expiry)
//   --again         then sign in once more with the same registration: "again": {tools, waited}
//                   (waited: whether the browser met the consent page)
// Prints one JSON line: {"clientId", "iss", "tools": [names], "calls": [{tool, ok, text, error}],
//   "tokensSaved": N, "refreshed": bool, "again"?} or {"error": message, "stage"} (exit 0: the test judges).
import './lib/stdio-guard.mjs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';

import { runBrowser } from './lib/browser-core.mjs';

const argv = process.argv.slice(2);
const [url] = argv;
const opt = (k) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (!url) {
  console.error('usage: sdk-oauth-client.mjs URL [--metadata-url URL] [--pause-ms MS] [--call TOOL ARGS_JSON]');
  process.exit(2);
}
const metadataUrl = opt('--metadata-url');
const pauseMs = Number(opt('--pause-ms') ?? '0');
const callTool = opt('--call');
const callArgs = JSON.parse(opt('--call') ? argv[argv.indexOf('--call') + 2] ?? '{}' : '{}');
const log = (m) => process.stderr.write(`sdk-oauth-client: ${m}\n`);
const out = (v) => process.stdout.write(`${JSON.stringify(v)}\n`);

// Never outlive the test: the whole sign-in and calls within 90 s.
setTimeout(() => {
  out({ error: 'gave up after 90 s', stage: 'timeout' });
  process.exit(0);
}, 90000).unref();

const redirectUrl = 'http://127.0.0.1:53682/callback';
let authorizationUrl;
const saved = { client: undefined, tokens: undefined, verifier: undefined, tokensSaved: 0, accessTokens: [] };
const provider = {
  get redirectUrl() {
    return redirectUrl;
  },
  clientMetadataUrl: metadataUrl,
  get clientMetadata() {
    return {
      client_name: 'SDK test app',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  },
  clientInformation: () => saved.client,
  saveClientInformation: (info) => {
    saved.client = info;
  },
  tokens: () => saved.tokens,
  saveTokens: (t) => {
    saved.tokens = t;
    saved.tokensSaved += 1;
    saved.accessTokens.push(t.access_token);
  },
  redirectToAuthorization: (u) => {
    authorizationUrl = u;
  },
  saveCodeVerifier: (v) => {
    saved.verifier = v;
  },
  codeVerifier: () => saved.verifier,
};

// One browser sign-in: auth() → the browser → the code exchange. Returns { iss, waited } or
// { error, description, iss } when the browser came back with an error.
async function signIn() {
  authorizationUrl = undefined;
  const first = await auth(provider, { serverUrl: url });
  if (first !== 'REDIRECT' || !authorizationUrl) throw new Error(`auth() answered ${first} without a browser step`);
  const { callbackUrl, error, refreshes } = await runBrowser(authorizationUrl.href, { log, deliverCallback: false });
  if (!callbackUrl) throw new Error(`the browser never came back to the app (${error})`);
  const back = new URL(callbackUrl);
  const iss = back.searchParams.get('iss');
  if (back.searchParams.get('error')) {
    return { error: back.searchParams.get('error'), description: back.searchParams.get('error_description'), iss };
  }
  const second = await auth(provider, { serverUrl: url, authorizationCode: back.searchParams.get('code') });
  if (second !== 'AUTHORIZED') throw new Error(`the code exchange answered ${second}`);
  return { iss, waited: refreshes > 0 };
}

let stage = 'sign-in';
try {
  const signed = await signIn();
  if (signed.error) {
    out({ ...signed, stage });
    process.exit(0);
  }
  stage = 'mcp';
  const client = new Client({ name: 'sdk-oauth-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  await client.connect(transport);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  const calls = [];
  const call = async () => {
    if (!callTool) return;
    try {
      const r = await client.callTool({ name: callTool, arguments: callArgs });
      calls.push({ tool: callTool, ok: !r.isError, text: r.content?.map((c) => c.text ?? '').join('') });
    } catch (e) {
      calls.push({ tool: callTool, ok: false, error: e.message });
    }
  };
  await call();
  if (pauseMs > 0) {
    await new Promise((r) => { setTimeout(r, pauseMs); });
    await call();
  }
  await client.close();
  const distinct = new Set(saved.accessTokens).size;
  const report = {
    clientId: saved.client?.client_id, iss: signed.iss, tools, calls, tokensSaved: saved.tokensSaved, refreshed: distinct > 1,
  };
  if (argv.includes('--again')) {
    stage = 'again';
    saved.tokens = undefined;
    const again = await signIn();
    const c2 = new Client({ name: 'sdk-oauth-client', version: '1.0.0' });
    await c2.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
    report.again = { waited: again.waited, tools: (await c2.listTools()).tools.map((t) => t.name) };
    await c2.close();
  }
  out(report);
} catch (e) {
  out({ error: e.message, stage });
}
process.exit(0);
