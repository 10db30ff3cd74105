#!/usr/bin/env node
// A local app signing in to Patchbay's gateway with a third-party OAuth library
// (oauth4webapi, npm), as an integration a user builds would: RFC 8414 discovery, the
// authorization code flow with PKCE S256 and the `iss` check of RFC 9207, the token
// endpoint with client_secret_basic (or none for a public client), refresh, revocation.
// The authorization request is fetched directly (a custom client needs no consent), and its
// redirect read from the Location header instead of a browser.
//
// usage:
//   oauth-app.mjs signin  ISSUER CLIENT_ID SECRET|- REDIRECT_URI [RESOURCE]
//   oauth-app.mjs refresh ISSUER CLIENT_ID SECRET|- REFRESH_TOKEN [RESOURCE]
//   oauth-app.mjs revoke  ISSUER CLIENT_ID SECRET|- TOKEN
// Prints one JSON line: the token response ({access_token, refresh_token, expires_in, ...}),
// {"revoked": true}, or {"error", "error_description", "status"} (exit 0: the test judges).
import './lib/stdio-guard.mjs';

import * as oauth from 'oauth4webapi';

const [mode, issuerUrl, clientId, secret, arg, resource] = process.argv.slice(2);
if (!['signin', 'refresh', 'revoke'].includes(mode) || !issuerUrl || !clientId || !secret || !arg) {
  console.error('usage: oauth-app.mjs signin|refresh|revoke ISSUER CLIENT_ID SECRET|- ARG [RESOURCE]');
  process.exit(2);
}
const insecure = { [oauth.allowInsecureRequests]: true, signal: AbortSignal.timeout(20000) };
const issuer = new URL(issuerUrl);
const client = { client_id: clientId };
const auth = secret === '-' ? oauth.None() : oauth.ClientSecretBasic(secret);

function out(v) {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

async function failure(e) {
  if (e instanceof oauth.ResponseBodyError) {
    return { error: e.error, error_description: e.error_description, status: e.status };
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with a challenge (the token endpoint's Basic realm): its body says which error.
    const body = await e.response.json().catch(() => ({}));
    return { error: body.error ?? 'challenge', error_description: body.error_description, status: e.status };
  }
  if (e instanceof oauth.AuthorizationResponseError) {
    return { error: e.error, error_description: e.error_description };
  }
  return { error: 'client_error', error_description: String(e?.message ?? e) };
}

try {
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
  if (mode === 'signin') {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('redirect_uri', arg);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('scope', 'mcp');
    if (resource) url.searchParams.set('resource', resource);
    const r = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(20000) });
    const location = r.headers.get('location');
    if (r.status !== 302 || !location) {
      out({ error: 'no_redirect', error_description: `${r.status}: ${(await r.text()).slice(0, 300)}` });
      process.exit(0);
    }
    // Checks state and iss (RFC 9207) and reads the code or the error.
    const params = oauth.validateAuthResponse(as, client, new URL(location), state);
    const extra = resource ? { additionalParameters: { resource } } : {};
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, arg, verifier, { ...insecure, ...extra });
    out(await oauth.processAuthorizationCodeResponse(as, client, response));
  } else if (mode === 'refresh') {
    const extra = resource ? { additionalParameters: { resource } } : {};
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, arg, { ...insecure, ...extra });
    out(await oauth.processRefreshTokenResponse(as, client, response));
  } else {
    const response = await oauth.revocationRequest(as, client, auth, arg, insecure);
    await oauth.processRevocationResponse(response);
    out({ revoked: true });
  }
} catch (e) {
  out(await failure(e));
}
