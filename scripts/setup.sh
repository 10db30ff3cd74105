#!/usr/bin/env bash
# Install whatever is missing to build and run Patchbay on Debian 12 (and, with --test, to
# test it). Idempotent: a second run installs nothing and takes about a second.
#   scripts/setup.sh          build + run dependencies
#   scripts/setup.sh --test   also Xvfb, WebKitWebDriver, gnome-keyring, D-Bus, tauri-driver
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------
pkgs=(libwebkit2gtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
      libssl-dev libxdo-dev build-essential pkg-config file curl)
# Never dbus-x11: it auto-starts a bus and accessibility services that outlive the app.
# x11-utils (xwininfo) and desktop-file-utils: scripts/check-deb.sh looks for the packaged
# app's window and validates its desktop entry.
# python3-venv: the Python MCP SDK's client (the gateway's tests) lives in its own venv.
# python3-dbus, python3-gi: the tray tests' StatusNotifier host (tests/it/tray_host.py, run by
# /usr/bin/python3); python3-xlib: they close the window as a window manager would
# (WM_DELETE_WINDOW); dunst: a real notification daemon for the notification tests.
[ $with_tests = 1 ] && pkgs+=(xvfb webkit2gtk-driver gnome-keyring dbus dbus-daemon openssl
                             x11-utils desktop-file-utils python3-venv python3-dbus python3-gi
                             python3-xlib dunst)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Rust toolchain (installed by rustup; nothing is downloaded here) --------------------
for tool in cargo rustfmt cargo-clippy; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing; install Rust 1.95 with rustup (components rustfmt, clippy)" >&2; exit 1; }
done
command -v node >/dev/null && command -v npm >/dev/null || { echo "error: Node.js 20 and npm are required" >&2; exit 1; }

if [ $with_tests = 1 ]; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if [ ! -x "$cargo_bin/tauri-driver" ]; then
    say "installing tauri-driver (cargo install, ~1 min)"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
fi

# --- npm packages: the UI, and (for tests) the OAuth + MCP test servers -------------------
npm_ci() { # npm_ci DIR: `npm ci` when its lock file changed since the last install
  local stamp="$1/node_modules/.patchbay-lock"
  if ! cmp -s "$1/package-lock.json" "$stamp" 2>/dev/null; then
    say "installing npm packages in $1 (npm ci)"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$1/package-lock.json" "$stamp"
  fi
}
npm_ci ui
if [ $with_tests = 1 ]; then
  npm_ci tests/servers
  # The official MCP conformance suite, with its own Node 22 from npm (the system Node stays).
  npm_ci tests/conformance
  # The Python MCP SDK (PyPI `mcp`, pinned with its dependencies), in a venv of its own.
  venv=tests/servers/.venv req=tests/servers/requirements.txt
  if ! cmp -s "$req" "$venv/.patchbay-requirements" 2>/dev/null; then
    say "installing the Python MCP SDK in $venv (pip)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$venv/.patchbay-requirements"
  fi
fi
