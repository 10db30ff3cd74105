#!/usr/bin/env bash
# Run a command inside a private D-Bus session bus with its own unlocked gnome-keyring
# (a real Secret Service), so tests never touch the developer's keyring or bus.
#   scripts/with-keyring.sh CMD [ARGS...]
# The bus activates nothing by itself (no portals, no accessibility bus): only what we start.
set -euo pipefail
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  export PATCHBAY_PRIVATE_BUS=1
  conf_dir=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-bus.XXXXXX")
  mkdir -p "$conf_dir/services"
  cat > "$conf_dir/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$conf_dir</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$conf_dir/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
  rc=0
  dbus-run-session --config-file="$conf_dir/session.conf" -- "$0" "$@" || rc=$?
  rm -rf "$conf_dir"
  exit $rc
fi
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-keyring.XXXXXX")
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
  rm -rf "$keyring_home"
}
trap cleanup EXIT
# gnome-keyring keeps its keyrings under $XDG_DATA_HOME/keyrings: a throwaway one.
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# GTK apps started here must not look for an accessibility bus or portals.
export NO_AT_BRIDGE=1 GTK_A11Y=none GTK_USE_PORTAL=0
eval "$(printf 'patchbay-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The daemon registers on the bus after it forks: wait until it owns the Secret Service name.
for _ in $(seq 1 200); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
      | grep -q uint32; then
    daemon_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
    break
  fi
  sleep 0.05
done
if [ -z "$daemon_pid" ]; then
  echo "with-keyring: gnome-keyring-daemon did not register the Secret Service on the private bus" >&2
  exit 1
fi
"$@"
