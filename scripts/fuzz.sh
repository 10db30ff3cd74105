#!/usr/bin/env bash
# Fuzz the parsers of untrusted input for a fixed budget (not part of `make test`, which
# runs the same properties for proptest's default 256 inputs each).
#
#   scripts/fuzz.sh                 # 100,000 inputs per property, then 60 s per libFuzzer target
#   CASES=1000000 scripts/fuzz.sh   # a longer run
#   ENGINE=proptest scripts/fuzz.sh # only the properties (ENGINE=libfuzzer: only libFuzzer)
#   TARGET_SECONDS=600 ENGINE=libfuzzer scripts/fuzz.sh
#
# Two engines:
# - proptest properties with shaped inputs (below);
# - coverage-guided fuzzing with cargo-fuzz (libFuzzer, AddressSanitizer, the nightly
#   toolchain: installed here if missing): the targets in fuzz/fuzz_targets/, each handing
#   raw bytes to one entry point of patchbay_core::fuzz_entry (TARGET_SECONDS each, default
#   60), starting from fuzz/seeds/ and the corpus kept in fuzz/corpus/ by earlier runs. A
#   crash or a hang (over 10 s for one input) is copied to crates/core/fuzz-regressions/TARGET/,
#   which `make test` replays through the same entry point (commit it with the fix).
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

ENGINE="${ENGINE:-both}"
CASES="${CASES:-100000}"
# Generous: about 30 µs per input is typical here; a hang is far beyond it.
LIMIT="${LIMIT:-$(( CASES / 200 + 600 ))}"

overall=0
if [ "$ENGINE" = both ] || [ "$ENGINE" = proptest ]; then
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
  [ "$status" = 0 ] || overall=1
fi

if [ "$ENGINE" = both ] || [ "$ENGINE" = libfuzzer ]; then
  TARGET_SECONDS="${TARGET_SECONDS:-60}"
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  start=$(date +%s)
  (cd fuzz && cargo +nightly fuzz build >/dev/null 2>&1) || { echo "fuzz: cargo +nightly fuzz build failed (run it in fuzz/ to see why)" >&2; exit 1; }
  targets=0 execs=0 crashes=0 hangs=0
  for t in $(cd fuzz && cargo +nightly fuzz list); do
    targets=$(( targets + 1 ))
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log=$(mktemp)
    rc=0
    # libFuzzer stops itself after TARGET_SECONDS; the outer bound only catches a fuzzer
    # that cannot stop (a hang in its own machinery).
    (cd fuzz && timeout $(( TARGET_SECONDS + 300 )) cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$TARGET_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1 || rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -1)
    execs=$(( execs + ${n:-0} ))
    if [ "$rc" != 0 ]; then
      mkdir -p "crates/core/fuzz-regressions/$t"
      found=0
      for a in fuzz/artifacts/"$t"/*; do
        [ -f "$a" ] || continue
        cp "$a" "crates/core/fuzz-regressions/$t/"
        found=1
        case "$(basename "$a")" in timeout-*) hangs=$(( hangs + 1 )) ;; *) crashes=$(( crashes + 1 )) ;; esac
      done
      [ "$found" = 1 ] || crashes=$(( crashes + 1 ))
      echo "libfuzzer: $t failed (exit $rc); inputs kept in crates/core/fuzz-regressions/$t/" >&2
      grep -E "^==[0-9]+==ERROR|panicked at|^SUMMARY|ALARM: working on the last Unit for" -A3 "$log" | head -30 >&2 || tail -30 "$log" >&2
      rm -rf "fuzz/artifacts/$t"
    fi
    rm -f "$log"
  done
  secs=$(( $(date +%s) - start ))
  echo "libfuzzer: ${targets} targets, ${execs} inputs tried (${TARGET_SECONDS} s each), ${crashes} crashes, ${hangs} hangs, ${secs} s"
  [ "$crashes" = 0 ] && [ "$hangs" = 0 ] || overall=1
fi
exit "$overall"
