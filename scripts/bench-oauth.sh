#!/usr/bin/env bash
# One OAuth connect, side by side: `patchbay connect` (release build) and the MCP TypeScript
# SDK's client (tests/servers/bench-sdk-connect.mjs), against the same real servers
# (oidc-provider + MCP SDK server on 127.0.0.1), each with a fresh dynamic registration.
# Reports the client's own CPU time (consent excluded: the browser is a separate process
# for Patchbay and is subtracted for the SDK) and the HTTP requests the client made.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  cargo build --release -p patchbay-cli --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release/patchbay"
source scripts/lib-servers.sh
start_servers bench-oauth

reset() { curl -s -X DELETE "$auth_origin/__stats" >/dev/null; curl -s -X DELETE "$mcp_origin/__stats" >/dev/null; }
# Requests the client made: everything at the MCP server, and at the authorization server
# all but the browser's consent pages (/auth, /interaction/...).
count() {
  node -e '
    const [a, m] = process.argv.slice(1).map((s) => JSON.parse(s));
    const browser = (p) => p === "/auth" || p.startsWith("/auth/") || p.startsWith("/interaction");
    const as = Object.entries(a.byPath).filter(([p]) => !browser(p)).reduce((n, [, c]) => n + c, 0);
    console.log(as + m.requests);' "$(curl -s "$auth_origin/__stats")" "$(curl -s "$mcp_origin/__stats")"
}

echo "runs: $runs; servers: $issuer, $mcp" >&2
: >"$work/pb.txt"; : >"$work/sdk.txt"
for i in $(seq 1 "$runs"); do
  home="$work/home$i"
  PATCHBAY_HOME=$home "$bin" action add demo --url "$mcp" --auth oauth >/dev/null
  reset
  # CPU time of the CLI process itself (rusage, microseconds); the browser it launches is
  # detached and never waited for, so it is not counted.
  PATCHBAY_HOME=$home BROWSER="node tests/servers/browser.mjs" python3 -c '
import resource, subprocess, sys, time
cpu = lambda r: (r.ru_utime + r.ru_stime) * 1000
before = cpu(resource.getrusage(resource.RUSAGE_CHILDREN))  # e.g. a pyenv shim before exec
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = (time.monotonic() - t) * 1000
if rc: sys.exit(rc)
print(cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - before, wall)' "$bin" connect demo --port 0 --timeout 30 >"$work/t"
  read -r cpu wall <"$work/t"
  sleep 0.3 # let the detached browser's last request land before counting
  echo "$cpu $wall $(count)" >>"$work/pb.txt"
  reset
  out=$(node tests/servers/bench-sdk-connect.mjs "$mcp")
  node -e 'const r = JSON.parse(process.argv[1]); if (!r.authorized) process.exit(1); console.log(r.cpuMs, r.wallMs)' "$out" |
    while read -r c w; do echo "$c $w $(count)"; done >>"$work/sdk.txt"
done
node -e '
  const fs = require("fs");
  const rows = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => l.split(" ").map(Number));
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const pb = rows(process.argv[1]), sdk = rows(process.argv[2]);
  const f = (r, i) => med(r.map((x) => x[i]));
  const line = (name, r) => `| ${name} | ${f(r, 0).toFixed(1)} ms | ${f(r, 2)} |`;
  console.log(`| client (median of ${pb.length}) | CPU time, consent excluded | HTTP requests made |`);
  console.log("|:---|---:|---:|");
  console.log(line("patchbay connect (release)", pb));
  console.log(line("MCP TS SDK 1.32 auth() on Node 20", sdk));
  console.log(`\nSDK / Patchbay: CPU ${(f(sdk, 0) / f(pb, 0)).toFixed(1)}x, requests ${(f(sdk, 2) / f(pb, 2)).toFixed(2)}x`);
' "$work/pb.txt" "$work/sdk.txt"
