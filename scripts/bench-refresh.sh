#!/usr/bin/env bash
# Refresh single-flight, side by side in one run: after the access token expired, 1 user in
# 1 process, then 50 users split over 2 processes (25 concurrent tasks each, started at the
# same instant), all asking for the token of one action. Both use the release
# `patchbay-race` driver against the real servers (oidc-provider with 2 s access tokens and
# rotating refresh tokens). Reports token requests the server received and the wall time
# until the last user had its token.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  cargo build --release -p patchbay-cli -p patchbay-harness --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release/patchbay"
race="$(pwd)/target/release/patchbay-race"
source scripts/lib-servers.sh
start_servers bench-refresh '{"accessTokenTtl": 2}'
export PATCHBAY_HOME="$work/home"
"$bin" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" "$bin" connect demo --port 0 --timeout 30 >/dev/null 2>&1

refreshes() {
  curl -s "$auth_origin/__stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tags["grant_type:refresh_token"]??0))'
}
expire() { sleep 2.2; curl -s -X DELETE "$auth_origin/__stats" >/dev/null; }
now_ms() { date +%s%3N; }

: >"$work/rows.txt"
for i in $(seq 1 "$runs"); do
  expire
  t0=$(now_ms); "$race" demo 1 >"$work/one.json"; t1=$(now_ms)
  one_req=$(refreshes)
  expire
  at=$(( $(now_ms) + 300 ))
  "$race" demo 25 "$at" >"$work/a.json" & p1=$!
  "$race" demo 25 "$at" >"$work/b.json" & p2=$!
  wait $p1 $p2; t2=$(now_ms)
  many_req=$(refreshes)
  node -e '
    const fs = require("fs");
    const [one, a, b] = process.argv.slice(1, 4).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    if (one.ok !== 1 || a.ok + b.ok !== 50) { console.error("not every user got a token", one, a, b); process.exit(1); }
    // wall time of the 50: from the common start to the later process end
    console.log(process.argv[4], process.argv[5], process.argv[6], process.argv[7]);
  ' "$work/one.json" "$work/a.json" "$work/b.json" "$((t1 - t0))" "$one_req" "$((t2 - at))" "$many_req" >>"$work/rows.txt"
done
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" ").map(Number));
  const med = (i) => { const s = rows.map((r) => r[i]).sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const max = (i) => Math.max(...rows.map((r) => r[i]));
  console.log(`| expired token, release build (median of ${rows.length}) | token requests (max over runs) | wall time, process start to last token |`);
  console.log("|:---|---:|---:|");
  console.log(`| 1 user, 1 process | ${max(1)} | ${med(0)} ms |`);
  console.log(`| 50 users, 2 processes x 25 tasks | ${max(3)} | ${med(2)} ms |`);
  console.log(`\n50 users / 1 user: token requests ${(max(3) / max(1)).toFixed(0)}x, wall time ${(med(2) / med(0)).toFixed(2)}x`);
' "$work/rows.txt"
