#!/usr/bin/env bash
# Run a command inside a private D-Bus session bus with its own unlocked gnome-keyring
# (a real Secret Service), so tests never touch the developer's keyring or bus.
#   scripts/with-keyring.sh CMD [ARGS...]
# The bus activates nothing by itself (no portals, no accessibility bus): only what we start.
#
# The daemon runs in the foreground under this script, its output kept in a log
# ($PATCHBAY_TEST_LOGS/gnome-keyring-*.log when the test script set that folder). The
# script watches it: if the Secret Service dies while CMD runs, it says so in one line
# (how it ended, where its log is), stops CMD and exits 75, instead of letting every
# later keychain use fail on its own.
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
if [ -n "${PATCHBAY_TEST_LOGS:-}" ] && mkdir -p "$PATCHBAY_TEST_LOGS" 2>/dev/null; then
  daemon_log=$(mktemp "$PATCHBAY_TEST_LOGS/gnome-keyring.XXXXXX")
  keep_log=1
else
  daemon_log=$(mktemp "${TMPDIR:-/tmp}/patchbay-gnome-keyring.XXXXXX")
  keep_log=0
fi
daemon_pid=""
cmd_pid=""

# Every process below PID (children first listed last), taken before any is stopped so
# that orphans re-parented to init are still found.
tree_of() {
  local p
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    tree_of "$p"
  done
  echo "$1"
}
stop_tree() { # stop_tree PID: SIGTERM to it and all it started, SIGKILL after 3 s
  local pids p
  pids=$(tree_of "$1")
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 30); do
    for p in $pids; do kill -0 "$p" 2>/dev/null && break; p=""; done
    [ -z "$p" ] && return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}
cleanup() {
  set +e
  if [ -n "$cmd_pid" ] && kill -0 "$cmd_pid" 2>/dev/null; then stop_tree "$cmd_pid"; fi
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null; fi
  rm -rf "$keyring_home"
  if [ "$keep_log" = 0 ]; then rm -f "$daemon_log"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# gnome-keyring keeps its keyrings under $XDG_DATA_HOME/keyrings: a throwaway one.
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# GTK apps started here must not look for an accessibility bus or portals.
export NO_AT_BRIDGE=1 GTK_A11Y=none GTK_USE_PORTAL=0
# The password on stdin unlocks (creates) the login keyring.
gnome-keyring-daemon --foreground --unlock --components=secrets \
  < <(printf '%s' patchbay-test) > "$daemon_log" 2>&1 &
daemon_pid=$!
export GNOME_KEYRING_CONTROL="$XDG_RUNTIME_DIR/keyring"
started=$(date +%s)

owner_pid() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null \
    | awk '/uint32/ {print $2}'
}
# Wait (at most 10 s) until the daemon owns the Secret Service name on the private bus.
registered=0
for _ in $(seq 1 200); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "with-keyring: gnome-keyring-daemon exited before it registered the Secret Service; its log ($daemon_log):" >&2
    sed 's/^/  | /' "$daemon_log" >&2
    keep_log=1
    exit 1
  fi
  if [ "$(owner_pid)" = "$daemon_pid" ]; then registered=1; break; fi
  sleep 0.05
done
if [ $registered = 0 ]; then
  echo "with-keyring: waited 10 s for gnome-keyring-daemon (pid $daemon_pid) to own org.freedesktop.secrets on the private bus; it did not. Its log ($daemon_log):" >&2
  sed 's/^/  | /' "$daemon_log" >&2
  keep_log=1
  exit 1
fi

# Run the command in a process group of its own (job control on), stdin passed on.
set -m
exec 3<&0
"$@" <&3 3<&- &
cmd_pid=$!
exec 3<&-
set +m

ended=""
rc=0
wait -n -p ended "$cmd_pid" "$daemon_pid" || rc=$?
if [ "$ended" = "$daemon_pid" ]; then
  how="exit status $rc"
  [ "$rc" -gt 128 ] && how="signal $(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
  keep_log=1
  echo "with-keyring: the Secret Service died $(( $(date +%s) - started )) s into the run: gnome-keyring-daemon (pid $daemon_pid) ended by $how; the command was stopped, since every keychain use from then on fails. Its log: $daemon_log" >&2
  sed 's/^/  | /' "$daemon_log" | tail -n 20 >&2
  stop_tree "$cmd_pid"
  wait "$cmd_pid" 2>/dev/null || true
  cmd_pid=""
  exit 75
fi
cmd_pid=""
exit "$rc"
