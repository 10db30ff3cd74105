#!/usr/bin/env bash
# Install what is missing, build the UI and both binaries, and open the Patchbay window.
# The `patchbay` CLI is built next to it (target/debug/patchbay) and shares its data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)" >&2
  echo "hint: run it inside a desktop session, or headless with: xvfb-run -a make run" >&2
  exit 1
fi
(cd ui && npm run --silent build)
cargo build --workspace --bins
echo "Patchbay: the CLI is at $(pwd)/target/debug/patchbay" >&2
exec target/debug/patchbay-desktop "$@"
