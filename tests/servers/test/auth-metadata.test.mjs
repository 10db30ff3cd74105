// auth-server.mjs: startup contract, discovery documents, dynamic client registration.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  getJson, registerPublicClient, runExpectingExit, startServer,
} from '../lib/test-helpers.mjs';

test('root issuer: ready line, OpenID + RFC 8414 documents, stats', async () => {
  const as = await startServer('auth-server.mjs', {});
  assert.match(as.readyLine, /^\{"ready":true,"issuer":"http:\/\/127\.0\.0\.1:\d+","port":\d+\}$/);
  const { issuer, port } = as.ready;
  assert.equal(issuer, `http://127.0.0.1:${port}`);
  assert.ok(as.startMs < 2000, `started in ${as.startMs} ms`);

  const oidc = await getJson(`${issuer}/.well-known/openid-configuration`);
  const oauth = await getJson(`${issuer}/.well-known/oauth-authorization-server`);
  for (const doc of [oidc, oauth]) {
    assert.equal(doc.status, 200);
    const m = doc.json;
    assert.equal(m.issuer, issuer);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(m.response_types_supported, ['code']);
    for (const s of ['openid', 'email', 'profile', 'offline_access', 'mcp:read', 'mcp:write']) {
      assert.ok(m.scopes_supported.includes(s), `scopes_supported has ${s}`);
    }
    assert.equal(m.registration_endpoint, `${issuer}/reg`);
    assert.equal(m.authorization_endpoint, `${issuer}/auth`);
    assert.equal(m.token_endpoint, `${issuer}/token`);
    assert.ok(m.revocation_endpoint && m.introspection_endpoint && m.jwks_uri);
    for (const method of ['none', 'client_secret_basic', 'client_secret_post']) {
      assert.ok(m.token_endpoint_auth_methods_supported.includes(method));
    }
    assert.ok(m.grant_types_supported.includes('refresh_token'));
  }
  const stats = await getJson(`${issuer}/__stats`);
  assert.equal(stats.json.requests, 2);
  assert.deepEqual(stats.json.byPath, {
    '/.well-known/openid-configuration': 1,
    '/.well-known/oauth-authorization-server': 1,
  });
  assert.equal(as.extraStdout(), '', 'nothing but the ready line on stdout');
  const { code } = await as.stop();
  assert.equal(code, 0);
});

test('path issuer: RFC 8414 path-inserted + OpenID appended, nothing at the wrong places', async () => {
  const as = await startServer('auth-server.mjs', { issuerPath: '/tenant/acme', scopes: ['files:read'] });
  const { issuer, port } = as.ready;
  const origin = `http://127.0.0.1:${port}`;
  assert.equal(issuer, `${origin}/tenant/acme`);

  const oauth = await getJson(`${origin}/.well-known/oauth-authorization-server/tenant/acme`);
  assert.equal(oauth.status, 200);
  assert.equal(oauth.json.issuer, issuer);
  assert.equal(oauth.json.authorization_endpoint, `${issuer}/auth`);
  assert.equal(oauth.json.token_endpoint, `${issuer}/token`);
  assert.equal(oauth.json.registration_endpoint, `${issuer}/reg`);
  assert.ok(oauth.json.scopes_supported.includes('files:read'));

  const oidc = await getJson(`${issuer}/.well-known/openid-configuration`);
  assert.equal(oidc.status, 200);
  assert.equal(oidc.json.issuer, issuer);
  assert.equal(oidc.json.jwks_uri, `${issuer}/jwks`);
  assert.equal((await getJson(oidc.json.jwks_uri)).json.keys.length, 1);

  for (const wrong of [
    `${origin}/.well-known/oauth-authorization-server`,
    `${issuer}/.well-known/oauth-authorization-server`,
    `${origin}/.well-known/openid-configuration`,
  ]) {
    assert.equal((await getJson(wrong)).status, 404, wrong);
  }
});

test('metadata modes and advertiseS256=false', async () => {
  const openidOnly = await startServer('auth-server.mjs', { metadata: 'openid-only', issuerPath: '/t' });
  const oauthOnly = await startServer('auth-server.mjs', { metadata: 'oauth-only' });
  const noS256 = await startServer('auth-server.mjs', { advertiseS256: false });

  let o = `http://127.0.0.1:${openidOnly.ready.port}`;
  assert.equal((await getJson(`${o}/t/.well-known/openid-configuration`)).status, 200);
  assert.equal((await getJson(`${o}/.well-known/oauth-authorization-server/t`)).status, 404);
  assert.equal((await getJson(`${o}/.well-known/oauth-authorization-server`)).status, 404);

  o = oauthOnly.ready.issuer;
  assert.equal((await getJson(`${o}/.well-known/openid-configuration`)).status, 404);
  const doc = await getJson(`${o}/.well-known/oauth-authorization-server`);
  assert.equal(doc.status, 200);
  assert.equal(doc.json.issuer, o);

  o = noS256.ready.issuer;
  for (const p of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const d = await getJson(`${o}${p}`);
    assert.equal(d.status, 200);
    assert.equal('code_challenge_methods_supported' in d.json, false, p);
  }
});

test('metadata "none" and metadataIssuer', async () => {
  const none = await startServer('auth-server.mjs', { metadata: 'none' });
  const wrong = await startServer('auth-server.mjs', { metadataIssuer: 'http://127.0.0.1:9/other' });
  const o = none.ready.issuer;
  for (const p of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    assert.equal((await getJson(`${o}${p}`)).status, 404, p);
    const d = await getJson(`${wrong.ready.issuer}${p}`);
    assert.equal(d.status, 200, p);
    assert.equal(d.json.issuer, 'http://127.0.0.1:9/other', p);
  }
});

test('DCR: public native client with a loopback redirect; strict about non-loopback http', async () => {
  const as = await startServer('auth-server.mjs', {});
  const meta = (await getJson(`${as.ready.issuer}/.well-known/oauth-authorization-server`)).json;
  const client = await registerPublicClient(meta, 'http://127.0.0.1:43210/callback');
  assert.ok(client.client_id);
  assert.equal(client.client_secret, undefined);
  assert.equal(client.token_endpoint_auth_method, 'none');
  assert.equal(client.application_type, 'native');
  assert.deepEqual(client.redirect_uris, ['http://127.0.0.1:43210/callback']);
  assert.deepEqual(client.grant_types, ['authorization_code', 'refresh_token']);

  // MCP clients send `scope` in their registration: resource scopes must be accepted
  const scoped = await registerPublicClient(meta, 'http://localhost:43210/callback', { scope: 'openid mcp:read mcp:write offline_access' });
  assert.equal(scoped.scope, 'openid mcp:read mcp:write offline_access');

  const bad = await getJson(meta.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://example.com/callback'],
    }),
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_redirect_uri');
});

test('DCR: "forbidden" answers 403 access_denied; false removes the endpoint', async () => {
  const forbidden = await startServer('auth-server.mjs', { dcr: 'forbidden' });
  const off = await startServer('auth-server.mjs', { dcr: false });

  const meta = (await getJson(`${forbidden.ready.issuer}/.well-known/oauth-authorization-server`)).json;
  assert.equal(meta.registration_endpoint, `${forbidden.ready.issuer}/reg`);
  const r = await getJson(meta.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/callback'], token_endpoint_auth_method: 'none' }),
  });
  assert.equal(r.status, 403);
  assert.deepEqual(r.json, {
    error: 'access_denied',
    error_description: 'dynamic client registration is restricted to allow-listed clients',
  });

  const meta2 = (await getJson(`${off.ready.issuer}/.well-known/openid-configuration`)).json;
  assert.equal(meta2.registration_endpoint, undefined);
  const r2 = await getJson(`${off.ready.issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/callback'] }),
  });
  assert.equal(r2.status, 404);
});

test('bad configuration exits 2 with a message; SIGINT and stdin close stop the server', async () => {
  const bad = await runExpectingExit('auth-server.mjs', ['--config', '{"metdata":"both"}']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown configuration key\(s\): metdata/);
  assert.equal(bad.stdout, '');
  const badEnv = await runExpectingExit('auth-server.mjs', [], { AUTH_SERVER_CONFIG: '{"dcr":"maybe"}' });
  assert.equal(badEnv.code, 2);

  const a = await startServer('auth-server.mjs', {});
  assert.deepEqual(await a.stop('SIGINT'), { code: 0, signal: null });

  const b = await startServer('auth-server.mjs', {});
  b.proc.stdin.end();
  const [code] = await b.exited;
  assert.equal(code, 0);
  assert.match(b.stderr(), /shutting down \(stdin closed\)/);
});
