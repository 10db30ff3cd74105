// A plain HTTP server on 127.0.0.1 that answers every request one way, for the CLI's tests
// of HTTP actions that meet a server coming back, hanging or misbehaving.
//   node http-server.mjs MODE [PORT]   (PORT 0 or absent: any free port)
// Prints the port it listens on as its first line. MODE:
//   pong     200 {"pong": true}
//   hang     never answers
//   big      200 with a 3 MiB text body
//   garbage  200 with a body that is not text
//   down     500 {"error": "down"}
//   echo     200 {"method", "path", "query", "tenant": X-Tenant header, "body"}: what it got
import http from "node:http";

const [mode = "pong", port = "0"] = process.argv.slice(2);
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
const server = http.createServer(handler);
server.listen(Number(port), "127.0.0.1", () => console.log(server.address().port));
