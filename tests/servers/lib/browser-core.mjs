// The logic of the headless consent "browser": a cookie jar, manual redirect
// following on the authorization server's origin, and form submission on the
// auth server's own login/consent pages. Used by browser.mjs and by the tests.

export class CookieJar {
  #cookies = new Map(); // `${host} ${path} ${name}` -> { host, path, name, value, expires }

  store(url, response) {
    const u = new URL(url);
    const lines = response.headers.getSetCookie?.() ?? [];
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = u.pathname.replace(/\/[^/]*$/, '') || '/';
      let expires = Infinity;
      for (const attr of attrs) {
        const [k, ...v] = attr.split('=');
        const key = k.trim().toLowerCase();
        const val = v.join('=').trim();
        if (key === 'path' && val.startsWith('/')) path = val;
        else if (key === 'max-age') expires = Date.now() + Number(val) * 1000;
        else if (key === 'expires' && expires === Infinity) expires = Date.parse(val);
      }
      const k = `${u.host} ${path} ${name}`;
      if (expires <= Date.now()) this.#cookies.delete(k);
      else this.#cookies.set(k, { host: u.host, path, name, value, expires });
    }
  }

  header(url) {
    const u = new URL(url);
    const now = Date.now();
    const out = [];
    for (const c of this.#cookies.values()) {
      if (c.host !== u.host || c.expires <= now) continue;
      const p = c.path.endsWith('/') ? c.path : `${c.path}/`;
      if (u.pathname === c.path || u.pathname.startsWith(p)) out.push(`${c.name}=${c.value}`);
    }
    return out.join('; ');
  }
}

// Minimal HTML form parser: good enough for the pages auth-server.mjs renders.
export function parseForms(html) {
  const forms = [];
  const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = formRe.exec(html))) {
    const attrs = parseAttrs(m[1]);
    const inputs = {};
    const inputRe = /<input\b([^>]*)>/gi;
    let i;
    while ((i = inputRe.exec(m[2]))) {
      const a = parseAttrs(i[1]);
      if (a.name) inputs[a.name] = a.value ?? '';
    }
    forms.push({
      id: attrs.id, action: attrs.action, method: (attrs.method || 'get').toLowerCase(), inputs,
    });
  }
  return forms;
}

function parseAttrs(s) {
  const out = {};
  const re = /([a-zA-Z_:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g;
  let m;
  while ((m = re.exec(s))) out[m[1].toLowerCase()] = decodeEntities(m[3] ?? m[4] ?? m[5]);
  return out;
}

function decodeEntities(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// modes: { action: 'consent' | 'deny' | 'ignore' | 'replay' | 'forge', loginAs, capture,
//   userCode (typed on a device sign-in's code page, RFC 8628), deliver (false: the address
//   the sign-in lands on is not opened; the caller pastes it back) }
// Parses PATCHBAY_TEST_BROWSER: comma-separated, e.g. "deny,capture=/tmp/url".
export function parseMode(spec) {
  const mode = {
    action: 'consent', loginAs: 'alice@example.com', capture: undefined, userCode: undefined,
    deliver: true,
  };
  for (const part of String(spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (['consent', 'deny', 'ignore', 'replay', 'forge'].includes(part)) mode.action = part;
    else if (part.startsWith('login-as=')) mode.loginAs = part.slice('login-as='.length);
    else if (part.startsWith('user-code=')) mode.userCode = part.slice('user-code='.length);
    else if (part === 'no-deliver') mode.deliver = false;
    else if (part.startsWith('capture=')) mode.capture = part.slice('capture='.length);
    else throw new Error(`unknown PATCHBAY_TEST_BROWSER item ${JSON.stringify(part)}`);
  }
  return mode;
}

// A waiting page refreshes once a second; 10 minutes of it at most.
const MAX_REFRESHES = 600;

// `<meta http-equiv="refresh" content="N;url=U">`: { seconds, url }, or undefined.
export function metaRefresh(html) {
  const tags = html.match(/<meta\b[^>]*>/gi) ?? [];
  for (const tag of tags) {
    const a = parseAttrs(tag.slice(5));
    if (a['http-equiv']?.toLowerCase() !== 'refresh' || !a.content) continue;
    const m = /^\s*(\d+(?:\.\d+)?)\s*[;,]\s*url\s*=\s*['"]?([^'"]+)['"]?\s*$/i.exec(a.content);
    if (m) return { seconds: Number(m[1]), url: m[2] };
  }
  return undefined;
}

const snippet = (text) => text.slice(0, 200).replace(/\s+/g, ' ');

// Hand a private-use scheme URL (an app link such as dev.patchbay.app:/oauth/callback) to
// the program the OS would open it with: $PATCHBAY_TEST_APP_LINK_HANDLER (the desktop
// app's binary, which passes it to the running instance and exits).
async function openAppLink(url, log) {
  const handler = process.env.PATCHBAY_TEST_APP_LINK_HANDLER;
  if (!handler) {
    log(`no handler for ${new URL(url).protocol} links (set PATCHBAY_TEST_APP_LINK_HANDLER)`);
    return { url, status: 0, body: '', error: 'no app link handler' };
  }
  log(`opening the app link with ${handler}`);
  const { spawn } = await import('node:child_process');
  const code = await new Promise((resolve) => {
    const child = spawn(handler, [url], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', (err) => {
      log(`cannot start ${handler}: ${err.message}`);
      resolve(-1);
    });
    child.on('exit', (c) => resolve(c ?? -1));
  });
  log(`app link handler exited with ${code}`);
  return { url, status: code === 0 ? 200 : 0, body: '', error: code === 0 ? undefined : `handler exit ${code}` };
}

// Deliver a URL to the client (its loopback redirect_uri): a plain GET, no cookies.
async function deliver(url, log) {
  if (!/^https?:$/.test(new URL(url).protocol)) return openAppLink(url, log);
  log(`GET ${url}`);
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15000) });
    const body = await res.text();
    log(`final URL ${url} -> HTTP ${res.status}: ${snippet(body)}`);
    return { url, status: res.status, body };
  } catch (err) {
    log(`final URL ${url} -> request failed: ${err.cause?.code ?? err.message}`);
    return { url, status: 0, body: '', error: err.cause?.code ?? err.message };
  }
}

/**
 * Drive an authorization URL like a user would.
 * Returns { callbackUrl, status, body, second? } where callbackUrl is the
 * redirect back to the client (undefined if the flow never got there).
 * Options: mode (see parseMode), log (function), deliverCallback (default true).
 */
export async function runBrowser(authUrl, { mode = parseMode(''), log = () => {}, deliverCallback = mode.deliver } = {}) {
  const start = new URL(authUrl);
  if (mode.action === 'ignore') {
    log('ignoring the authorization URL (mode ignore)');
    return { callbackUrl: undefined };
  }
  if (mode.action === 'forge') {
    const redirectUri = start.searchParams.get('redirect_uri');
    if (!redirectUri) throw new Error('forge: the authorization URL has no redirect_uri');
    const forged = new URL(redirectUri);
    forged.searchParams.set('code', 'forged');
    forged.searchParams.set('state', 'not-a-real-state');
    log('forging a callback without consent (mode forge)');
    const r = await deliver(forged.href, log);
    return { callbackUrl: forged.href, ...r };
  }

  const jar = new CookieJar();
  let refreshes = 0;
  let codeTyped = false;
  let method = 'GET';
  let url = start.href;
  let body;
  let callbackUrl;
  for (let step = 0; step < 25; step += 1) {
    const headers = { accept: 'text/html,application/json', 'user-agent': 'patchbay-test-browser' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    log(`${method} ${url}`);
    // eslint-disable-next-line no-await-in-loop
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(15000) });
    jar.store(url, res);
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      // eslint-disable-next-line no-await-in-loop
      await res.arrayBuffer();
      const next = new URL(res.headers.get('location'), url);
      log(`  -> HTTP ${res.status} redirect to ${next.href}`);
      if (next.origin !== start.origin) {
        callbackUrl = next.href;
        break;
      }
      method = 'GET';
      body = undefined;
      url = next.href;
      continue;
    }
    // eslint-disable-next-line no-await-in-loop
    const text = await res.text();
    if (res.status !== 200) {
      log(`  -> HTTP ${res.status}, the authorization server shows an error page: ${snippet(text.replace(/<[^>]+>/g, ' '))}`);
      return { callbackUrl: undefined, status: res.status, body: text, error: 'authorization server error page' };
    }
    const refresh = metaRefresh(text);
    if (refresh && parseForms(text).length === 0) {
      // A waiting page (Patchbay's gateway while the user decides): follow its meta refresh
      // like a browser, without counting it as a step; the page's own deadline ends it.
      refreshes += 1;
      if (refreshes > MAX_REFRESHES) {
        log(`gave up after ${MAX_REFRESHES} meta refreshes`);
        return { callbackUrl: undefined, status: res.status, body: text, error: 'too many refreshes' };
      }
      if (refreshes === 1) log(`  -> waiting page, following its meta refresh every ${refresh.seconds} s`);
      // eslint-disable-next-line no-await-in-loop
      await new Promise((r) => { setTimeout(r, Math.min(refresh.seconds, 5) * 1000); });
      url = new URL(refresh.url, url).href;
      method = 'GET';
      body = undefined;
      step -= 1;
      continue;
    }
    const forms = parseForms(text);
    const byId = Object.fromEntries(forms.map((f) => [f.id, f]));
    let form;
    let fields;
    if (text.includes('id="device-done"')) {
      // A device sign-in (RFC 8628) ends on the server's own page: the device polls for it.
      log('  -> device sign-in done: the device gets its tokens by polling');
      return { callbackUrl: undefined, status: res.status, body: text, deviceDone: true };
    }
    if (byId['op.deviceInputForm']) {
      if (text.includes('class="error"') || codeTyped) {
        log(`  -> the code page came back: ${snippet(text.replace(/<[^>]+>/g, ' '))}`);
        return { callbackUrl: undefined, status: res.status, body: text, error: 'user code refused' };
      }
      if (!mode.userCode) {
        log('  -> a device code page, but no user-code= was given');
        return { callbackUrl: undefined, status: res.status, body: text, error: 'no user code' };
      }
      form = byId['op.deviceInputForm'];
      fields = { ...form.inputs, user_code: mode.userCode };
      codeTyped = true;
      log(`  -> device code page: typing ${mode.userCode}`);
    } else if (byId['op.deviceConfirmForm']) {
      form = byId['op.deviceConfirmForm'];
      fields = { ...form.inputs };
      if (mode.action === 'deny') {
        delete fields.confirm;
        fields.abort = 'yes';
      }
      codeTyped = true;
      log(`  -> device confirmation page: pressing ${mode.action === 'deny' ? 'Abort' : 'Continue'}`);
    } else if (byId.login) {
      if (text.includes('class="error"')) {
        log(`  -> login rejected for ${mode.loginAs}`);
        return { callbackUrl: undefined, status: res.status, body: text, error: 'login rejected' };
      }
      form = byId.login;
      fields = { ...form.inputs, email: mode.loginAs, password: 'any-password' };
      log(`  -> login page: signing in as ${mode.loginAs}`);
    } else if (byId.approve && byId.deny) {
      form = mode.action === 'deny' ? byId.deny : byId.approve;
      fields = { ...form.inputs };
      log(`  -> consent page: pressing ${mode.action === 'deny' ? 'Deny' : 'Allow'}`);
    } else {
      log(`  -> HTTP 200 page without a login or consent form: ${snippet(text)}`);
      return { callbackUrl: undefined, status: res.status, body: text, error: 'unexpected page' };
    }
    method = form.method.toUpperCase();
    url = new URL(form.action || url, url).href;
    body = method === 'POST' ? new URLSearchParams(fields).toString() : undefined;
    if (method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(fields)) u.searchParams.set(k, v);
      url = u.href;
    }
  }
  if (!callbackUrl) {
    log('gave up: too many steps without reaching the client');
    return { callbackUrl: undefined, error: 'too many steps' };
  }
  if (!deliverCallback) return { callbackUrl, refreshes };
  const first = await deliver(callbackUrl, log);
  const result = { callbackUrl, ...first };
  if (mode.action === 'replay') {
    log('replaying the same callback a second time (mode replay)');
    result.second = await deliver(callbackUrl, log);
    log(`second delivery -> ${result.second.status ? `HTTP ${result.second.status}` : `failed: ${result.second.error}`}`);
  }
  return result;
}
