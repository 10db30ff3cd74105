#!/usr/bin/env node
// A real MCP server (Streamable HTTP, @modelcontextprotocol/sdk) protected by
// OAuth bearer tokens from auth-server.mjs. See README.md for every knob.
import './lib/stdio-guard.mjs';

import { createServer } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { isInitializeRequest, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify,
} from 'jose';
import { z } from 'zod';

import {
  createStats, fail, installLifecycle, listen, loadConfig, log, printReady, readBody, sendJson,
} from './lib/common.mjs';

const NAME = 'mcp-server';

const cfg = loadConfig(NAME, 'MCP_SERVER_CONFIG', {
  port: 0,
  authServer: null,
  auth: true,
  requiredScopes: ['mcp:read'],
  resourceMetadata: 'path',
  challenge: 'full',
  resource: null,
  jsonResponse: false,
  legacySse: false,
  // Also offer the `ask` tool (a log notification and an elicitation during the call).
  interactive: false,
  // Forget a session unused for this long (its id then gets a 404), as servers with an idle
  // timeout do; null: never.
  sessionIdleMs: null,
  // Also offer `tool_1` … `tool_N`, each echoing its text (for the gateway's tools/list
  // benchmark); 0 keeps the server as the tests know it.
  extraTools: 0,
  // Also offer `schema_2020_12`, whose input schema uses JSON Schema 2020-12 keywords
  // ($schema, $defs, $anchor, $ref, allOf/anyOf, if/then/else, additionalProperties: false),
  // listed exactly as SCHEMA_2020_12 (for the tests that clients receive it unchanged).
  schemaTool: false,
  // DPoP (RFC 9449 §7, §9): false (Bearer only, as today), true (only DPoP-bound tokens, each
  // request with a valid proof), or "nonce" (as true, and every proof must carry this
  // server's nonce: a proof without it gets 401 `DPoP error="use_dpop_nonce"`).
  dpop: false,
});

if (!['path', 'root', 'none'].includes(cfg.resourceMetadata)) {
  fail(NAME, `resourceMetadata must be "path", "root" or "none", got ${JSON.stringify(cfg.resourceMetadata)}`);
}
if (!['full', 'bare'].includes(cfg.challenge)) {
  fail(NAME, `challenge must be "full" or "bare", got ${JSON.stringify(cfg.challenge)}`);
}
if (cfg.auth && !cfg.authServer) fail(NAME, 'authServer (the issuer URL) is required when auth is on');
if (cfg.authServer && !URL.canParse(cfg.authServer)) fail(NAME, `authServer is not a URL: ${cfg.authServer}`);
if (!Array.isArray(cfg.requiredScopes)) fail(NAME, 'requiredScopes must be an array');
if (typeof cfg.schemaTool !== 'boolean') fail(NAME, 'schemaTool must be true or false');
if (![true, false, 'nonce'].includes(cfg.dpop)) {
  fail(NAME, `dpop must be true, false or "nonce", got ${JSON.stringify(cfg.dpop)}`);
}
if (!Number.isInteger(cfg.extraTools) || cfg.extraTools < 0 || cfg.extraTools > 10000) {
  fail(NAME, `extraTools must be an integer from 0 to 10000, got ${JSON.stringify(cfg.extraTools)}`);
}

const stats = createStats();
const server = createServer();
let port;
try {
  port = await listen(server, cfg.port);
} catch (err) {
  fail(NAME, `cannot listen on 127.0.0.1:${cfg.port}: ${err.message}`, 1);
}
const origin = `http://127.0.0.1:${port}`;
const mcpUrl = `${origin}/mcp`;
const resource = cfg.resource ?? mcpUrl;
const PRM_PATH = cfg.resourceMetadata === 'root'
  ? '/.well-known/oauth-protected-resource'
  : '/.well-known/oauth-protected-resource/mcp';
// With resourceMetadata "none" the challenge still names the path-form URL,
// which then answers 404.
const prmUrl = `${origin}${PRM_PATH}`;
const SCOPES_SUPPORTED = [...new Set([...cfg.requiredScopes, 'mcp:read', 'mcp:write'])];
const ADMIN_SCOPES = [...new Set([...cfg.requiredScopes, 'mcp:write'])];

// ---- token validation -------------------------------------------------------
let jwksPromise;
async function discoverJwks() {
  const issuer = new URL(cfg.authServer);
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  const candidates = [
    `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
    `${issuer.origin}${path}/.well-known/openid-configuration`,
    `${issuer.origin}/.well-known/openid-configuration${path}`,
  ];
  for (const url of candidates) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) continue;
      const meta = await res.json();
      if (meta.jwks_uri) {
        log(NAME, `authorization server metadata from ${url}; jwks_uri ${meta.jwks_uri}`);
        return createRemoteJWKSet(new URL(meta.jwks_uri));
      }
    } catch (err) {
      log(NAME, `metadata fetch ${url} failed: ${err.message}`);
    }
  }
  throw new Error(`no authorization server metadata with a jwks_uri found for ${cfg.authServer}`);
}
function jwks() {
  if (!jwksPromise) {
    jwksPromise = discoverJwks().catch((err) => {
      jwksPromise = undefined;
      throw err;
    });
  }
  return jwksPromise;
}

// Test control (POST /__admin/reject-seen-tokens): every token presented so far is
// refused from now on with 401 invalid_token, as after a server-side revocation.
const seenJtis = new Set();
const rejectedJtis = new Set();
// POST /__admin/reject-all-tokens: every token is refused from now on.
let rejectAll = false;

class AuthError extends Error {
  constructor(status, error, description, scope) {
    super(description);
    this.status = status;
    this.error = error;
    this.scope = scope;
  }
}

const quote = (s) => `"${String(s).replace(/["\\]/g, '\\$&')}"`;

function challengeHeader(err) {
  const parts = [];
  const full = cfg.challenge === 'full';
  if (err?.error === 'insufficient_scope') {
    parts.push(`error=${quote(err.error)}`, `scope=${quote(err.scope.join(' '))}`);
    if (full) parts.push(`resource_metadata=${quote(prmUrl)}`);
  } else {
    if (err?.error) parts.push(`error=${quote(err.error)}`, `error_description=${quote(err.message)}`);
    if (full) {
      parts.push(`resource_metadata=${quote(prmUrl)}`);
      if (cfg.requiredScopes.length) parts.push(`scope=${quote(cfg.requiredScopes.join(' '))}`);
    }
  }
  const scheme = cfg.dpop ? 'DPoP' : 'Bearer';
  if (cfg.dpop) parts.push('algs="ES256"');
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}

// ---- DPoP proofs (RFC 9449 §4.3, §7.1) -------------------------------------
// The nonce this server hands out (mode "nonce"), and the proofs' jti already seen.
const dpopNonce = randomBytes(16).toString('base64url');
const seenProofJtis = new Set();

// The request's URL as a proof's htu must name it: no query, no fragment.
function htuOf(req) {
  const u = new URL(req.url, origin);
  return `${origin}${u.pathname}`;
}

// Checks the proof of a request that presents `token` (a verified access token with
// `payload`); throws AuthError (401) naming what is wrong.
async function checkDpopProof(req, token, payload) {
  const raw = req.headers.dpop;
  if (!raw) throw new AuthError(401, 'invalid_dpop_proof', 'a DPoP-bound token needs a DPoP proof header');
  if (Array.isArray(raw) || raw.includes(',')) throw new AuthError(401, 'invalid_dpop_proof', 'exactly one DPoP proof');
  let header;
  try {
    header = decodeProtectedHeader(raw);
  } catch {
    throw new AuthError(401, 'invalid_dpop_proof', 'the DPoP proof is not a JWT');
  }
  if (header.typ !== 'dpop+jwt') throw new AuthError(401, 'invalid_dpop_proof', 'typ must be dpop+jwt');
  if (header.alg !== 'ES256') throw new AuthError(401, 'invalid_dpop_proof', 'alg must be ES256');
  if (!header.jwk || header.jwk.d !== undefined) throw new AuthError(401, 'invalid_dpop_proof', 'jwk must be a public key');
  let proof;
  try {
    ({ payload: proof } = await jwtVerify(raw, await importJWK(header.jwk, 'ES256'), { typ: 'dpop+jwt' }));
  } catch (err) {
    throw new AuthError(401, 'invalid_dpop_proof', `the DPoP proof does not verify: ${err.message}`);
  }
  if (typeof proof.jti !== 'string' || !proof.jti) throw new AuthError(401, 'invalid_dpop_proof', 'missing jti');
  if (proof.htm !== req.method) throw new AuthError(401, 'invalid_dpop_proof', `htm ${proof.htm} is not ${req.method}`);
  if (proof.htu !== htuOf(req)) throw new AuthError(401, 'invalid_dpop_proof', `htu ${proof.htu} is not ${htuOf(req)}`);
  if (typeof proof.iat !== 'number' || Math.abs(Date.now() / 1000 - proof.iat) > 300) {
    throw new AuthError(401, 'invalid_dpop_proof', 'iat is not recent');
  }
  if (proof.ath !== createHash('sha256').update(token, 'ascii').digest('base64url')) {
    throw new AuthError(401, 'invalid_dpop_proof', 'ath does not match the access token');
  }
  if (payload.cnf?.jkt !== await calculateJwkThumbprint(header.jwk)) {
    throw new AuthError(401, 'invalid_token', 'the token is not bound to the proof key (cnf.jkt)');
  }
  if (seenProofJtis.has(proof.jti)) throw new AuthError(401, 'invalid_dpop_proof', 'a DPoP proof replayed (jti seen before)');
  seenProofJtis.add(proof.jti);
  if (cfg.dpop === 'nonce' && proof.nonce !== dpopNonce) {
    stats.tag('dpop:nonce-challenge');
    throw new AuthError(401, 'use_dpop_nonce', 'the DPoP proof must carry the nonce of this server');
  }
  stats.tag(`dpop:ok:${req.method}`);
}

function sendAuthError(res, err) {
  const body = err.error
    ? { error: err.error, error_description: err.message }
    : { error: 'unauthorized', error_description: err.message };
  const headers = { 'www-authenticate': challengeHeader(err) };
  if (cfg.dpop === 'nonce') headers['dpop-nonce'] = dpopNonce;
  sendJson(res, err.status, body, headers);
}

async function authenticate(req) {
  const header = req.headers.authorization;
  if (!header) throw new AuthError(401, undefined, 'missing bearer token');
  const scheme = cfg.dpop ? 'DPoP' : 'Bearer';
  const m = new RegExp(`^${scheme} +([A-Za-z0-9\\-._~+/]+=*)$`, 'i').exec(header);
  if (!m) {
    if (cfg.dpop && /^Bearer /i.test(header)) stats.tag('dpop:bearer-refused');
    throw new AuthError(401, 'invalid_token', `malformed Authorization header (this server takes ${scheme} tokens)`);
  }
  const token = m[1];
  let payload;
  try {
    const keys = await jwks();
    ({ payload } = await jwtVerify(token, keys, {
      issuer: cfg.authServer,
      typ: 'at+jwt',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    }));
  } catch (err) {
    throw new AuthError(401, 'invalid_token', `token rejected: ${err.code ?? ''} ${err.message}`.trim());
  }
  if (rejectAll || (payload.jti && rejectedJtis.has(payload.jti))) {
    throw new AuthError(401, 'invalid_token', 'token revoked by the resource server');
  }
  if (cfg.dpop) await checkDpopProof(req, token, payload);
  if (payload.jti) seenJtis.add(payload.jti);
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.includes(resource)) {
    throw new AuthError(401, 'invalid_token', `token audience ${JSON.stringify(payload.aud)} is not this resource (${resource})`);
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  const missing = cfg.requiredScopes.filter((s) => !scopes.includes(s));
  if (missing.length) {
    throw new AuthError(403, 'insufficient_scope', `token lacks scope ${missing.join(' ')}`, cfg.requiredScopes);
  }
  return {
    token,
    clientId: payload.client_id,
    scopes,
    expiresAt: payload.exp,
    resource: new URL(resource),
    extra: { sub: payload.sub, scope: payload.scope ?? '' },
  };
}

// ---- the MCP server ----------------------------------------------------------
const SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};
// Its output schema (2020-12 too) and annotations, which must reach clients unchanged as well.
const OUTPUT_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
  additionalProperties: false,
};
const SCHEMA_TOOL_ANNOTATIONS = { title: 'Contact check', readOnlyHint: true, openWorldHint: false };

function newMcpServer() {
  const mcp = new McpServer(
    { name: 'patchbay-test-mcp', version: '1.0.0' },
    cfg.interactive ? { capabilities: { logging: {} } } : undefined,
  );
  mcp.registerTool('echo', {
    description: 'Echo the given text back',
    inputSchema: { text: z.string() },
  }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  mcp.registerTool('whoami', {
    description: "The bearer token's subject and scope",
  }, async (extra) => {
    const who = { sub: extra.authInfo?.extra?.sub ?? null, scope: extra.authInfo?.extra?.scope ?? null };
    return { content: [{ type: 'text', text: JSON.stringify(who) }], structuredContent: who };
  });
  mcp.registerTool('add', {
    description: 'Add two numbers',
    inputSchema: { a: z.number(), b: z.number() },
  }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  // Server-initiated traffic, for the stdio proxy's tests: a log notification during the
  // call, then an elicitation request the client must answer.
  if (cfg.interactive) mcp.registerTool('ask', {
    description: 'Log a notification, ask the user a question (elicitation), return the answer',
  }, async (extra) => {
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'asking the user' } });
    const r = await mcp.server.elicitInput({
      message: 'Proceed?',
      requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] },
    });
    return { content: [{ type: 'text', text: `${r.action}: ${r.content?.answer ?? ''}` }] };
  });
  // A prompt and a resource, for clients (and the gateway) that list and use them.
  mcp.registerPrompt('greet', {
    description: 'A greeting for someone',
    argsSchema: { name: z.string() },
  }, ({ name }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Say hello to ${name}` } }] }));
  mcp.registerResource('readme', 'demo://readme', {
    description: 'What this server is', mimeType: 'text/plain',
  }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'the patchbay test MCP server' }] }));
  // For relays (the gateway): progress during a call that can be cancelled, and a tool
  // list that changes while clients are connected.
  if (cfg.interactive) mcp.registerTool('slow', {
    description: 'Report progress every 100 ms for `steps` steps; a cancelled call is counted (tag cancelled:slow)',
    inputSchema: { steps: z.number() },
  }, async ({ steps }, extra) => {
    for (let i = 1; i <= steps; i++) {
      if (extra.signal.aborted) break;
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: i, total: steps } });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (extra.signal.aborted) {
      stats.tag('cancelled:slow');
      return { isError: true, content: [{ type: 'text', text: 'cancelled' }] };
    }
    return { content: [{ type: 'text', text: `${steps} steps done` }] };
  });
  if (cfg.interactive) mcp.registerTool('summarize', {
    description: 'Ask the client\'s model for a summary (sampling) and return it',
  }, async () => {
    const r = await mcp.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'Summarize: the patchbay test server' } }],
      maxTokens: 50,
    });
    return { content: [{ type: 'text', text: `${r.model}: ${r.content?.text ?? ''}` }] };
  });
  if (cfg.interactive) mcp.registerTool('grow', {
    description: 'Add a tool named `grown` to this session (the server announces list_changed)',
  }, async () => {
    if (!mcp.isConnected() || grown.has(mcp)) return { content: [{ type: 'text', text: 'already grown' }] };
    grown.add(mcp);
    mcp.registerTool('grown', { description: 'Added by grow' }, async () => ({ content: [{ type: 'text', text: 'grown' }] }));
    return { content: [{ type: 'text', text: 'grew' }] };
  });
  mcp.registerTool('admin', {
    description: 'Needs the mcp:write scope',
  }, async (extra) => {
    if (cfg.auth && !extra.authInfo?.scopes?.includes('mcp:write')) {
      // Not reached in practice: the HTTP layer answers 403 first.
      return { isError: true, content: [{ type: 'text', text: 'insufficient_scope: mcp:write' }] };
    }
    return { content: [{ type: 'text', text: 'admin ok' }] };
  });
  for (let i = 1; i <= cfg.extraTools; i += 1) {
    mcp.registerTool(`tool_${i}`, {
      description: `Echo the given text back (extra tool ${i} of ${cfg.extraTools})`,
      inputSchema: { text: z.string() },
    }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  }
  if (cfg.schemaTool) {
    // The SDK's McpServer writes input schemas from zod; this tool's is listed as written, by
    // wrapping the SDK's own tools/list handler.
    mcp.registerTool('schema_2020_12', {
      description: 'Takes a contact (JSON Schema 2020-12 input schema); answers ok',
    }, async () => ({ content: [{ type: 'text', text: 'ok' }], structuredContent: { status: 'ok' } }));
    const listed = mcp.server._requestHandlers.get('tools/list');
    mcp.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      const result = await listed(request, extra);
      for (const t of result.tools) {
        if (t.name === 'schema_2020_12') {
          t.inputSchema = structuredClone(SCHEMA_2020_12);
          t.outputSchema = structuredClone(OUTPUT_2020_12);
          t.annotations = structuredClone(SCHEMA_TOOL_ANNOTATIONS);
        }
      }
      return result;
    });
  }
  return mcp;
}

const sessions = new Map(); // session id -> transport
const grown = new WeakSet(); // sessions' servers that already added `grown`
const lastUsed = new Map(); // session id -> when a request last named it (sessionIdleMs)

function callsAdmin(body) {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.some((m) => m && m.method === 'tools/call' && m.params?.name === 'admin');
}

function jsonRpcError(res, status, message) {
  sendJson(res, status, { jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}

async function handleMcp(req, res) {
  let authInfo;
  if (cfg.auth) {
    try {
      authInfo = await authenticate(req);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      log(NAME, `${req.method} /mcp -> ${err.status} ${err.error ?? 'no token'}: ${err.message}`);
      sendAuthError(res, err);
      return;
    }
    req.auth = authInfo;
  }

  let body;
  if (req.method === 'POST') {
    const text = await readBody(req, 4 * 1024 * 1024);
    try {
      body = JSON.parse(text);
    } catch {
      jsonRpcError(res, 400, 'Parse error: invalid JSON');
      return;
    }
    if (cfg.auth && callsAdmin(body) && !authInfo.scopes.includes('mcp:write')) {
      const err = new AuthError(403, 'insufficient_scope', 'the admin tool needs scope mcp:write', ADMIN_SCOPES);
      log(NAME, 'tools/call admin -> 403 insufficient_scope');
      sendAuthError(res, err);
      return;
    }
  }

  const sessionId = req.headers['mcp-session-id'];
  if (req.method === 'GET') stats.tag('stream:get');
  if (sessionId && cfg.sessionIdleMs !== null) {
    const last = lastUsed.get(sessionId);
    if (last !== undefined && Date.now() - last > cfg.sessionIdleMs) {
      sessions.delete(sessionId);
      lastUsed.delete(sessionId);
      stats.tag('session:expired');
      log(NAME, `session ${sessionId} expired after ${cfg.sessionIdleMs} ms idle`);
    }
  }
  if (sessionId && sessions.has(sessionId)) lastUsed.set(sessionId, Date.now());
  let transport = sessionId ? sessions.get(sessionId) : undefined;
  if (sessionId && !transport) {
    sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
    return;
  }
  if (!transport) {
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      jsonRpcError(res, 400, 'Bad Request: no valid session ID provided');
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: cfg.jsonResponse,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        lastUsed.set(id, Date.now());
        log(NAME, `session ${id} started${authInfo ? ` for ${authInfo.extra.sub}` : ''}`);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        log(NAME, `session ${id} closed`);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await newMcpServer().connect(transport);
  }
  await transport.handleRequest(req, res, body);
}

// ---- the deprecated HTTP+SSE transport (legacySse: true) ---------------------------
// GET /sse opens the event stream (its first event names the POST endpoint); the client
// POSTs to /messages?sessionId=... . No Streamable HTTP endpoint exists then.
const sseSessions = new Map();
async function handleLegacy(req, res, url) {
  if (url.pathname === '/sse' && req.method === 'GET') {
    const transport = new SSEServerTransport('/messages', res);
    sseSessions.set(transport.sessionId, transport);
    res.on('close', () => sseSessions.delete(transport.sessionId));
    await newMcpServer().connect(transport);
    return true;
  }
  if (url.pathname === '/messages' && req.method === 'POST') {
    const transport = sseSessions.get(url.searchParams.get('sessionId'));
    if (!transport) {
      sendJson(res, 404, { error: 'unknown session' });
      return true;
    }
    const body = JSON.parse(await readBody(req, 4 * 1024 * 1024));
    await transport.handlePostMessage(req, res, body);
    return true;
  }
  return false;
}

// ---- routing -------------------------------------------------------------------
server.on('request', async (req, res) => {
  const url = new URL(req.url, origin);
  const { pathname } = url;
  if (stats.handle(req, res, pathname)) return;
  if (pathname === '/__admin/reject-seen-tokens' && req.method === 'POST') {
    for (const j of seenJtis) rejectedJtis.add(j);
    sendJson(res, 200, { rejected: rejectedJtis.size });
    return;
  }
  // As if the server restarted: every session is forgotten (their ids then get a 404).
  if (pathname === '/__admin/forget-sessions' && req.method === 'POST') {
    const n = sessions.size;
    sessions.clear();
    sendJson(res, 200, { forgotten: n });
    return;
  }
  // As if a proxy in between cut them: every session's standalone event stream (GET) is
  // closed; clients are expected to reconnect.
  if (pathname === '/__admin/drop-streams' && req.method === 'POST') {
    let n = 0;
    for (const t of sessions.values()) {
      t.closeStandaloneSSEStream();
      n += 1;
    }
    sendJson(res, 200, { dropped: n });
    return;
  }
  if (pathname === '/__admin/reject-all-tokens' && req.method === 'POST') {
    rejectAll = true;
    sendJson(res, 200, { rejectAll });
    return;
  }
  stats.count(pathname);
  try {
    if (cfg.legacySse) {
      if (!(await handleLegacy(req, res, url))) sendJson(res, 404, { error: 'not_found' });
      return;
    }
    if (pathname === '/mcp') {
      await handleMcp(req, res);
      return;
    }
    if (cfg.auth && cfg.resourceMetadata !== 'none' && pathname === PRM_PATH && req.method === 'GET') {
      sendJson(res, 200, {
        resource,
        authorization_servers: [cfg.authServer],
        scopes_supported: SCOPES_SUPPORTED,
        bearer_methods_supported: ['header'],
        resource_name: 'Patchbay test MCP server',
      });
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  } catch (err) {
    log(NAME, 'request failed', err);
    if (!res.headersSent) jsonRpcError(res, 500, `Internal error: ${err.message}`);
    else res.destroy();
  }
});

installLifecycle(NAME, server, () => {
  for (const t of sessions.values()) t.close().catch(() => {});
});
printReady({ url: mcpUrl, resource, port });
log(NAME, `listening at ${mcpUrl} (auth=${cfg.auth}, resourceMetadata=${cfg.resourceMetadata}, challenge=${cfg.challenge}, resource=${resource})`);
