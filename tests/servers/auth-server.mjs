#!/usr/bin/env node
// OAuth 2.1 / OpenID Connect authorization server for Patchbay's integration
// tests: oidc-provider, configured by us. See README.md for every knob.
import './lib/stdio-guard.mjs';

import { createServer } from 'node:http';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

import {
  createStats, htmlEscape, installLifecycle, isHttpUrl, listen, loadConfig, log,
  printReady, readBody, sendJson, fail,
} from './lib/common.mjs';

// Startup time matters (2-core CI): the RSA key is generated on the libuv
// thread pool while oidc-provider (the slow import) loads on the main thread.
const keyPairPromise = promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
const { default: Provider, errors } = await import('oidc-provider');

const NAME = 'auth-server';
const startedAt = Date.now();

const cfg = loadConfig(NAME, 'AUTH_SERVER_CONFIG', {
  port: 0,
  issuerPath: '',
  metadata: 'both',
  advertiseS256: true,
  dcr: true,
  clients: [],
  accessTokenTtl: 3600,
  refreshTokens: true,
  allowedResources: null,
  strictClientAuth: true,
  scopes: [],
  users: [],
  clientMetadataDocuments: {},
  refreshDelayMs: 0,
  revocation: true,
  refreshTokenTtl: 24 * 3600,
  metadataIssuer: null,
  deviceFlow: false,
  deviceCodeTtl: 600,
  // DPoP (RFC 9449): false (today's servers), true (proofs accepted, tokens bound), or
  // "nonce" (as true, and every proof must carry the server's nonce: §8's use_dpop_nonce).
  // Only the DPoP tests turn it on, each with its own issuer (issuerPath "/dpop").
  dpop: false,
});

// ---- validate configuration ------------------------------------------------
if (!['both', 'openid-only', 'oauth-only', 'none'].includes(cfg.metadata)) {
  fail(NAME, `metadata must be "both", "openid-only", "oauth-only" or "none", got ${JSON.stringify(cfg.metadata)}`);
}
if (!Number.isInteger(cfg.refreshTokenTtl) || cfg.refreshTokenTtl <= 0) {
  fail(NAME, 'refreshTokenTtl must be a positive integer (seconds)');
}
if (cfg.metadataIssuer !== null && (typeof cfg.metadataIssuer !== 'string' || !URL.canParse(cfg.metadataIssuer))) {
  fail(NAME, `metadataIssuer must be null or a URL, got ${JSON.stringify(cfg.metadataIssuer)}`);
}
if (typeof cfg.deviceFlow !== 'boolean') {
  fail(NAME, `deviceFlow must be true or false, got ${JSON.stringify(cfg.deviceFlow)}`);
}
// oidc-provider finds the path it is mounted under by stripping its own route from the
// request's path; an issuer path that is itself a route name (its device page is /device)
// confuses that, and its forms then point outside the issuer.
if (cfg.deviceFlow && /^\/(device|auth|token|reg|me|jwks)(\/|$)/.test(String(cfg.issuerPath ?? ''))) {
  fail(NAME, `issuerPath ${JSON.stringify(cfg.issuerPath)} collides with oidc-provider's own routes; use e.g. "/rfc8628"`);
}
if (!Number.isInteger(cfg.deviceCodeTtl) || cfg.deviceCodeTtl <= 0) {
  fail(NAME, 'deviceCodeTtl must be a positive integer (seconds)');
}
if (![true, false, 'forbidden'].includes(cfg.dcr)) {
  fail(NAME, `dcr must be true, false or "forbidden", got ${JSON.stringify(cfg.dcr)}`);
}
if (![true, false, 'nonce'].includes(cfg.dpop)) {
  fail(NAME, `dpop must be true, false or "nonce", got ${JSON.stringify(cfg.dpop)}`);
}
let issuerPath = String(cfg.issuerPath ?? '');
if (issuerPath === '/') issuerPath = '';
if (issuerPath && (!issuerPath.startsWith('/') || issuerPath.endsWith('/') || /[?#]/.test(issuerPath))) {
  fail(NAME, `issuerPath must look like "/tenant/acme" (leading slash, no trailing slash), got ${JSON.stringify(cfg.issuerPath)}`);
}
if (!Number.isInteger(cfg.accessTokenTtl) || cfg.accessTokenTtl <= 0) {
  fail(NAME, 'accessTokenTtl must be a positive integer (seconds)');
}
if (!Number.isInteger(cfg.refreshDelayMs) || cfg.refreshDelayMs < 0) {
  fail(NAME, 'refreshDelayMs must be a non-negative integer (milliseconds)');
}
if (cfg.allowedResources !== null && !Array.isArray(cfg.allowedResources)) {
  fail(NAME, 'allowedResources must be an array of resource URLs');
}
if (!Array.isArray(cfg.scopes) || !Array.isArray(cfg.users) || !Array.isArray(cfg.clients)) {
  fail(NAME, 'scopes, users and clients must be arrays');
}

// ---- scopes ----------------------------------------------------------------
// Every non-OpenID scope is a resource-server scope, granted per resource
// indicator (RFC 8707) and put into the resource's JWT access token.
const OIDC_SCOPES = ['openid', 'email', 'profile', 'offline_access'];
const RESOURCE_SCOPES = [...new Set(['mcp:read', 'mcp:write', ...cfg.scopes.filter((s) => !OIDC_SCOPES.includes(s))])];
const SCOPES_SUPPORTED = [...OIDC_SCOPES, ...RESOURCE_SCOPES];

// ---- users -------------------------------------------------------------------
const accounts = new Map(); // sub -> account
const byEmail = new Map(); // lower-case email -> account
function addUser(u) {
  const email = typeof u === 'string' ? u : u.email;
  if (!email || !email.includes('@')) fail(NAME, `users: invalid email ${JSON.stringify(u)}`);
  const sub = (typeof u === 'object' && u.sub) || email.split('@')[0];
  const name = (typeof u === 'object' && u.name) || sub;
  const account = { sub, email, email_verified: true, name };
  accounts.set(sub, account);
  byEmail.set(email.toLowerCase(), account);
}
addUser({ email: 'alice@example.com', sub: 'alice', name: 'Alice Example' });
for (const u of cfg.users) addUser(u);

// ---- pre-registered clients -------------------------------------------------
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const clients = cfg.clients.map((c) => {
  if (!c || !c.client_id || !Array.isArray(c.redirect_uris)) {
    fail(NAME, `clients: each needs client_id and redirect_uris: ${JSON.stringify(c)}`);
  }
  const allLoopback = c.redirect_uris.every((u) => {
    const p = URL.parse(u);
    return p && p.protocol === 'http:' && LOOPBACK_HOSTS.has(p.hostname);
  });
  return {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // native => any loopback port is accepted at /auth (RFC 8252 section 7.3)
    application_type: allLoopback ? 'native' : 'web',
    token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : 'none',
    ...c,
  };
});

// ---- Client ID Metadata Documents ------------------------------------------------
// The documents live at https URLs on the client developer's site. This machine
// has no internet, so oidc-provider's outgoing fetch (its `fetch` option) answers
// the configured URLs from here; everything else about CIMD (the URL rules, the
// document's checks, the client it makes) is oidc-provider's own implementation.
const cimdDocs = new Map();
if (typeof cfg.clientMetadataDocuments !== 'object' || cfg.clientMetadataDocuments === null
  || Array.isArray(cfg.clientMetadataDocuments)) {
  fail(NAME, 'clientMetadataDocuments must be an object of URL -> document');
}
for (const [url, doc] of Object.entries(cfg.clientMetadataDocuments)) {
  if (!url.startsWith('https://') || typeof doc !== 'object' || doc === null) {
    fail(NAME, `clientMetadataDocuments: ${JSON.stringify(url)} must be an https URL with an object document`);
  }
  cimdDocs.set(url, { client_id: url, ...doc });
}
const cimdEnabled = cimdDocs.size > 0;
async function cimdFetch(url, options) {
  const doc = cimdDocs.get(String(url));
  if (doc) {
    log(NAME, `client metadata document fetched: ${url}`);
    return new Response(JSON.stringify(doc), {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' },
    });
  }
  if (cimdEnabled && String(url).startsWith('https://')) {
    return new Response('not found', { status: 404 });
  }
  return globalThis.fetch(url, options);
}

// ---- server + provider -------------------------------------------------------
const stats = createStats();
const server = createServer();
let port;
try {
  port = await listen(server, cfg.port);
} catch (err) {
  fail(NAME, `cannot listen on 127.0.0.1:${cfg.port}: ${err.message}`, 1);
}
const origin = `http://127.0.0.1:${port}`;
const issuer = `${origin}${issuerPath}`;

const { privateKey } = await keyPairPromise;
const signingJwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: randomBytes(8).toString('hex') };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The resource scopes are listed here too: oidc-provider validates a
  // registration's `scope` (which MCP clients send) against this list.
  scopes: SCOPES_SUPPORTED,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Put scope-requested claims into the id_token too (not only into userinfo).
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },
  pkce: { required: () => true }, // S256 is the only method oidc-provider v9 supports
  fetch: cimdFetch,
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: cfg.dcr !== false, initialAccessToken: false },
    revocation: { enabled: cfg.revocation !== false },
    // For clients registered with grant_types ["client_credentials"] (HTTP request tokens).
    clientCredentials: { enabled: true },
    // RFC 8628, only in the device mode (its own issuer path in the tests that use it).
    deviceFlow: {
      enabled: cfg.deviceFlow,
      charset: 'base-20',
      mask: '****-****',
      userCodeInputSource: async (ctx, form, _out, err) => {
        const msg = err ? `<p class="error">${htmlEscape(err.userCode || err.name === 'NoCodeError' ? 'the code you entered is incorrect' : (err.name === 'AbortedError' ? 'the sign-in was aborted' : err.message))}</p>` : '';
        ctx.type = 'html';
        ctx.body = page('Enter the code', `<h1>Enter the code shown on your device</h1>${msg}${form}`);
      },
      userCodeConfirmSource: async (ctx, form, client, _deviceInfo, userCode) => {
        ctx.type = 'html';
        ctx.body = page('Confirm the device', `<h1>Confirm the device</h1>
<p>Client <code class="client_id">${htmlEscape(client.clientName || client.clientId)}</code> shows the code
<code class="user_code">${htmlEscape(userCode)}</code>.</p>${form}`);
      },
      successSource: async (ctx) => {
        ctx.type = 'html';
        ctx.body = page('Signed in', '<h1 id="device-done">Signed in</h1><p>You can close this page and return to your device.</p>');
      },
    },
    clientIdMetadataDocument: { enabled: cimdEnabled, ack: 'draft-02' },
    introspection: { enabled: true },
    dPoP: cfg.dpop
      ? {
        enabled: true,
        nonceSecret: randomBytes(32),
        requireNonce: () => cfg.dpop === 'nonce',
      }
      : { enabled: false },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (!isHttpUrl(resourceIndicator)) {
          throw new errors.InvalidTarget('resource must be an absolute http(s) URL');
        }
        if (cfg.allowedResources && !cfg.allowedResources.includes(resourceIndicator)) {
          throw new errors.InvalidTarget(`resource ${resourceIndicator} is not served by this authorization server`);
        }
        return {
          scope: RESOURCE_SCOPES.join(' '),
          audience: resourceIndicator,
          accessTokenTTL: cfg.accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  findAccount: async (_ctx, sub) => {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ ...account }),
    };
  },
  issueRefreshToken: async (_ctx, client) => cfg.refreshTokens && client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  expiresWithSession: async () => false,
  ttl: {
    AccessToken: cfg.accessTokenTtl,
    AuthorizationCode: 60,
    ClientCredentials: cfg.accessTokenTtl,
    DeviceCode: cfg.deviceCodeTtl,
    IdToken: 3600,
    RefreshToken: cfg.refreshTokenTtl,
    Interaction: 600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
  interactions: {
    url: async (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out)
      .map(([k, v]) => `<p><strong>${htmlEscape(k)}</strong>: <span class="${htmlEscape(k)}">${htmlEscape(v)}</span></p>`).join('')}`);
  },
});

provider.on('server_error', (_ctx, err) => log(NAME, 'server_error', err));

// ---- test control: what a provider's own admin pages would show or do -----------
// Every refresh token issued (opaque: its value is its jti), so a test can try one
// itself after Patchbay revoked it; and every grant, so a test can revoke them all
// the way a user does on the provider's "connected apps" page.
const issuedRefreshTokens = [];
const grantIds = new Set();
provider.on('refresh_token.saved', (token) => {
  issuedRefreshTokens.push({ value: token.jti, grantId: token.grantId, clientId: token.clientId });
  if (token.grantId) grantIds.add(token.grantId);
});
provider.on('access_token.saved', (token) => {
  if (token.grantId) grantIds.add(token.grantId);
});
provider.on('access_token.issued', (token) => {
  if (token.grantId) grantIds.add(token.grantId);
});
async function revokeAllGrants() {
  const ids = [...grantIds];
  for (const id of ids) {
    await Promise.all([
      provider.AccessToken.revokeByGrantId(id),
      provider.RefreshToken.revokeByGrantId(id),
      provider.AuthorizationCode.revokeByGrantId(id),
      provider.Grant.adapter.destroy(id),
    ]);
  }
  log(NAME, `revoked ${ids.length} grant(s)`);
  return ids.length;
}

// Post-process the discovery document (used for both the OpenID and the
// RFC 8414 document).
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'discovery' && ctx.status === 200 && ctx.body) {
    // metadataIssuer: a misconfigured server whose documents name another issuer.
    ctx.body.issuer = cfg.metadataIssuer ?? issuer;
    ctx.body.scopes_supported = SCOPES_SUPPORTED;
    ctx.body.authorization_response_iss_parameter_supported = true;
    if (!cfg.advertiseS256) delete ctx.body.code_challenge_methods_supported;
  }
});

// ---- our own interaction pages ------------------------------------------------
function page(title, body) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${htmlEscape(title)}</title></head>
<body>
${body}
</body></html>`;
}

function sendHtml(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

function loginPage(uid, details, error) {
  const hint = details.params.login_hint || '';
  return page('Sign in', `<h1>Sign in</h1>
<p>Client <code class="client_id">${htmlEscape(details.params.client_id)}</code> asks you to sign in.</p>
${error ? `<p class="error">${htmlEscape(error)}</p>` : ''}
<form id="login" method="post" action="${issuerPath}/interaction/${htmlEscape(uid)}/login">
  <label>Email <input type="email" name="email" value="${htmlEscape(hint)}" autofocus></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form>
<form id="deny" method="post" action="${issuerPath}/interaction/${htmlEscape(uid)}/abort">
  <button type="submit">Deny</button>
</form>`);
}

function consentPage(uid, details) {
  const d = details.prompt.details;
  const oidcScopes = d.missingOIDCScope ?? [];
  const resourceScopes = Object.entries(d.missingResourceScopes ?? {});
  return page('Authorize', `<h1>Authorize</h1>
<p>Client <code class="client_id">${htmlEscape(details.params.client_id)}</code> wants access as
<code class="account">${htmlEscape(details.session?.accountId)}</code>.</p>
<ul>
${oidcScopes.map((s) => `<li>scope <code>${htmlEscape(s)}</code></li>`).join('\n')}
${resourceScopes.map(([r, s]) => `<li>resource <code class="resource">${htmlEscape(r)}</code>: ${s.map((x) => `<code>${htmlEscape(x)}</code>`).join(' ')}</li>`).join('\n')}
</ul>
<form id="approve" method="post" action="${issuerPath}/interaction/${htmlEscape(uid)}/confirm">
  <button type="submit">Allow</button>
</form>
<form id="deny" method="post" action="${issuerPath}/interaction/${htmlEscape(uid)}/abort">
  <button type="submit">Deny</button>
</form>`);
}

async function handleInteraction(req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    sendHtml(res, 400, page('Error', `<h1>Error</h1><p class="error">${htmlEscape(err.error || err.message)}: ${htmlEscape(err.error_description || '')}</p>`));
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Error', '<h1>Error</h1><p class="error">interaction mismatch</p>'));
    return;
  }
  const { prompt } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') sendHtml(res, 200, loginPage(uid, details));
    else if (prompt.name === 'consent') sendHtml(res, 200, consentPage(uid, details));
    else sendHtml(res, 400, page('Error', `<p class="error">unknown prompt ${htmlEscape(prompt.name)}</p>`));
    return;
  }
  if (req.method !== 'POST' || !action) {
    sendHtml(res, 405, page('Error', '<p class="error">method not allowed</p>'));
    return;
  }
  const form = new URLSearchParams(await readBody(req));

  if (action === 'abort') {
    log(NAME, `interaction ${uid}: denied by the user`);
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User denied the authorization request',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'login') {
    if (prompt.name !== 'login') {
      sendHtml(res, 400, page('Error', '<p class="error">not a login prompt</p>'));
      return;
    }
    const account = byEmail.get(String(form.get('email') ?? '').trim().toLowerCase());
    if (!account) {
      sendHtml(res, 200, loginPage(uid, details, 'unknown user'));
      return;
    }
    log(NAME, `interaction ${uid}: logged in as ${account.sub}`);
    await provider.interactionFinished(req, res, {
      login: { accountId: account.sub },
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'confirm') {
    if (prompt.name !== 'consent') {
      sendHtml(res, 400, page('Error', '<p class="error">not a consent prompt</p>'));
      return;
    }
    const { params, session } = details;
    const d = prompt.details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const consent = {};
    if (!details.grantId) consent.grantId = grantId;
    log(NAME, `interaction ${uid}: consent given`);
    await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
    return;
  }
  sendHtml(res, 404, page('Not found', '<p>not found</p>'));
}

// ---- routing -------------------------------------------------------------------
const providerCallback = provider.callback();
const RFC8414_PATH = `/.well-known/oauth-authorization-server${issuerPath}`;
const DCR_FORBIDDEN = {
  error: 'access_denied',
  error_description: 'dynamic client registration is restricted to allow-listed clients',
};

// oidc-provider treats client_secret_basic and client_secret_post as
// interchangeable for a client registered with either. Real servers differ;
// by default we refuse the method the client did NOT register, so a client
// that ignores its registration fails here. The body is read here and handed
// to oidc-provider as req.body (its documented fallback for parsed bodies) by the
// request handler.
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/revocation', '/token/introspection']);
async function enforceRegisteredAuthMethod(req, res, raw) {
  const form = new URLSearchParams(raw);
  let used;
  let clientId = form.get('client_id');
  if (form.get('client_secret')) used = 'client_secret_post';
  else if (/^basic /i.test(req.headers.authorization ?? '')) {
    used = 'client_secret_basic';
    try {
      const decoded = Buffer.from(req.headers.authorization.slice(6).trim(), 'base64').toString('utf8');
      clientId = decodeURIComponent(decoded.slice(0, decoded.indexOf(':')).replace(/\+/g, '%20'));
    } catch {
      return true; // let oidc-provider produce its own error
    }
  }
  if (!used || !clientId) return true;
  const client = await provider.Client.find(clientId).catch(() => undefined);
  const registered = client?.clientAuthMethod;
  if ((registered === 'client_secret_basic' || registered === 'client_secret_post') && registered !== used) {
    log(NAME, `client ${clientId} is registered for ${registered} but used ${used}: invalid_client`);
    const headers = registered === 'client_secret_basic' ? { 'www-authenticate': 'Basic realm="token"' } : {};
    sendJson(res, 401, {
      error: 'invalid_client',
      error_description: `client authentication failed: the client is registered for ${registered}, not ${used}`,
    }, headers);
    return false;
  }
  return true;
}

function notFound(res) {
  sendJson(res, 404, { error: 'not_found' });
}

server.on('request', async (req, res) => {
  const url = new URL(req.url, origin);
  const { pathname } = url;
  if (stats.handle(req, res, pathname)) return;
  if (pathname === '/__admin/refresh-tokens' && req.method === 'GET') {
    sendJson(res, 200, { tokens: issuedRefreshTokens });
    return;
  }
  if (pathname === '/__admin/revoke-grants' && req.method === 'POST') {
    sendJson(res, 200, { revoked: await revokeAllGrants() });
    return;
  }
  stats.count(pathname);

  try {
    // RFC 8414 metadata (path-inserted for a path issuer): served by running
    // oidc-provider's own discovery route.
    if (pathname === RFC8414_PATH) {
      if (cfg.metadata === 'openid-only' || cfg.metadata === 'none' || req.method !== 'GET') {
        notFound(res);
        return;
      }
      req.originalUrl = `${issuerPath}/.well-known/openid-configuration`;
      req.url = '/.well-known/openid-configuration';
      providerCallback(req, res);
      return;
    }

    // Everything else lives under the issuer path.
    let inner;
    if (!issuerPath) inner = req.url;
    else if (pathname === issuerPath || pathname.startsWith(`${issuerPath}/`)) {
      inner = req.url.slice(issuerPath.length) || '/';
    } else {
      notFound(res);
      return;
    }
    const innerPath = new URL(inner, origin).pathname;

    if (innerPath === '/.well-known/openid-configuration' && ['oauth-only', 'none'].includes(cfg.metadata)) {
      notFound(res);
      return;
    }
    // oidc-provider v9 also answers {issuer}/.well-known/oauth-authorization-server
    // itself. For a path issuer that is the wrong (path-appended) place for
    // RFC 8414, so it is hidden: only the path-inserted form above exists.
    if (innerPath === '/.well-known/oauth-authorization-server') {
      notFound(res);
      return;
    }
    if (innerPath === '/reg' && cfg.dcr === 'forbidden') {
      log(NAME, 'refusing dynamic client registration (dcr: "forbidden")');
      sendJson(res, 403, DCR_FORBIDDEN);
      return;
    }
    if (req.method === 'POST' && CLIENT_AUTH_PATHS.has(innerPath)) {
      const raw = await readBody(req, 56 * 1024);
      req.body = Buffer.from(raw);
      if (innerPath === '/token') {
        const grantType = new URLSearchParams(raw).get('grant_type') ?? '(none)';
        stats.tag(`grant_type:${grantType}`);
        if (grantType === 'refresh_token' && cfg.refreshDelayMs > 0) {
          await new Promise((r) => setTimeout(r, cfg.refreshDelayMs));
        }
      }
      if (innerPath === '/token/revocation') {
        stats.tag(`revocation:${new URLSearchParams(raw).get('token_type_hint') ?? '(no hint)'}`);
      }
      if (cfg.strictClientAuth && !(await enforceRegisteredAuthMethod(req, res, raw))) return;
    }
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(innerPath);
    if (m) {
      await handleInteraction(req, res, m[1], m[2]);
      return;
    }

    if (issuerPath) {
      req.originalUrl = req.url;
      req.url = inner;
    }
    providerCallback(req, res);
  } catch (err) {
    log(NAME, 'request failed', err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: err.message });
    else res.destroy();
  }
});

installLifecycle(NAME, server);
printReady({ issuer, port });
log(NAME, `listening at ${issuer} (metadata=${cfg.metadata}, dcr=${cfg.dcr}, S256 advertised=${cfg.advertiseS256}, device flow=${cfg.deviceFlow}) in ${Date.now() - startedAt} ms`);
