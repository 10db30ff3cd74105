#!/usr/bin/env bash
# Crash safety (issue 21): kill -9 Patchbay's processes at random moments, KILLS times per
# group (default 200; SEED repeats a run), and check after each kill and at the end that the
# database opens, the next command works or says exactly what to do, the user's config
# files hold the old or the new bytes, the keychain holds exactly what the rows own after
# the start-up sweep, no file holds a secret, and no issued gateway token is lost or
# double-valid. Groups (KILL_GROUPS, comma-separated, default all; GROUPS is taken by bash):
#   writes   the CLI's writes (action add/remove with secrets, settings, export --write, token add)
#   connect  `patchbay connect` against the real OAuth test server and the consent browser
#   refresh  `patchbay access-token` refreshing with rotating refresh tokens
#   import   `patchbay import [--rewrite]` from a client's config file
#   gateway  `patchbay gateway serve` during key add, /token sign-ins and rotations, tools/call
#   proxy    `patchbay proxy` (stdio) mid tools/call
#   desktop  the desktop app under Xvfb at start-up, with a CLI settings write on its profile
# Not part of `make test`. Prints one JSON line per run (per group: kills, how many landed
# mid-way, outcomes counted, failures); exit 1 when any check failed.
#   KILLS=200 SEED=42 KILL_GROUPS=connect,gateway scripts/kill-loop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${KILLS:-200}"
KILL_GROUPS="${KILL_GROUPS:-all}"
bins=(-p patchbay-cli -p patchbay-harness --bin patchbay --bin patchbay-kill-loop)
case ",$KILL_GROUPS," in
  *,all,* | *,desktop,*)
    [ -d ui/dist ] || npm --prefix ui run --silent build
    bins+=(-p patchbay-desktop --bin patchbay-desktop)
    ;;
esac
cargo build -q "${bins[@]}"
target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
if [ "$KILL_GROUPS" = all ]; then n=7; else n=$(tr ',' '\n' <<<"$KILL_GROUPS" | grep -c .); fi
# A bound, not an estimate: up to 3 s per kill and 5 minutes of set-up per group.
exec timeout "$(( n * (KILLS * 3 + 300) ))" scripts/with-keyring.sh \
  "$target/debug/patchbay-kill-loop" "$target/debug/patchbay" "$KILLS" "${SEED:-0}" "$KILL_GROUPS"
