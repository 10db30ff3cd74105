#!/usr/bin/env bash
# Refresh the README's screenshots from the real window (under Xvfb, through WebDriver).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
(cd ui && npm run --silent build)
cargo build --workspace --bins --quiet
mkdir -p docs/screenshots
PATCHBAY_SCREENSHOT_DIR="$(pwd)/docs/screenshots" scripts/with-keyring.sh \
  cargo test --quiet -p patchbay-desktop --test it
ls -l docs/screenshots
