#!/usr/bin/env bash
# Run a command inside a private D-Bus session bus with its own unlocked gnome-keyring
# (a real Secret Service), so tests never touch the developer's keyring or bus.
#   scripts/with-keyring.sh CMD [ARGS...]
set -euo pipefail
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  export PATCHBAY_PRIVATE_BUS=1
  exec dbus-run-session -- "$0" "$@"
fi
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-keyring.XXXXXX")
trap 'rm -rf "$keyring_home"' EXIT
# gnome-keyring keeps its keyrings under $XDG_DATA_HOME/keyrings: a throwaway one.
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'patchbay-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The daemon registers on the bus after it forks: wait for it, or the first client would
# make D-Bus activate a second, locked daemon.
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.05
done
"$@"
