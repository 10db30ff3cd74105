#!/usr/bin/env bash
# A bounded load test of the gateway on loopback (issue 21; not part of `make test`):
# CLIENTS (64) MCP clients for SECONDS (60) per round, ROUNDS (2) rounds, on one
# `patchbay gateway serve` in front of the real test servers (oidc-provider, the MCP SDK's
# server) with the real Secret Service:
# - tools/call (80%) and tools/list (20%), one request at a time per client;
# - access keys (KEYS, 7), one replaced every REVOKE_EVERY (6) s: a new key added and the
#   old one revoked by CLI processes, its clients refused (401) and back with the new key;
# - OAUTH_CLIENTS (8) clients on the gateway's own OAuth tokens (a public custom client,
#   gatewayAccessTokenSecs = GATEWAY_TOKEN_SECS, 10), refreshed at /token before they expire;
# - the upstream action's own tokens expire every UPSTREAM_TOKEN_SECS (5) s (rotating refresh
#   tokens), so the gateway's runtime refreshes them under the load.
# Prints the counts (requests, errors by kind, p50 / p99, refreshes, the gateway's memory:
# before, peak, right after, 10 s and SETTLE_SECONDS (70) after each round) as
# Markdown; exits 1 when any request failed in a way it should not have. PROFILE=debug uses
# the debug builds (quicker to build, slower to run). Keys and tokens are never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  if [ "$profile" = release ]; then
    cargo build --release -p patchbay-cli -p patchbay-harness --quiet
  else
    cargo build -p patchbay-cli -p patchbay-harness --quiet
  fi
  exec scripts/with-keyring.sh "$0" "$@"
fi
target_dir=${CARGO_TARGET_DIR:-$(pwd)/target}
bin="$target_dir/$profile"
source scripts/lib-servers.sh
start_servers load-gateway "{\"accessTokenTtl\":${UPSTREAM_TOKEN_SECS:-5}}"
export PATCHBAY_HOME="$work/home"

"$bin/patchbay" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" timeout 60 "$bin/patchbay" connect demo --port 0 --timeout 30 >/dev/null 2>&1 ||
  { echo "error: connecting the demo action (OAuth, tests/servers/browser.mjs) failed or took over 60 s" >&2; exit 1; }
"$bin/patchbay" settings set gatewayAccessTokenSecs "${GATEWAY_TOKEN_SECS:-10}" >/dev/null
redirect=http://127.0.0.1:53682/callback
client_id=$("$bin/patchbay" --json gateway client add load-app --type public --redirect-uri "$redirect" --actions demo |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).clientId))')

"$bin/patchbay" gateway serve --port 0 >"$work/gateway.out" 2>"$work/gateway.out.err" &
gateway_pid=$!
_server_pids+=("$gateway_pid")
_wait_ready "$work/gateway.out" "$gateway_pid" "the gateway (patchbay gateway serve)"
url=$(head -1 "$work/gateway.out")
started=$(date -u +%s)

echo "== ${CLIENTS:-64} clients × ${SECONDS_PER_ROUND:-60} s × ${ROUNDS:-2} rounds on $url ($profile build); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rc=0
ROUND_SECONDS=${SECONDS_PER_ROUND:-60} CLIENT_ID=$client_id REDIRECT_URI=$redirect \
  timeout $(( (${SECONDS_PER_ROUND:-60} + ${SETTLE_SECONDS:-70} + 90) * ${ROUNDS:-2} + 120 )) \
  "$bin/patchbay-load-gateway" "$bin/patchbay" "$url" "$gateway_pid" >"$work/load.json" || rc=$?
[ -s "$work/load.json" ] || { echo "error: patchbay-load-gateway failed (exit $rc) before it reported" >&2; exit 1; }
[ -n "${LOAD_JSON:-}" ] && cp "$work/load.json" "$LOAD_JSON"
upstream_refreshes=$("$bin/patchbay" --json logs --action demo --kind refresh --limit 100000 | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const r=s.split("\n").filter(Boolean).map((l)=>JSON.parse(l));console.log(r.filter((x)=>x.outcome==="ok").length+" ok, "+r.filter((x)=>x.outcome!=="ok").length+" failed")})')
logged_calls=$("$bin/patchbay" --json logs --action demo --kind call --limit 1000000 | grep -c . || true)
alive=yes; kill -0 "$gateway_pid" 2>/dev/null || alive=no
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); the gateway still running: $alive; run took $(( $(date -u +%s) - started )) s" >&2
SETTLE=${SETTLE_SECONDS:-70} UPSTREAM_REFRESHES=$upstream_refreshes LOGGED_CALLS=$logged_calls node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const r = JSON.parse(s), f = (x) => x.toFixed(2), n = (x) => Math.round(x).toLocaleString("en-US");
    console.log(`${r.clients} clients (${r.oauth_clients} on OAuth tokens, the rest on ${r.keys} access keys, one replaced and revoked every few seconds)\n`);
    console.log(`| round | seconds | requests | ok | requests/s | unexpected errors | keys revoked | memory before / peak / after / 10 s / ${process.env.SETTLE} s later |`);
    console.log("|---:|---:|---:|---:|---:|---:|---:|:---|");
    r.rounds.forEach((x, i) => console.log(`| ${i + 1} | ${x.seconds} | ${n(x.requests)} | ${n(x.ok)} | ${n(x.per_second)} | ${x.unexpected} | ${x.revocations} | ${x.rss_mib.before} / ${x.rss_mib.peak} / ${x.rss_mib.after} / ${x.rss_mib.settled_10s} / ${x.rss_mib.settled_later} MiB |`));
    console.log("\n| round | request | count | p50 | p99 |\n|---:|:---|---:|---:|---:|");
    r.rounds.forEach((x, i) => { for (const [k, v] of Object.entries(x.kinds)) console.log(`| ${i + 1} | ${k} | ${n(v.count)} | ${f(v.p50_ms)} ms | ${f(v.p99_ms)} ms |`); });
    console.log("\n| round | error | count |\n|---:|:---|---:|");
    r.rounds.forEach((x, i) => { for (const [k, v] of Object.entries(x.errors)) console.log(`| ${i + 1} | ${k} | ${n(v)} |`); });
    r.rounds.forEach((x, i) => { for (const e of [...x.unexpected_samples, ...x.revoker_errors]) console.log(`round ${i + 1}: ${e}`); });
    const calls = r.rounds.reduce((a, x) => a + (x.kinds["tools/call"]?.count ?? 0), 0);
    console.log(`\nupstream token refreshes by the gateway (its log): ${process.env.UPSTREAM_REFRESHES}; tools/call answered: ${n(calls)}, log rows of calls: ${n(Number(process.env.LOGGED_CALLS))}`);
  });' <"$work/load.json"
[ "$alive" = yes ] || { echo "error: the gateway died under the load (see $work/gateway.out.err)" >&2; exit 1; }
exit "$rc"
