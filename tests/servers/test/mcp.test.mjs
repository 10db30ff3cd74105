// mcp-server.mjs: challenges, protected resource metadata, token validation,
// and a real MCP session through the SDK's own client.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
  getJson, metadataOf, runExpectingExit, startCallbackListener, startServer, tokenFor,
} from '../lib/test-helpers.mjs';

let as;
let meta;
let listener;

before(async () => {
  as = await startServer('auth-server.mjs', {});
  meta = await metadataOf(as.ready.issuer);
  listener = await startCallbackListener();
});

const initBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

function postMcp(url, token, body = initBody) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  return getJson(url, { method: 'POST', headers, body });
}

async function connect(url, token) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'patchbay-servers-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, transport };
}

test('ready line; 401 with the full challenge; PRM at the path-inserted URL only', async () => {
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer });
  const { port } = rs.ready;
  const origin = `http://127.0.0.1:${port}`;
  assert.equal(rs.readyLine, JSON.stringify({ ready: true, url: `${origin}/mcp`, resource: `${origin}/mcp`, port }));

  const r = await postMcp(rs.ready.url);
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'),
    `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`);

  const prm = await getJson(`${origin}/.well-known/oauth-protected-resource/mcp`);
  assert.equal(prm.status, 200);
  assert.equal(prm.json.resource, `${origin}/mcp`);
  assert.deepEqual(prm.json.authorization_servers, [as.ready.issuer]);
  assert.deepEqual(prm.json.scopes_supported, ['mcp:read', 'mcp:write']);
  assert.deepEqual(prm.json.bearer_methods_supported, ['header']);
  assert.equal((await getJson(`${origin}/.well-known/oauth-protected-resource`)).status, 404);
  assert.equal(rs.extraStdout(), '');
});

test('challenge "bare" and resourceMetadata "root" / "none"', async () => {
  const bare = await startServer('mcp-server.mjs', { authServer: as.ready.issuer, challenge: 'bare', resourceMetadata: 'none' });
  const root = await startServer('mcp-server.mjs', { authServer: as.ready.issuer, resourceMetadata: 'root' });

  let r = await postMcp(bare.ready.url);
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  r = await postMcp(bare.ready.url, 'not-a-jwt');
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /^Bearer error="invalid_token", error_description="[^"]*"$/);
  const bo = `http://127.0.0.1:${bare.ready.port}`;
  assert.equal((await getJson(`${bo}/.well-known/oauth-protected-resource/mcp`)).status, 404);
  assert.equal((await getJson(`${bo}/.well-known/oauth-protected-resource`)).status, 404);

  const ro = `http://127.0.0.1:${root.ready.port}`;
  r = await postMcp(root.ready.url);
  assert.equal(r.headers.get('www-authenticate'),
    `Bearer resource_metadata="${ro}/.well-known/oauth-protected-resource", scope="mcp:read"`);
  const prm = await getJson(`${ro}/.well-known/oauth-protected-resource`);
  assert.equal(prm.status, 200);
  assert.equal(prm.json.resource, `${ro}/mcp`);
  assert.equal((await getJson(`${ro}/.well-known/oauth-protected-resource/mcp`)).status, 404);
});

test('SDK client with a valid token: initialize, tools/list, echo, whoami, add; stats count requests', async () => {
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer });
  const tokens = await tokenFor(meta, rs.ready.resource, { listener });
  const { client } = await connect(rs.ready.url, tokens.access_token);
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'admin', 'echo', 'whoami']);
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hello patchbay' } });
    assert.deepEqual(echo.content, [{ type: 'text', text: 'hello patchbay' }]);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(JSON.parse(who.content[0].text), { sub: 'alice', scope: 'mcp:read' });
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    assert.equal(sum.content[0].text, '42');
  } finally {
    await client.close();
  }
  const stats = await getJson(`http://127.0.0.1:${rs.ready.port}/__stats`);
  // initialize, notifications/initialized, tools/list, 3 x tools/call, plus the SSE GET
  assert.ok(stats.json.byPath['/mcp'] >= 6, JSON.stringify(stats.json));
  assert.equal(stats.json.requests, stats.json.byPath['/mcp']);
});

test('audience binding: a token for another resource, a foreign-issuer token and garbage are 401 invalid_token', async () => {
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer });
  const origin = `http://127.0.0.1:${rs.ready.port}`;
  const other = await tokenFor(meta, 'http://127.0.0.1:9/mcp', { listener });
  let r = await postMcp(rs.ready.url, other.access_token);
  assert.equal(r.status, 401);
  const h = r.headers.get('www-authenticate');
  assert.match(h, /^Bearer error="invalid_token", error_description="[^"]*audience[^"]*"/);
  assert.ok(h.includes(`resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`), h);
  assert.ok(h.includes('scope="mcp:read"'), h);
  assert.equal(r.json.error, 'invalid_token');

  // same resource URL but signed by a different authorization server
  const as2 = await startServer('auth-server.mjs', {});
  const foreign = await tokenFor(await metadataOf(as2.ready.issuer), rs.ready.resource, { listener });
  r = await postMcp(rs.ready.url, foreign.access_token);
  assert.equal(r.status, 401);
  assert.equal(r.json.error, 'invalid_token');

  r = await postMcp(rs.ready.url, 'abc.def.ghi');
  assert.equal(r.status, 401);

  // and the right token works with a raw POST too
  const good = await tokenFor(meta, rs.ready.resource, { listener });
  r = await postMcp(rs.ready.url, good.access_token);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.headers.get('mcp-session-id'));
});

test('scopes: admin needs mcp:write (403 insufficient_scope), a token without mcp:read is 403 on everything', async () => {
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer });
  const origin = `http://127.0.0.1:${rs.ready.port}`;
  const readOnly = await tokenFor(meta, rs.ready.resource, { listener });
  const { client, transport } = await connect(rs.ready.url, readOnly.access_token);
  try {
    // raw call within the SDK session, to see the HTTP status and header
    const r = await getJson(rs.ready.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${readOnly.access_token}`,
        'mcp-session-id': transport.sessionId,
        'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'admin', arguments: {} } }),
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('www-authenticate'),
      `Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`);
    await assert.rejects(client.callTool({ name: 'admin', arguments: {} }));
  } finally {
    await client.close();
  }

  const writer = await tokenFor(meta, rs.ready.resource, { scope: 'mcp:read mcp:write', listener });
  const w = await connect(rs.ready.url, writer.access_token);
  try {
    const res = await w.client.callTool({ name: 'admin', arguments: {} });
    assert.equal(res.content[0].text, 'admin ok');
  } finally {
    await w.client.close();
  }

  const writeOnly = await tokenFor(meta, rs.ready.resource, { scope: 'mcp:write', listener });
  const r = await postMcp(rs.ready.url, writeOnly.access_token);
  assert.equal(r.status, 403);
  assert.match(r.headers.get('www-authenticate'), /^Bearer error="insufficient_scope", scope="mcp:read", resource_metadata="/);
});

test('resource override provokes a mismatch; auth:false needs no token; bad config exits 2', async () => {
  const rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer, resource: 'https://mcp.example.com/mcp' });
  assert.equal(rs.ready.resource, 'https://mcp.example.com/mcp');
  const prm = await getJson(`http://127.0.0.1:${rs.ready.port}/.well-known/oauth-protected-resource/mcp`);
  assert.equal(prm.json.resource, 'https://mcp.example.com/mcp');
  // a token for the URL the client actually talks to is not for this resource
  const t = await tokenFor(meta, rs.ready.url, { listener });
  assert.equal((await postMcp(rs.ready.url, t.access_token)).status, 401);
  // a token for the published resource is accepted
  const t2 = await tokenFor(meta, 'https://mcp.example.com/mcp', { listener });
  assert.equal((await postMcp(rs.ready.url, t2.access_token)).status, 200);

  const open = await startServer('mcp-server.mjs', { auth: false });
  const transport = new StreamableHTTPClientTransport(new URL(open.ready.url));
  const client = new Client({ name: 'anon', version: '0' });
  await client.connect(transport);
  const who = await client.callTool({ name: 'whoami', arguments: {} });
  assert.deepEqual(JSON.parse(who.content[0].text), { sub: null, scope: null });
  await client.close();

  const bad = await runExpectingExit('mcp-server.mjs', ['--config', '{"challenge":"loud","authServer":"http://127.0.0.1:1"}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /challenge must be/);
  const noAs = await runExpectingExit('mcp-server.mjs', [], { MCP_SERVER_CONFIG: '{}' });
  assert.equal(noAs.code, 2);
  assert.match(noAs.stderr, /authServer/);
});
