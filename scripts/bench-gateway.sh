#!/usr/bin/env bash
# The gateway, side by side in one run (release builds, real servers, real Secret Service):
# - tools/call made directly by rmcp's client with a fixed token, through Patchbay's runtime
#   (`patchbay call`'s path) and through `patchbay gateway serve` by rmcp's client with an
#   access key: p50 / p99 of N sequential calls (interleaved rounds);
# - calls per second with 64 concurrent clients (each its own session), direct and through
#   the gateway;
# - tools/list through the gateway over 10 actions × 50 tools (a second test MCP server with
#   `extraTools`, no auth): p50 / p99;
# - the gateway's resident memory idle, at its peak under the 64-client load, and after;
# - the gateway's authorization server: SIGNINS (200) full sign-ins of a custom public client
#   (401, RFC 9728 and 8414 metadata, /authorize, /token; no consent) and their request count,
#   the token endpoint (code and refresh grants), and tools/call with the OAuth access token
#   next to the access key's (same rounds);
# - the floor: a bare pass-through proxy process (patchbay-bench-calls --forward) in front of
#   the same server with the same token, in the same rounds: what any proxy costs here;
# - the rmcp floor: rmcp's server in front of one shared rmcp client session on the same
#   server (patchbay-bench-calls --relay), nothing else: what any gateway built on rmcp on
#   both sides costs here, in the same rounds;
# - with BEFORE_BIN (the `patchbay` binary of an earlier build): a second gateway from it,
#   serving a copy of the same profile with the same key, in the same rounds, so a change
#   shows before and after in one run (the build must know the profile's schema: one older
#   than migration 18 refuses the profile this build makes);
# - where the gateway's extra time goes: ping direct and through the gateway, and the
#   gateway's rmcp server alone (a null echo server, default configuration and variants).
# Prints a Markdown table and the ratios. CALLS (1000), CLIENTS (64), PER_CLIENT (50).
# The access keys stay in variables; nothing here prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-1000}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  cargo build --release -p patchbay-cli -p patchbay-harness --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
target_dir=${CARGO_TARGET_DIR:-$(pwd)/target}
bin="$target_dir/release"
source scripts/lib-servers.sh
start_servers bench-gateway
export PATCHBAY_HOME="$work/home"

# The wide server: no auth, 4 + 46 = 50 tools.
MCP_SERVER_CONFIG='{"auth":false,"extraTools":46}' node tests/servers/mcp-server.mjs </dev/null >"$work/wide.json" 2>"$work/wide.json.err" &
_server_pids+=($!)
_wait_ready "$work/wide.json" "$!" "the wide MCP server (tests/servers/mcp-server.mjs, extraTools 46)"
wide=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).url' "$work/wide.json")

"$bin/patchbay" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" timeout 60 "$bin/patchbay" connect demo --port 0 --timeout 30 >/dev/null 2>&1 ||
  { echo "error: connecting the demo action (OAuth, tests/servers/browser.mjs) failed or took over 60 s" >&2; exit 1; }
wides=()
for i in $(seq 0 9); do
  "$bin/patchbay" action add "wide$i" --url "$wide" >/dev/null
  wides+=("wide$i")
done
key=$("$bin/patchbay" gateway key add bench --actions demo 2>/dev/null)
list_key=$("$bin/patchbay" gateway key add list --actions "$(IFS=,; echo "${wides[*]}")" 2>/dev/null)

before_env=()
if [ -n "${BEFORE_BIN:-}" ]; then
  # A copy of the profile (same profile id, so the same keychain entries), its own gateway.
  cp -a "$work/home" "$work/home-before"
  PATCHBAY_HOME="$work/home-before" "$BEFORE_BIN" gateway serve --port 0 >"$work/gateway-before.out" 2>"$work/gateway-before.out.err" &
  before_pid=$!
  _server_pids+=("$before_pid")
  _wait_ready "$work/gateway-before.out" "$before_pid" "the earlier gateway (BEFORE_BIN gateway serve)"
  before_env=(GATEWAY_BEFORE_URL="$(head -1 "$work/gateway-before.out")" GATEWAY_BEFORE_PID="$before_pid")
fi

"$bin/patchbay" gateway serve --port 0 >"$work/gateway.out" 2>"$work/gateway.out.err" &
gateway_pid=$!
_server_pids+=("$gateway_pid")
_wait_ready "$work/gateway.out" "$gateway_pid" "the gateway (patchbay gateway serve)"

echo "== the gateway's authorization server: ${SIGNINS:-200} sign-ins, ${SIGNINS:-200} refreshes" >&2
redirect=http://127.0.0.1:53682/callback
client_id=$("$bin/patchbay" --json gateway client add bench-app --type public --redirect-uri "$redirect" --actions demo |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).clientId))')
timeout 600 node tests/servers/bench-gateway-signin.mjs "$(head -1 "$work/gateway.out")" "$client_id" "$redirect" "${SIGNINS:-200}" \
  >"$work/signin.json" || { echo "error: tests/servers/bench-gateway-signin.mjs failed or took over 10 min" >&2; exit 1; }
oauth_token=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).access_token' "$work/signin.json")
# The token stays in the variable only: the file keeps the figures.
node -e 'const f=process.argv[1],fs=require("fs"),r=JSON.parse(fs.readFileSync(f,"utf8"));delete r.access_token;fs.writeFileSync(f,JSON.stringify(r))' "$work/signin.json"

echo "== tools/call: $calls sequential; ${CLIENTS:-64} concurrent clients; tools/list over 10 × 50 tools; the breakdown" >&2
env ${before_env[@]+"${before_env[@]}"} GATEWAY_URL=$(head -1 "$work/gateway.out") GATEWAY_KEY=$key GATEWAY_TOKEN=$oauth_token GATEWAY_PID=$gateway_pid UPSTREAM_PID=${_server_pids[1]} \
  LIST_KEY=$list_key LIST_DIRECT_URL=$wide \
  timeout 900 "$bin/patchbay-bench-calls" demo "$calls" >"$work/calls.json" ||
  { echo "error: patchbay-bench-calls failed or took over 15 min" >&2; exit 1; }
[ -n "${BENCH_JSON:-}" ] && cp "$work/calls.json" "$BENCH_JSON"
node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const r = JSON.parse(s), d = r.direct, p = r.patchbay, g = r.gateway, f = (x) => x.toFixed(2);
    const n = (x) => Math.round(x).toLocaleString("en-US"), mib = (k) => (k / 1024).toFixed(1);
    console.log(`| tools/call (release) | p50 | p99 | calls/s, ${r.clients} clients |`);
    console.log("|:---|---:|---:|---:|");
    console.log(`| direct rmcp client, fixed token | ${f(d.p50_ms)} ms | ${f(d.p99_ms)} ms | ${n(d.calls_per_s)} |`);
    console.log(`| Patchbay runtime (patchbay call) | ${f(p.p50_ms)} ms | ${f(p.p99_ms)} ms | |`);
    console.log(`| through the gateway, access key | ${f(g.p50_ms)} ms | ${f(g.p99_ms)} ms | ${n(g.calls_per_s)} |`);
    const b = r.gateway_before, fl = r.floor, rf = r.rmcp_floor;
    if (b) console.log(`| through the earlier gateway (BEFORE_BIN), access key | ${f(b.p50_ms)} ms | ${f(b.p99_ms)} ms | ${n(b.calls_per_s)} |`);
    console.log(`| the floor: a bare pass-through proxy, fixed token | ${f(fl.p50_ms)} ms | ${f(fl.p99_ms)} ms | ${n(fl.calls_per_s)} |`);
    console.log(`| the rmcp floor: rmcp server + one shared rmcp client session, fixed token | ${f(rf.p50_ms)} ms | ${f(rf.p99_ms)} ms | ${n(rf.calls_per_s)} |`);
    if (r.gateway_oauth) console.log(`| through the gateway, OAuth access token | ${f(r.gateway_oauth.p50_ms)} ms | ${f(r.gateway_oauth.p99_ms)} ms | |`);
    if (r.gateway_oauth) console.log(`\ngateway with an OAuth token - direct: p50 +${f(r.gateway_oauth.p50_ms - d.p50_ms)} ms (${(r.gateway_oauth.p50_ms / d.p50_ms).toFixed(2)}x); OAuth token / access key through the gateway: ${(r.gateway_oauth.p50_ms / g.p50_ms).toFixed(2)}x`);
    const si = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`one full sign-in of a custom client (no consent): p50 ${f(si.signin.p50_ms)} ms, p99 ${f(si.signin.p99_ms)} ms, ${si.signin.requests} requests; /token: authorization_code p50 ${f(si.token_code.p50_ms)} ms, refresh_token (rotating) p50 ${f(si.token_refresh.p50_ms)} ms, p99 ${f(si.token_refresh.p99_ms)} ms`);
    const vs = (x) => `p50 +${f(x.p50_ms - d.p50_ms)} ms (${(x.p50_ms / d.p50_ms).toFixed(2)}x), p99 ${(x.p99_ms / d.p99_ms).toFixed(2)}x; throughput, ${r.clients} clients: ${(x.calls_per_s / d.calls_per_s).toFixed(2)}x`;
    console.log(`gateway - direct: ${vs(g)}`);
    if (b) console.log(`earlier gateway - direct: ${vs(b)}`);
    console.log(`floor (bare pass-through) - direct: ${vs(fl)}`);
    console.log(`rmcp floor (rmcp server + rmcp client) - direct: ${vs(rf)}`);
    if (r.list) {
      const l = r.list;
      console.log(`tools/list through the gateway, ${l.tools} tools (10 actions): p50 ${f(l.gateway.p50_ms)} ms, p99 ${f(l.gateway.p99_ms)} ms` +
        (l.direct_one_action ? `; one action (50 tools) directly: p50 ${f(l.direct_one_action.p50_ms)} ms, p99 ${f(l.direct_one_action.p99_ms)} ms (gateway / 10 x direct: ${(l.gateway.p50_ms / (10 * l.direct_one_action.p50_ms)).toFixed(2)}x)` : ""));
    }
    const cpu = (c) => Object.entries(c ?? {}).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ");
    console.log(`CPU ms per call under the ${r.clients}-client load: direct: ${cpu(d.cpu_ms_per_call)}; through the gateway: ${cpu(g.cpu_ms_per_call)};${b ? ` through the earlier gateway: ${cpu(b.cpu_ms_per_call)};` : ""} through the floor: ${cpu(fl.cpu_ms_per_call)}; through the rmcp floor: ${cpu(rf.cpu_ms_per_call)}; Patchbay runtime, one shared session (${n(p.calls_per_s)} calls/s): ${cpu(p.cpu_ms_per_call)}`);
    const m = r.gateway_rss_kib;
    if (m) console.log(`gateway resident memory: ${mib(m.idle)} MiB idle, ${mib(m.peak_under_load)} MiB peak under the ${r.clients}-client load, ${mib(m.after_load)} MiB after it`);
    console.log("\nbreakdown (p50):");
    console.log(`  ping: direct ${f(r.ping.direct.p50_ms)} ms, through the gateway ${f(r.ping.gateway.p50_ms)} ms`);
    for (const [mode, v] of Object.entries(r.null_server)) {
      console.log(`  rmcp server alone, as the gateway configures it (${mode}): echo ${f(v.echo.p50_ms)} ms, ping ${f(v.ping.p50_ms)} ms` +
        (v.cpu_ms_per_call !== undefined ? `; ${r.clients} clients: ${n(v.calls_per_s)} calls/s, server CPU ${v.cpu_ms_per_call.toFixed(3)} ms per call` : ""));
    }
  });' "$work/signin.json" <"$work/calls.json"
