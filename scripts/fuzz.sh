#!/usr/bin/env bash
# Fuzz the parsers of untrusted input for a fixed budget (not part of `make test`, which
# runs the same properties for proptest's default 256 inputs each).
#
#   scripts/fuzz.sh                 # 100,000 inputs per property
#   CASES=1000000 scripts/fuzz.sh   # a longer run
#
# The properties: crates/core/src/fuzz.rs (config files, mcp-remote command lines and store
# files, URLs, names, scopes, headers, templates, JSONPath, WWW-Authenticate challenges, key
# scopes, settings values), crates/core/src/oauth/fuzz.rs (token, device and error answers,
# metadata documents, JWT claims, verification URIs) and crates/core/src/gateway/fuzz.rs (the
# gateway's authorization server endpoints as requests, Client ID Metadata Documents). A failing input is shrunk and saved by proptest under
# crates/core/proptest-regressions/ (commit it: `make test` replays every saved input first),
# and the run ends non-zero. A run that exceeds its time bound is reported as a hang.
# Prints one summary line: properties, inputs tried, failures, hangs, seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES="${CASES:-100000}"
# Generous: about 30 µs per input is typical here; a hang is far beyond it.
LIMIT="${LIMIT:-$(( CASES / 200 + 600 ))}"

start=$(date +%s)
log=$(mktemp)
status=0
# The gateway's and the settings' properties open a profile: its keychain is the real Secret
# Service of a private D-Bus session, as in `make test`.
PROPTEST_CASES="$CASES" timeout "$LIMIT" scripts/with-keyring.sh \
  cargo test -q -p patchbay-core --lib fuzz:: -- --test-threads=2 >"$log" 2>&1 || status=$?
secs=$(( $(date +%s) - start ))

passed=$(sed -n 's/.*test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/.*test result: .* \([0-9]*\) passed; \([0-9]*\) failed.*/\2/p' "$log" | tail -1)
hangs=0
if [ "$status" = 124 ]; then
  hangs=1
  echo "fuzz: no result within ${LIMIT} s: a property hangs (or the budget is too big for the limit)" >&2
fi
if [ "${failed:-0}" != 0 ] || { [ "$status" != 0 ] && [ "$status" != 124 ]; }; then
  grep -E "minimal failing input|panicked|Test failed" -A3 "$log" >&2 || cat "$log" >&2
fi
props=$(( ${passed:-0} + ${failed:-0} ))
echo "fuzz: ${props} properties, $(( props * CASES )) inputs tried (${CASES} each), ${failed:-0} failures, ${hangs} hangs, ${secs} s"
rm -f "$log"
[ "$status" = 0 ]
