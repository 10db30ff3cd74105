#!/usr/bin/env bash
# `patchbay proxy` against a direct call and against mcp-remote (npm), in one run on this
# machine: p50 / p99 of N sequential tools/call through each path with the same MCP SDK
# client, and the resident memory of each bridge process (release build, real servers).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-1000}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  (cd tests/bench && npm ci --no-audit --no-fund --silent)
  cargo build --release -p patchbay-cli --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release/patchbay"
source scripts/lib-servers.sh
start_servers bench-proxy
export PATCHBAY_HOME="$work/home"
export MCP_REMOTE_CONFIG_DIR="$work/mcp-remote"
"$bin" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" "$bin" connect demo --port 0 --timeout 30 >/dev/null 2>&1
token=$("$bin" access-token demo)

echo "== tools/call through each bridge: $calls sequential calls" >&2
node tests/servers/bench-proxy.mjs "$bin" demo "$mcp" "$token" tests/bench/node_modules/mcp-remote/dist/proxy.js "$calls" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const r = JSON.parse(s), d = r.direct, p = r.patchbay, m = r.mcp_remote, f = (x) => x.toFixed(2);
    const mib = (k) => (k / 1024).toFixed(1) + " MiB";
    console.log(`| tools/call, ${r.calls} sequential (release) | p50 | p99 | bridge memory (RSS) |`);
    console.log("|:---|---:|---:|---:|");
    console.log(`| direct (Streamable HTTP, fixed token) | ${f(d.p50_ms)} ms | ${f(d.p99_ms)} ms | none |`);
    console.log(`| patchbay proxy (stdio) | ${f(p.p50_ms)} ms | ${f(p.p99_ms)} ms | ${mib(p.rss_kib)} |`);
    console.log(`| mcp-remote 0.15.1 (stdio, npm) | ${f(m.p50_ms)} ms | ${f(m.p99_ms)} ms | ${mib(m.rss_kib)} |`);
    console.log(`\npatchbay / direct: p50 ${(p.p50_ms / d.p50_ms).toFixed(2)}x, p99 ${(p.p99_ms / d.p99_ms).toFixed(2)}x`);
    console.log(`patchbay / mcp-remote: p50 ${(p.p50_ms / m.p50_ms).toFixed(2)}x, p99 ${(p.p99_ms / m.p99_ms).toFixed(2)}x, memory ${(p.rss_kib / m.rss_kib).toFixed(2)}x`);
  });'
