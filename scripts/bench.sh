#!/usr/bin/env bash
# CLI benchmarks (release build, real SQLite, real Secret Service on a private bus), side by
# side in one hyperfine run so the figures compare as ratios. The process-start floor is
# `patchbay --version` (no database, no keychain).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  command -v hyperfine >/dev/null || { sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_=sudo; $sudo_ apt-get install -y -qq hyperfine >/dev/null; }
  cargo build --release -p patchbay-cli --quiet
  exec scripts/with-keyring.sh "$0" "$@"
fi
bin="$(pwd)/target/release/patchbay"
work=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
small="$work/small" large="$work/large"
mkdir -p "$small" "$large"
echo "seeding 10 and 1,000 actions..." >&2
for i in $(seq 1 10); do PATCHBAY_HOME=$small "$bin" action add "a$i" --url "https://mcp$i.example.com/mcp" >/dev/null; done
printf 'tok-value\n' | PATCHBAY_HOME=$large "$bin" token add pat --header-name Authorization --prefix Bearer --value-stdin >/dev/null
seed_start=$(date +%s.%N)
for i in $(seq 1 1000); do
  PATCHBAY_HOME=$large "$bin" action add "a$i" --url "https://mcp$i.example.com/mcp" --auth token:pat --description "action number $i" >/dev/null
done
seed_end=$(date +%s.%N)
printf 'add (one CLI process per action, incl. keychain sweep): %.1f ms per action\n' \
  "$(echo "($seed_end - $seed_start) * 1000 / 1000" | bc -l)"
hyperfine --warmup 3 --min-runs 30 -N --export-markdown "$work/bench.md" \
  -n "floor: patchbay --version" "$bin --version" \
  -n "action list (10)" "env PATCHBAY_HOME=$small $bin action list" \
  -n "action list --json (1,000)" "env PATCHBAY_HOME=$large $bin --json action list" \
  -n "action list (1,000)" "env PATCHBAY_HOME=$large $bin action list" \
  -n "action show (1 of 1,000)" "env PATCHBAY_HOME=$large $bin action show a500" \
  -n "status (keychain write+delete probe)" "env PATCHBAY_HOME=$large $bin status"
echo
cat "$work/bench.md"
