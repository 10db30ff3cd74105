#!/usr/bin/env bash
# The gateway, side by side in one run (release builds, real servers, real Secret Service):
# tools/call made directly by rmcp's client with a fixed token, through Patchbay's runtime
# (`patchbay call`'s path), and through `patchbay gateway serve` by rmcp's client with an
# access key: p50 / p99 of N sequential calls, then calls per second with 16 concurrent
# callers; and the gateway's resident memory idle and after the load.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-1000}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  cargo build --release -p patchbay-cli -p patchbay-harness --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release"
source scripts/lib-servers.sh
start_servers bench-gateway
export PATCHBAY_HOME="$work/home"
"$bin/patchbay" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" "$bin/patchbay" connect demo --port 0 --timeout 30 >/dev/null 2>&1
key=$("$bin/patchbay" gateway key add bench --actions demo 2>/dev/null)
"$bin/patchbay" gateway serve --port 0 >"$work/gateway.out" 2>"$work/gateway.err" &
gateway_pid=$!
_server_pids+=("$gateway_pid")
for _ in $(seq 1 300); do [ -s "$work/gateway.out" ] && break; sleep 0.1; done
[ -s "$work/gateway.out" ] || { echo "error: the gateway did not print its URL within 30 s:" >&2; cat "$work/gateway.err" >&2; exit 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$gateway_pid/status"; }
idle=$(rss)
echo "== tools/call: $calls sequential, then $calls over 16 concurrent callers" >&2
GATEWAY_URL=$(head -1 "$work/gateway.out") GATEWAY_KEY=$key \
  "$bin/patchbay-bench-calls" demo "$calls" >"$work/calls.json"
loaded=$(rss)
RSS_IDLE=$idle RSS_LOADED=$loaded node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const r = JSON.parse(s), d = r.direct, p = r.patchbay, g = r.gateway, f = (x) => x.toFixed(2);
    console.log(`| tools/call, ${r.calls} calls (release) | p50 | p99 | calls/s, 16 concurrent |`);
    console.log("|:---|---:|---:|---:|");
    console.log(`| direct rmcp client, fixed token | ${f(d.p50_ms)} ms | ${f(d.p99_ms)} ms | ${d.concurrent16_calls_per_s.toFixed(0)} |`);
    console.log(`| Patchbay runtime (patchbay call) | ${f(p.p50_ms)} ms | ${f(p.p99_ms)} ms | ${p.concurrent16_calls_per_s.toFixed(0)} |`);
    console.log(`| through the gateway, access key | ${f(g.p50_ms)} ms | ${f(g.p99_ms)} ms | ${g.concurrent16_calls_per_s.toFixed(0)} |`);
    console.log(`\ngateway - direct: p50 +${f(g.p50_ms - d.p50_ms)} ms; gateway / direct: p99 ${(g.p99_ms / d.p99_ms).toFixed(2)}x, throughput ${(g.concurrent16_calls_per_s / d.concurrent16_calls_per_s).toFixed(2)}x`);
    console.log(`gateway resident memory: ${(process.env.RSS_IDLE / 1024).toFixed(1)} MiB idle, ${(process.env.RSS_LOADED / 1024).toFixed(1)} MiB after the load`);
  });' <"$work/calls.json"
