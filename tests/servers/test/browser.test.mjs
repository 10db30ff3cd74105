// browser.mjs run as a real `$BROWSER <url>` process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { metaRefresh } from '../lib/browser-core.mjs';
import {
  DIR, authorizationUrl, getJson, metadataOf, pkce, registerPublicClient, startCallbackListener, startServer,
} from '../lib/test-helpers.mjs';

let as;
let meta;

before(async () => {
  as = await startServer('auth-server.mjs', {});
  meta = await metadataOf(as.ready.issuer);
});

/** Run browser.mjs like Patchbay does; resolves when the LAUNCHER exits. */
async function launch(url, mode) {
  const proc = spawn(process.execPath, [join(DIR, 'browser.mjs'), url], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATCHBAY_TEST_BROWSER: mode },
  });
  let stderr = '';
  // the detached worker shares this pipe: keep reading until it is done too
  proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const stderrDone = once(proc.stderr, 'end');
  const [code] = await once(proc, 'exit');
  const workerPid = Number(/working in the background \(pid (\d+)\)/.exec(stderr)?.[1]);
  return {
    code, workerPid, stderr: () => stderr, workerDone: stderrDone,
  };
}

async function freshAuthUrl(listener, extra = {}) {
  const client = await registerPublicClient(meta, listener.redirectUri);
  const state = `st-${Math.random().toString(36).slice(2)}`;
  return {
    state,
    url: authorizationUrl(meta, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: listener.redirectUri,
      scope: 'mcp:read',
      state,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      resource: 'http://127.0.0.1:9/mcp',
      ...extra,
    }),
  };
}

test('consent: the launcher exits before the callback is answered (detached worker), capture writes the URL', async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  // the callback is not answered until the launcher has exited: if browser.mjs
  // waited for its own work, this would deadlock and time out
  const listener = await startCallbackListener({ holdUntil: held });
  const { url, state } = await freshAuthUrl(listener);
  const dir = mkdtempSync(join(tmpdir(), 'pb-browser-'));
  try {
    const file = join(dir, 'auth-url.txt');
    const run = await launch(url, `consent,capture=${file}`);
    assert.equal(run.code, 0);
    assert.ok(run.workerPid > 0, run.stderr());
    assert.equal(readFileSync(file, 'utf8'), `${url}\n`);
    release();
    const cb = await listener.nth(1);
    assert.equal(cb.searchParams.get('state'), state);
    assert.ok(cb.searchParams.get('code'));
    assert.equal(cb.searchParams.get('iss'), as.ready.issuer);
    await run.workerDone;
    const log = run.stderr();
    assert.match(log, /^browser: /m);
    assert.ok(log.split('\n').filter(Boolean).every((l) => l.startsWith('browser: ')), log);
    assert.match(log, /final URL http:\/\/127\.0\.0\.1:\d+\/callback\?code=.* -> HTTP 200: received/);
    assert.ok(!log.includes('any-password'), 'no password in the log');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await listener.close();
  }
});

test('deny, forge and replay modes', async () => {
  const listener = await startCallbackListener();
  try {
    let { url, state } = await freshAuthUrl(listener);
    let run = await launch(url, 'deny');
    assert.equal(run.code, 0);
    let cb = await listener.nth(1);
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('state'), state);
    await run.workerDone;

    ({ url } = await freshAuthUrl(listener));
    const before = (await getJson(`${as.ready.issuer}/__stats`)).json.requests;
    run = await launch(url, 'forge');
    cb = await listener.nth(2);
    assert.equal(cb.search, '?code=forged&state=not-a-real-state');
    await run.workerDone;
    assert.equal((await getJson(`${as.ready.issuer}/__stats`)).json.requests, before, 'forge never talks to the AS');

    ({ url } = await freshAuthUrl(listener));
    run = await launch(url, 'replay');
    const first = await listener.nth(3);
    const second = await listener.nth(4);
    assert.equal(second.href, first.href);
    assert.ok(first.searchParams.get('code'));
    await run.workerDone;
    assert.match(run.stderr(), /second delivery -> HTTP 200/);
  } finally {
    await listener.close();
  }
});

test('ignore does nothing; a bad mode exits 2', async () => {
  const listener = await startCallbackListener();
  try {
    const { url } = await freshAuthUrl(listener);
    const before = (await getJson(`${as.ready.issuer}/__stats`)).json.requests;
    const run = await launch(url, 'ignore');
    assert.equal(run.code, 0);
    await run.workerDone; // the worker has exited
    assert.equal((await getJson(`${as.ready.issuer}/__stats`)).json.requests, before);
    assert.equal(listener.hits.length, 0);

    const bad = await launch(url, 'approve-everything');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr(), /unknown PATCHBAY_TEST_BROWSER item/);
  } finally {
    await listener.close();
  }
});

test('a waiting page: its meta refresh is read (entities decoded), other metas ignored', () => {
  const page = '<meta charset="utf-8"><meta http-equiv="refresh" content="1;url=/authorize/continue?request=ab&csrf=x&amp;y">';
  assert.deepEqual(metaRefresh(page), { seconds: 1, url: '/authorize/continue?request=ab&csrf=x&y' });
  assert.deepEqual(metaRefresh("<META HTTP-EQUIV='Refresh' CONTENT='2; URL=/next'>"), { seconds: 2, url: '/next' });
  assert.equal(metaRefresh('<meta name="viewport" content="width=device-width">'), undefined);
  assert.equal(metaRefresh('<meta http-equiv="refresh" content="5">'), undefined);
});
