// A plain HTTP server on 127.0.0.1 that answers every request one way, for the CLI's tests
// of HTTP actions that meet a server coming back, hanging or misbehaving.
//   node http-server.mjs MODE [PORT] [tls]   (PORT 0 or absent: any free port)
// Prints the port it listens on as its first line. `tls`: HTTPS with a fresh self-signed
// certificate for 127.0.0.1 (made by `openssl` at start, trusted by nobody), for the
// "certificate not trusted" failures. MODE:
//   pong     200 {"pong": true}
//   hang     never answers
//   big      200 with a 3 MiB text body
//   garbage  200 with a body that is not text
//   down     500 {"error": "down"}
//   echo     200 {"method", "path", "query", "tenant": X-Tenant header, "body"}: what it got
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [mode = "pong", port = "0", transport = "plain"] = process.argv.slice(2);
const handlers = {
  pong: (_q, s) => {
    s.writeHead(200, { "content-type": "application/json" });
    s.end('{"pong":true}');
  },
  hang: () => {},
  big: (_q, s) => {
    s.writeHead(200, { "content-type": "text/plain" });
    s.end("x".repeat(3 * 1024 * 1024));
  },
  down: (_q, s) => {
    s.writeHead(500, { "content-type": "application/json" });
    s.end('{"error":"down"}');
  },
  echo: (q, s) => {
    let body = "";
    q.setEncoding("utf8");
    q.on("data", (c) => { body += c; });
    q.on("end", () => {
      const u = new URL(q.url, "http://127.0.0.1");
      s.writeHead(200, { "content-type": "application/json" });
      s.end(JSON.stringify({
        method: q.method,
        path: u.pathname,
        query: u.search,
        tenant: q.headers["x-tenant"] ?? null,
        body,
      }));
    });
  },
  garbage: (_q, s) => {
    s.writeHead(200, { "content-type": "text/plain" });
    s.end("\u0000garbage\u00ff");
  },
};
const handler = handlers[mode];
if (!handler) {
  console.error(`unknown mode '${mode}': use ${Object.keys(handlers).join(", ")}`);
  process.exit(2);
}
if (!["plain", "tls"].includes(transport)) {
  console.error(`unknown transport '${transport}': use plain or tls`);
  process.exit(2);
}

/** A self-signed certificate for 127.0.0.1, valid for a day; its files are removed at once. */
function selfSigned() {
  const dir = mkdtempSync(join(tmpdir(), "http-server-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const server = transport === "tls" ? https.createServer(selfSigned(), handler) : http.createServer(handler);
server.listen(Number(port), "127.0.0.1", () => console.log(server.address().port));
