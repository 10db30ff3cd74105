// auth-server.mjs: the authorization-code + PKCE + resource flow, driven by the
// browser logic (lib/browser-core.mjs) against a throwaway loopback listener.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import {
  authorizationUrl, codeFlow, decodeJwt, getJson, metadataOf, pkce, registerPublicClient,
  startCallbackListener, startServer, tokenRequest,
} from '../lib/test-helpers.mjs';
import { parseMode, runBrowser } from '../lib/browser-core.mjs';

const RESOURCE = 'http://127.0.0.1:9/mcp';
let as;
let meta;
let listener;

before(async () => {
  listener = await startCallbackListener();
  as = await startServer('auth-server.mjs', {
    users: ['bob@example.com'],
    clients: [
      { client_id: 'basic-client', client_secret: 'basic-secret', token_endpoint_auth_method: 'client_secret_basic', redirect_uris: [listener.redirectUri] },
      { client_id: 'post-client', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post', redirect_uris: [listener.redirectUri] },
    ],
  });
  meta = await metadataOf(as.ready.issuer);
});

async function assertResourceJwt(accessToken, { aud, clientId, scope, sub = 'alice' }) {
  const { header } = decodeJwt(accessToken);
  assert.equal(header.typ, 'at+jwt');
  const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(meta.jwks_uri)), {
    issuer: as.ready.issuer,
  });
  assert.equal(payload.aud, aud);
  assert.equal(payload.sub, sub);
  assert.equal(payload.client_id, clientId);
  assert.equal(payload.scope, scope);
  assert.equal(payload.iss, as.ready.issuer);
  assert.ok(payload.exp > Date.now() / 1000);
  return payload;
}

test('DCR public client: code + PKCE S256 + resource -> JWT for the resource, iss in the response', async () => {
  // registered with another loopback port: native clients may use any port (RFC 8252 7.3)
  const client = await registerPublicClient(meta, 'http://127.0.0.1:1/callback');
  const { callback, state, tokenResponse, tokens } = await codeFlow(meta, { client_id: client.client_id, auth: 'none' }, {
    resource: RESOURCE, scope: 'openid email mcp:read mcp:write', listener,
  });
  assert.equal(callback.pathname, '/callback');
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), as.ready.issuer);
  assert.equal(tokenResponse.status, 200, tokenResponse.text);
  assert.equal(tokens.token_type, 'Bearer');
  assert.equal(tokens.expires_in, 3600);
  assert.ok(tokens.refresh_token, 'refresh token issued without offline_access');
  await assertResourceJwt(tokens.access_token, { aud: RESOURCE, clientId: client.client_id, scope: 'mcp:read mcp:write' });
  const idToken = decodeJwt(tokens.id_token).payload;
  assert.equal(idToken.sub, 'alice');
  assert.equal(idToken.email, 'alice@example.com');
  assert.equal(idToken.email_verified, true);
  assert.equal(idToken.aud, client.client_id);
});

test('pre-registered client_secret_basic and client_secret_post clients', async () => {
  for (const [id, secret, auth] of [['basic-client', 'basic-secret', 'basic'], ['post-client', 'post-secret', 'post']]) {
    const { callback, tokenResponse, tokens } = await codeFlow(meta, { client_id: id, client_secret: secret, auth }, {
      resource: RESOURCE, scope: 'mcp:read', listener,
    });
    assert.equal(callback.searchParams.get('iss'), as.ready.issuer);
    assert.equal(tokenResponse.status, 200, `${id}: ${tokenResponse.text}`);
    await assertResourceJwt(tokens.access_token, { aud: RESOURCE, clientId: id, scope: 'mcp:read' });
  }
  // the wrong secret is refused (and the method is enforced: basic client via post)
  const wrong = await tokenRequest(meta, { client_id: 'basic-client', client_secret: 'nope', auth: 'basic' }, {
    grant_type: 'authorization_code', code: 'x', redirect_uri: listener.redirectUri, code_verifier: 'y'.repeat(43),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'invalid_client');
  const method = await tokenRequest(meta, { client_id: 'basic-client', client_secret: 'basic-secret', auth: 'post' }, {
    grant_type: 'authorization_code', code: 'x', redirect_uri: listener.redirectUri, code_verifier: 'y'.repeat(43),
  });
  assert.equal(method.status, 401);
  assert.equal(method.json.error, 'invalid_client');
  assert.match(method.json.error_description, /registered for client_secret_basic/);
});

test('path issuer: flow works and iss is the path issuer', async () => {
  const l = await startCallbackListener();
  const tenant = await startServer('auth-server.mjs', { issuerPath: '/tenant/acme' });
  const m = (await getJson(`http://127.0.0.1:${tenant.ready.port}/.well-known/oauth-authorization-server/tenant/acme`)).json;
  const client = await registerPublicClient(m, l.redirectUri);
  const { callback, tokens } = await codeFlow(m, { client_id: client.client_id, auth: 'none' }, { resource: RESOURCE, scope: 'mcp:read', listener: l });
  assert.equal(callback.searchParams.get('iss'), 'http://127.0.0.1:' + tenant.ready.port + '/tenant/acme');
  assert.equal(decodeJwt(tokens.access_token).payload.iss, tenant.ready.issuer);
  assert.equal(decodeJwt(tokens.access_token).payload.aud, RESOURCE);
});

test('deny -> error=access_denied with state and iss', async () => {
  const client = await registerPublicClient(meta, listener.redirectUri);
  const { callback, state, tokens } = await codeFlow(meta, { client_id: client.client_id, auth: 'none' }, {
    resource: RESOURCE, listener, mode: 'deny',
  });
  assert.equal(tokens, undefined);
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), as.ready.issuer);
  assert.equal(callback.searchParams.get('code'), null);
});

test('PKCE is required (S256 only) and the verifier is checked', async () => {
  const client = await registerPublicClient(meta, listener.redirectUri);
  const base = {
    response_type: 'code', client_id: client.client_id, redirect_uri: listener.redirectUri, scope: 'mcp:read', state: 's1', resource: RESOURCE,
  };
  for (const [extra, re] of [
    [{}, /PKCE/],
    [{ code_challenge: pkce().verifier, code_challenge_method: 'plain' }, /code_challenge_method/],
  ]) {
    const n = listener.hits.length;
    await runBrowser(authorizationUrl(meta, { ...base, ...extra }), { mode: parseMode('') });
    const cb = await listener.nth(n + 1);
    assert.equal(cb.searchParams.get('error'), 'invalid_request');
    assert.match(cb.searchParams.get('error_description'), re);
    assert.equal(cb.searchParams.get('iss'), as.ready.issuer, 'iss on error responses too');
  }
  // a good flow, but the wrong verifier at the token endpoint
  const { verifier, challenge } = pkce();
  const n = listener.hits.length;
  await runBrowser(authorizationUrl(meta, { ...base, code_challenge: challenge, code_challenge_method: 'S256' }), { mode: parseMode('') });
  const cb = await listener.nth(n + 1);
  const bad = await tokenRequest(meta, { client_id: client.client_id, auth: 'none' }, {
    grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: listener.redirectUri, code_verifier: pkce().verifier, resource: RESOURCE,
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_grant');
  assert.notEqual(verifier, undefined);
});

test('refresh token: rotation, resource-bound JWT, reuse and revocation refused', async () => {
  const client = await registerPublicClient(meta, listener.redirectUri);
  const c = { client_id: client.client_id, auth: 'none' };
  const { tokens } = await codeFlow(meta, c, { resource: RESOURCE, scope: 'mcp:read', listener });
  const r1 = await tokenRequest(meta, c, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, resource: RESOURCE });
  assert.equal(r1.status, 200, r1.text);
  assert.ok(r1.json.refresh_token && r1.json.refresh_token !== tokens.refresh_token, 'rotated');
  await assertResourceJwt(r1.json.access_token, { aud: RESOURCE, clientId: client.client_id, scope: 'mcp:read' });

  const reuse = await tokenRequest(meta, c, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, resource: RESOURCE });
  assert.equal(reuse.status, 400);
  assert.equal(reuse.json.error, 'invalid_grant');

  // a fresh grant, revoked through RFC 7009
  const again = await codeFlow(meta, c, { resource: RESOURCE, scope: 'mcp:read', listener });
  const rev = await getJson(meta.revocation_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: again.tokens.refresh_token, token_type_hint: 'refresh_token', client_id: client.client_id }),
  });
  assert.equal(rev.status, 200);
  const after = await tokenRequest(meta, c, { grant_type: 'refresh_token', refresh_token: again.tokens.refresh_token });
  assert.equal(after.json.error, 'invalid_grant');
});

test('users, accessTokenTtl, allowedResources and no-resource behaviour', async () => {
  const l = await startCallbackListener();
  const strict = await startServer('auth-server.mjs', {
    accessTokenTtl: 120, allowedResources: [RESOURCE], users: [{ email: 'carol@example.com', sub: 'carol' }],
  });
  const m = await metadataOf(strict.ready.issuer);
  const client = await registerPublicClient(m, l.redirectUri);
  const c = { client_id: client.client_id, auth: 'none' };

  const carol = await codeFlow(m, c, { resource: RESOURCE, scope: 'mcp:read', listener: l, mode: 'login-as=carol@example.com' });
  assert.equal(carol.tokens.expires_in, 120);
  assert.equal(decodeJwt(carol.tokens.access_token).payload.sub, 'carol');

  const other = await codeFlow(m, c, { resource: 'http://127.0.0.1:9/other', scope: 'mcp:read', listener: l });
  assert.equal(other.callback.searchParams.get('error'), 'invalid_target');

  // openid without a resource: an opaque access token usable at userinfo only
  const plain = await codeFlow(m, c, { resource: undefined, scope: 'openid email profile', listener: l });
  assert.equal(plain.tokenResponse.status, 200);
  assert.equal(plain.tokens.access_token.split('.').length, 1, 'opaque');
  const me = await getJson(m.userinfo_endpoint, { headers: { authorization: `Bearer ${plain.tokens.access_token}` } });
  assert.deepEqual(me.json, {
    sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Example',
  });

  // resource scopes without a resource: an opaque token, no JWT for anyone
  const noRes = await codeFlow(m, c, { resource: undefined, scope: 'mcp:read', listener: l });
  assert.equal(noRes.tokenResponse.status, 200);
  assert.equal(noRes.tokens.scope, 'mcp:read');
  assert.equal(noRes.tokens.access_token.split('.').length, 1, 'opaque');

  // an unknown user cannot log in
  const logs = [];
  const r = await runBrowser(authorizationUrl(m, {
    response_type: 'code', client_id: client.client_id, redirect_uri: l.redirectUri, scope: 'mcp:read', resource: RESOURCE, code_challenge: pkce().challenge, code_challenge_method: 'S256',
  }), { mode: parseMode('login-as=mallory@example.com'), log: (x) => logs.push(x) });
  assert.equal(r.callbackUrl, undefined);
  assert.equal(r.error, 'login rejected');
});
