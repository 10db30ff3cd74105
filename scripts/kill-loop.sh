#!/usr/bin/env bash
# Crash safety (issue 21): kill -9 the CLI at random moments while it writes, KILLS times
# (default 1000; SEED repeats a run), over a fresh profile and a client's config file, then
# check the profile: every next command works, the config file is whole, the keychain holds
# exactly what the rows own after the start-up sweep, and no file holds a secret. Not part of
# `make test`. Prints one JSON line: kills, how many landed mid-command, commands per kind,
# failures (exit 1 when there is any).
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${KILLS:-1000}"
cargo build -q -p patchbay-cli -p patchbay-harness --bin patchbay --bin patchbay-kill-loop
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
exec timeout "$(( KILLS / 5 + 120 ))" scripts/with-keyring.sh \
  "$target/debug/patchbay-kill-loop" "$target/debug/patchbay" "$KILLS" ${SEED:+"$SEED"}
