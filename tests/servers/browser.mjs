#!/usr/bin/env node
// Headless consent "browser" for Patchbay's tests, used as `$BROWSER <url>`.
//
// Like a real browser launcher it returns at once: the parent validates the
// arguments, writes the capture file (if asked), spawns a DETACHED copy of
// itself (`--worker`) that does the actual work, and exits 0. The worker
// inherits stderr (so its `browser:` log lines show up in the test output) and
// has stdin/stdout on /dev/null. `--foreground` does the work in-process and
// exits 1 if the flow did not reach the client.
//
// PATCHBAY_TEST_BROWSER (default "consent"), comma-separated items (or the contents of
// the file PATCHBAY_TEST_BROWSER_FILE names, read at each launch):
//   consent | deny | ignore | replay | forge, login-as=EMAIL, capture=FILE, user-code=CODE,
//   no-deliver (with --foreground: print the landed address on stdout instead of opening it)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parseMode, runBrowser } from './lib/browser-core.mjs';

const log = (msg) => process.stderr.write(`browser: ${msg}\n`);
// the caller may close its end of our stderr while the worker still runs
process.stderr.on('error', () => {});

const args = process.argv.slice(2);
const worker = args.includes('--worker');
const foreground = args.includes('--foreground');
const urls = args.filter((a) => !a.startsWith('--'));

if (urls.length !== 1) {
  log('usage: browser.mjs [--foreground] <authorization-url>');
  process.exit(2);
}
const [authUrl] = urls;

let mode;
try {
  // PATCHBAY_TEST_BROWSER_FILE: read the mode from a file at each launch, so a test can
  // change it while the app that launches us keeps running.
  const modeFile = process.env.PATCHBAY_TEST_BROWSER_FILE;
  mode = parseMode(modeFile ? readFileSync(modeFile, 'utf8').trim() : process.env.PATCHBAY_TEST_BROWSER);
  if (!URL.canParse(authUrl)) throw new Error(`not a URL: ${authUrl}`);
} catch (err) {
  log(err.message);
  process.exit(2);
}

async function work() {
  // never outlive a test run: a stuck flow gives up after 60 s
  setTimeout(() => {
    log('giving up after 60 s');
    process.exit(1);
  }, 60000).unref();
  try {
    const result = await runBrowser(authUrl, { mode, log });
    if (mode.action === 'ignore') return 0;
    if (!mode.deliver && result.callbackUrl) {
      // no-deliver: the address the sign-in landed on, for the caller to paste back.
      process.stdout.write(`${result.callbackUrl}\n`);
    }
    return result.callbackUrl || result.deviceDone ? 0 : 1;
  } catch (err) {
    log(`failed: ${err.message}`);
    return 1;
  }
}

if (!worker) {
  log(`opening ${authUrl} (mode ${mode.action})`);
  if (mode.capture) {
    // Written before we return, so a test can read it as soon as $BROWSER exits.
    writeFileSync(mode.capture, `${authUrl}\n`);
    log(`wrote the authorization URL to ${mode.capture}`);
  }
}

if (worker || foreground) {
  process.exitCode = await work();
} else {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', authUrl], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: process.env,
  });
  child.on('error', (err) => {
    log(`cannot start the worker: ${err.message}`);
    process.exit(1);
  });
  child.unref();
  log(`working in the background (pid ${child.pid})`);
  // exit promptly; the detached worker carries on
  process.exit(0);
}
