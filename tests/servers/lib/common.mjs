// Shared plumbing for the test servers: configuration, the ready line,
// request statistics and process lifecycle.
import { fstatSync } from 'node:fs';

export const HOST = '127.0.0.1';

export function log(name, ...args) {
  console.error(`${name}:`, ...args);
}

export function fail(name, message, code = 2) {
  console.error(`${name}: ${message}`);
  process.exit(code);
}

// Configuration: `--config '<json>'` (or `--config=<json>`) wins over the env var.
// Unknown keys are an error so a typo in a test cannot silently do nothing.
export function loadConfig(name, envName, defaults) {
  let raw;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--config') raw = argv[i + 1];
    else if (argv[i].startsWith('--config=')) raw = argv[i].slice('--config='.length);
  }
  if (raw === undefined) raw = process.env[envName];
  let given = {};
  if (raw !== undefined && raw.trim() !== '') {
    try {
      given = JSON.parse(raw);
    } catch (err) {
      fail(name, `invalid JSON in ${envName}/--config: ${err.message}`);
    }
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      fail(name, `${envName}/--config must be a JSON object`);
    }
  }
  const unknown = Object.keys(given).filter((k) => !(k in defaults));
  if (unknown.length) {
    fail(name, `unknown configuration key(s): ${unknown.join(', ')} (known: ${Object.keys(defaults).join(', ')})`);
  }
  return { ...defaults, ...given };
}

export function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen({ host: HOST, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

export function printReady(obj) {
  // One line, then nothing else ever goes to stdout (see stdio-guard.mjs).
  process.stdout.write(`${JSON.stringify({ ready: true, ...obj })}\n`);
}

// Request counting, served at GET /__stats (never counted itself).
// DELETE /__stats resets the counters.
export function createStats() {
  const stats = { requests: 0, byPath: {}, tags: {} };
  return {
    count(pathname) {
      stats.requests += 1;
      stats.byPath[pathname] = (stats.byPath[pathname] ?? 0) + 1;
    },
    // a finer count of requests already counted (e.g. "grant_type:refresh_token")
    tag(name) {
      stats.tags[name] = (stats.tags[name] ?? 0) + 1;
    },
    // returns true if the request was a stats request and has been answered
    handle(req, res, pathname) {
      if (pathname !== '/__stats') return false;
      if (req.method === 'DELETE') {
        stats.requests = 0;
        stats.byPath = {};
        stats.tags = {};
      }
      sendJson(res, 200, stats);
      return true;
    },
  };
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Exit on SIGTERM/SIGINT, and when stdin is a pipe (or socket) that closes:
// the parent test process died or dropped its end. A stdin that is /dev/null
// or a terminal is NOT watched (otherwise `node x.mjs </dev/null &` would exit
// at once).
export function installLifecycle(name, server, onClose = () => {}) {
  let closing = false;
  const shutdown = (why) => {
    if (closing) return;
    closing = true;
    log(name, `shutting down (${why})`);
    try { onClose(); } catch { /* ignore */ }
    server.close();
    server.closeAllConnections?.();
    // Do not wait for keep-alive sockets or SSE streams.
    setImmediate(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  let watchStdin = false;
  try {
    const st = fstatSync(0);
    watchStdin = st.isFIFO() || st.isSocket();
  } catch {
    watchStdin = false;
  }
  if (watchStdin) {
    process.stdin.on('data', () => {}); // discard anything written to us
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin error'));
    process.stdin.resume();
  }
  return shutdown;
}

export function htmlEscape(s) {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function isHttpUrl(value) {
  const u = URL.parse(String(value));
  return !!u && (u.protocol === 'http:' || u.protocol === 'https:') && !u.hash;
}
