#!/usr/bin/env bash
# Every test, the way CI runs it: installs what is missing, then formatting, lints, type
# checks, UI unit tests, Rust unit + integration tests (real SQLite, a real Secret Service
# on a private D-Bus session, the CLI as a binary) and the real window under Xvfb through
# WebDriver. Ends with one line: "N passed, N failed" (every test case of every runner, plus
# one case per static check).
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
unset PATCHBAY_HOME
logs=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-test.XXXXXX")
# What the programs the tests start print (test servers, Xvfb, tauri-driver with
# WebKitWebDriver and the app, gnome-keyring) goes here; the folder is kept when a test fails.
export PATCHBAY_TEST_LOGS="$logs/processes"
mkdir -p "$PATCHBAY_TEST_LOGS"
passed=0
failed=0
failures=()

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
check() { # check NAME CMD...: a static check counts as one case
  local name=$1; shift
  say "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

say "setup"
scripts/setup.sh --test || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

check "ui: typecheck" npm --prefix ui run --silent typecheck
check "ui: lint (eslint)" npm --prefix ui run --silent lint
say "ui: unit tests (vitest)"
(cd ui && npx vitest run --reporter=default --reporter=json --outputFile="$logs/vitest.json")
vitest_rc=$?
if [ -f "$logs/vitest.json" ]; then
  read -r vp vf < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests+(r.numRuntimeErrorTestSuites||0))' "$logs/vitest.json")
  passed=$((passed + vp)); failed=$((failed + vf))
  [ "$vf" -gt 0 ] && failures+=("vitest: $vf failed")
fi
if [ $vitest_rc -ne 0 ] && [ "${vf:-0}" -eq 0 ]; then failed=$((failed + 1)); failures+=("vitest exited $vitest_rc"); fi
check "ui: build" npm --prefix ui run --silent build
check "ui: the first screen loads one script and one style sheet, within budget" scripts/check-ui-bundle.sh

say "test servers: oidc-provider + MCP SDK on 127.0.0.1 (node --test)"
(cd tests/servers && timeout --kill-after=10 900 node --test --test-concurrency=1 --test-timeout=60000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$logs/servers.tap" test/)
servers_rc=$?
sp=$(grep -E '^# pass [0-9]+' "$logs/servers.tap" 2>/dev/null | awk '{print $3}' | tail -1)
sf=$(grep -E '^# fail [0-9]+' "$logs/servers.tap" 2>/dev/null | awk '{print $3}' | tail -1)
passed=$((passed + ${sp:-0})); failed=$((failed + ${sf:-0}))
[ "${sf:-0}" -gt 0 ] && failures+=("test servers: $sf failed")
if [ $servers_rc -ne 0 ] && [ "${sf:-0}" -eq 0 ]; then failed=$((failed + 1)); failures+=("test servers exited $servers_rc"); fi

check "rust: cargo fmt --check" cargo fmt --all -- --check
check "rust: cargo clippy -D warnings" cargo clippy --workspace --all-targets --quiet -- -D warnings

say "rust: build"
cargo build --workspace --bins --quiet || { failed=$((failed + 1)); failures+=("cargo build"); }
say "rust: tests (real Secret Service on a private D-Bus session; the window under Xvfb)"
# The real-window tests save a screenshot of every screen and state they visit here
# (`make screenshots` refreshes the README's copies in docs/screenshots).
mkdir -p "$logs/screenshots"
# A bound on the whole step as a last resort (every wait inside has its own): 50 minutes,
# about eight times a warm run on two cores.
PATCHBAY_SCREENSHOT_DIR="$logs/screenshots" \
  timeout --kill-after=30 3000 scripts/with-keyring.sh cargo test --workspace --no-fail-fast 2>&1 | tee "$logs/cargo-test.log"
cargo_rc=${PIPESTATUS[0]}
case $cargo_rc in
  75) failures+=("the Secret Service (gnome-keyring) died during cargo test: see the with-keyring line above"); failed=$((failed + 1)) ;;
  124) failures+=("cargo test did not finish within 50 min (stopped); the tests 'running for over 60 seconds' above are the stuck ones"); failed=$((failed + 1)) ;;
esac
read -r cp cf < <(grep -E '^test result: ' "$logs/cargo-test.log" |
  sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
passed=$((passed + cp)); failed=$((failed + cf))
[ "$cf" -gt 0 ] && failures+=("cargo test: $cf failed")
if [ "$cargo_rc" -ne 0 ] && [ "$cargo_rc" -ne 75 ] && [ "$cargo_rc" -ne 124 ] && [ "$cf" -eq 0 ]; then failed=$((failed + 1)); failures+=("cargo test exited $cargo_rc (build error?)"); fi

say "package: .deb (debug) unpacked into a scratch root"
# Bundles what the build above made (warm: a few seconds), then installs nothing: unpacks it
# and runs both binaries and the desktop entry's checks from there (scripts/check-deb.sh).
deb_rc=0
deb=$(scripts/package-deb.sh | tail -1) || deb_rc=$?
if [ $deb_rc -eq 0 ] && [ -f "$deb" ]; then
  scripts/check-deb.sh "$deb" 2>&1 | tee "$logs/deb.tap"
  deb_rc=${PIPESTATUS[0]}
fi
debp=$(grep -E '^# pass [0-9]+' "$logs/deb.tap" 2>/dev/null | awk '{print $3}' | tail -1)
debf=$(grep -E '^# fail [0-9]+' "$logs/deb.tap" 2>/dev/null | awk '{print $3}' | tail -1)
passed=$((passed + ${debp:-0})); failed=$((failed + ${debf:-0}))
[ "${debf:-0}" -gt 0 ] && failures+=(".deb: $debf failed")
if [ "$deb_rc" -ne 0 ] && [ "${debf:-0}" -eq 0 ]; then failed=$((failed + 1)); failures+=(".deb: packaging or its check exited $deb_rc"); fi

say "MCP conformance suite (official, Node 22 from npm): --suite auth, --requirements 2026-07-28, the gateway's dns-rebinding-protection, and its authorization server"
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
timeout --kill-after=30 1200 scripts/with-keyring.sh node tests/conformance/run.mjs "$target_dir/debug/patchbay-conformance" 2>&1 | tee "$logs/conformance.log"
conf_rc=${PIPESTATUS[0]}
confp=$(grep -E '^# pass [0-9]+' "$logs/conformance.log" | awk '{print $3}' | tail -1)
conff=$(grep -E '^# fail [0-9]+' "$logs/conformance.log" | awk '{print $3}' | tail -1)
passed=$((passed + ${confp:-0})); failed=$((failed + ${conff:-0}))
[ "${conff:-0}" -gt 0 ] && failures+=("conformance: $conff failed")
if [ "$conf_rc" -ne 0 ] && [ "${conff:-0}" -eq 0 ]; then failed=$((failed + 1)); failures+=("conformance exited $conf_rc"); fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed:"; printf '  - %s\n' "${failures[@]}"
fi
if [ "$failed" -gt 0 ]; then
  echo "logs of this run (what the tests started printed): $logs"
else
  rm -rf "$logs"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
