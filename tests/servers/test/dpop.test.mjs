// The DPoP modes (RFC 9449): auth-server.mjs with `dpop` (oidc-provider's DPoP, nonces
// required with "nonce") and mcp-server.mjs with `dpop` (only DPoP-bound tokens, every
// proof checked, its own nonce with "nonce"). And the default servers, which take no DPoP.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

import { decodeJwt, getJson, metadataOf, startServer } from '../lib/test-helpers.mjs';

const CLIENT = { client_id: 'dpop-machine', client_secret: 'dpop-machine-secret' };
let as;
let meta;
let rs;
let key;
let jwk;

before(async () => {
  as = await startServer('auth-server.mjs', {
    issuerPath: '/dpop',
    dpop: 'nonce',
    clients: [{
      ...CLIENT,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'mcp:read',
    }],
  });
  meta = await metadataOf(as.ready.issuer);
  rs = await startServer('mcp-server.mjs', { authServer: as.ready.issuer, dpop: 'nonce' });
  key = await generateKeyPair('ES256');
  jwk = await exportJWK(key.publicKey);
});

async function proof(htm, htu, { token, nonce, jti = randomUUID(), iat } = {}) {
  const claims = { htm, htu, jti };
  if (token) claims.ath = createHash('sha256').update(token).digest('base64url');
  if (nonce) claims.nonce = nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .setIssuedAt(iat)
    .sign(key.privateKey);
}

function tokenRequest(dpop) {
  return getJson(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope: 'mcp:read', resource: rs.ready.url, ...CLIENT,
    }),
  });
}

const initBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

function postMcp(authorization, dpop, url = rs.ready.url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization };
  if (dpop) headers.dpop = dpop;
  return getJson(url, { method: 'POST', headers, body: initBody });
}

let bound;
async function boundToken() {
  if (bound) return bound;
  const first = await tokenRequest(await proof('POST', meta.token_endpoint));
  assert.equal(first.status, 400, first.text);
  assert.equal(first.json.error, 'use_dpop_nonce');
  const nonce = first.headers.get('dpop-nonce');
  assert.ok(nonce, 'the nonce comes in DPoP-Nonce');
  const second = await tokenRequest(await proof('POST', meta.token_endpoint, { nonce }));
  assert.equal(second.status, 200, second.text);
  bound = second.json;
  return bound;
}

test('the DPoP authorization server advertises ES256, asks for its nonce, binds the token', async () => {
  assert.ok(meta.dpop_signing_alg_values_supported.includes('ES256'), JSON.stringify(meta));
  assert.equal(as.ready.issuer.endsWith('/dpop'), true, 'its own issuer');
  const t = await boundToken();
  assert.equal(t.token_type, 'DPoP');
  assert.equal(decodeJwt(t.access_token).payload.cnf.jkt, await calculateJwkThumbprint(jwk));
});

test('the DPoP MCP server checks every proof and asks for its nonce', async () => {
  const { access_token: token } = await boundToken();
  const url = rs.ready.url;
  const bearer = await postMcp(`Bearer ${token}`);
  assert.equal(bearer.status, 401, 'a bound token as Bearer');
  assert.match(bearer.headers.get('www-authenticate'), /^DPoP /);

  const none = await postMcp(`DPoP ${token}`);
  assert.equal(none.status, 401);
  assert.equal(none.json.error, 'invalid_dpop_proof');

  const noNonce = await postMcp(`DPoP ${token}`, await proof('POST', url, { token }));
  assert.equal(noNonce.status, 401);
  assert.match(noNonce.headers.get('www-authenticate'), /^DPoP error="use_dpop_nonce"/);
  const nonce = noNonce.headers.get('dpop-nonce');
  assert.ok(nonce);

  const good = await proof('POST', url, { token, nonce });
  const ok = await postMcp(`DPoP ${token}`, good);
  assert.equal(ok.status, 200, ok.text);
  const replay = await postMcp(`DPoP ${token}`, good);
  assert.equal(replay.status, 401, 'a replayed proof');
  assert.match(replay.json.error_description, /replayed/);

  const wrong = async (p, says) => {
    const r = await postMcp(`DPoP ${token}`, p);
    assert.equal(r.status, 401, says);
    assert.match(r.json.error_description, says);
  };
  await wrong(await proof('GET', url, { token, nonce }), /htm/);
  await wrong(await proof('POST', `${url}/other`, { token, nonce }), /htu/);
  await wrong(await proof('POST', url, { token: 'another token', nonce }), /ath/);
  await wrong(await proof('POST', url, { token, nonce, iat: Math.floor(Date.now() / 1000) - 3600 }), /iat/);
  const { privateKey } = await generateKeyPair('ES256');
  const otherKey = await new SignJWT({ htm: 'POST', htu: url, jti: randomUUID(), nonce,
    ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK((await generateKeyPair('ES256')).publicKey) })
    .setIssuedAt()
    .sign(privateKey);
  await wrong(otherKey, /verify/);

  const stats = (await getJson(`http://127.0.0.1:${rs.ready.port}/__stats`)).json;
  assert.equal(stats.tags['dpop:ok:POST'], 1, JSON.stringify(stats));
  assert.equal(stats.tags['dpop:bearer-refused'], 1);
});

test('the default servers take no DPoP: no advertised algorithms, Bearer only', async () => {
  const plain = await startServer('auth-server.mjs', {});
  const plainMeta = await metadataOf(plain.ready.issuer);
  assert.equal(plainMeta.dpop_signing_alg_values_supported, undefined, 'no DPoP unless asked for');
  const plainRs = await startServer('mcp-server.mjs', { authServer: plain.ready.issuer });
  const r = await postMcp('DPoP x', await proof('POST', plainRs.ready.url), plainRs.ready.url);
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /^Bearer /);
});
