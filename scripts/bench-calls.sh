#!/usr/bin/env bash
# The runtime, side by side in one run (release builds, real servers, real Secret Service):
# 1. Patchbay's added latency on tools/call over a direct rmcp client with the same token
#    (p50 / p99 of N sequential calls), and calls per second with 64 concurrent callers
#    (direct: 64 clients, each its own session; Patchbay: 64 callers on one shared session,
#    as the gateway calls upstream; CLIENTS, PER_CLIENT);
# 2. `patchbay logs --search` over 1,000,000 log rows, next to `patchbay logs` unfiltered.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-1000}
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  command -v hyperfine >/dev/null || { sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_=sudo; $sudo_ apt-get install -y -qq hyperfine >/dev/null; }
  cargo build --release -p patchbay-cli -p patchbay-harness --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release/patchbay"
source scripts/lib-servers.sh
start_servers bench-calls
export PATCHBAY_HOME="$work/home"
"$bin" action add demo --url "$mcp" --auth oauth >/dev/null
BROWSER="node tests/servers/browser.mjs" "$bin" connect demo --port 0 --timeout 30 >/dev/null 2>&1

echo "== tools/call: $calls sequential, then ${CLIENTS:-64} concurrent callers" >&2
target/release/patchbay-bench-calls demo "$calls" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const r = JSON.parse(s), d = r.direct, p = r.patchbay, f = (x) => x.toFixed(2);
    console.log(`| tools/call, ${r.calls} calls (release) | p50 | p99 | calls/s, ${r.clients} concurrent |`);
    console.log("|:---|---:|---:|---:|");
    console.log(`| direct rmcp client, fixed token | ${f(d.p50_ms)} ms | ${f(d.p99_ms)} ms | ${d.calls_per_s.toFixed(0)} |`);
    console.log(`| Patchbay (credential per request, logged) | ${f(p.p50_ms)} ms | ${f(p.p99_ms)} ms | ${p.calls_per_s.toFixed(0)} |`);
    console.log(`\nPatchbay / direct: p50 ${(p.p50_ms / d.p50_ms).toFixed(2)}x, p99 ${(p.p99_ms / d.p99_ms).toFixed(2)}x, throughput ${(p.calls_per_s / d.calls_per_s).toFixed(2)}x`);
  });'

echo "== logs: seeding 1,000,000 rows" >&2
db="$PATCHBAY_HOME/patchbay.db"
python3 - "$db" <<'PY'
import sqlite3, sys, random
c = sqlite3.connect(sys.argv[1])
words = ["echo", "search_issues", "list_pages", "create_ticket", "whoami", "add"]
rows = ((f"2026-11-{(i % 28) + 1:02d}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z",
         None, f"action{i % 50}", "call", "ok" if i % 17 else "error", 200, i % 400,
         f"tools/call {words[i % 6]} #{i}", '{"tool": "%s", "arguments": {"n": %d}}' % (words[i % 6], i),
         '{"isError": false, "text": "result %d"}' % i, None) for i in range(1_000_000))
c.executemany("INSERT INTO logs (at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
c.execute("INSERT INTO logs (at, subject, kind, outcome, summary) VALUES ('2026-11-30T00:00:00.000Z', 'needle', 'call', 'ok', 'the one needle-in-the-haystack call')")
c.commit()
PY
hyperfine --warmup 1 --min-runs 5 -N --export-markdown "$work/logs.md" \
  -n "logs (latest 100 of 1,000,001)" "$bin logs --json" \
  -n "logs --action action7 (latest 100)" "$bin logs --json --action action7" \
  -n "logs --search needle (trigram index)" "$bin logs --json --search needle" >/dev/null
cat "$work/logs.md"
