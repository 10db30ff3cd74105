#!/usr/bin/env bash
# Check a Patchbay .deb the way a user gets it: unpack it (dpkg-deb -x, and -e for the control
# files) into a scratch root, then run what it installs from there.
#   scripts/check-deb.sh PATH/TO/patchbay.deb
# Both binaries are there and start (the CLI's --version, --help and `status` on a scratch
# PATCHBAY_HOME; the desktop app opens its window under a private Xvfb, D-Bus session and
# keyring, and a second launch with a URL, as the desktop entry's %u passes it, hands over to
# it), the desktop entry registers both URL schemes, the icon is there in every size.
# Prints TAP: one "ok N - ..." / "not ok N - ..." per check, then "# pass N" and "# fail N".
# Exit 0 when every check passed. Never touches the real PATCHBAY_HOME, bus or keyring.

# Checks run as `bash -c '...' _ ARGS`: the inner shell expands them, on purpose.
# shellcheck disable=SC2016
set -euo pipefail
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 PATH/TO/patchbay.deb" >&2
  exit 2
fi
deb=$(realpath "$1")
cd "$(dirname "$0")/.."
repo=$(pwd)

scratch=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-deb-check.XXXXXX")
root="$scratch/root"
app_pgid=""
xvfb_pid=""
cleanup() {
  # Only the process groups this script started (setsid gives each its own).
  [ -n "$app_pgid" ] && kill -TERM -- "-$app_pgid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill -TERM "$xvfb_pid" 2>/dev/null
  sleep 0.2
  [ -n "$app_pgid" ] && kill -KILL -- "-$app_pgid" 2>/dev/null
  rm -rf "$scratch"
  return 0
}
trap cleanup EXIT

n=0
pass=0
fail=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION CMD...: one case, at most 120 s; the command's output is shown only when
# it fails.
check() {
  local what=$1 out rc=0
  shift
  out=$(timeout --kill-after=5 120 "$@" 2>&1) || rc=$?
  if [ $rc -eq 0 ]; then
    ok "$what"
  else
    not_ok "$what"
    [ $rc -eq 124 ] && out="did not finish within 120 s (stopped): $*
$out"
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  # /' | head -40
  fi
  return 0
}
skip() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $* # SKIP"; }

echo "# $deb ($(du -h "$deb" | cut -f1))"

# --- the package ------------------------------------------------------------------------
mkdir -p "$root"
check "dpkg-deb -x unpacks the package into a scratch root" dpkg-deb -x "$deb" "$root"
check "dpkg-deb -e unpacks its control files" dpkg-deb -e "$deb" "$root/DEBIAN"
control="$root/DEBIAN/control"
field() { sed -n "s/^$1: //p" "$control" 2>/dev/null | head -1 || true; }
check "control: Package is patchbay" test "$(field Package)" = patchbay
version=$(field Version)
check "control: Version ($version) is the workspace's" grep -qx "version = \"$version\"" Cargo.toml
depends=$(field Depends)
check "control: Depends on libwebkit2gtk-4.1-0, libgtk-3-0 and libayatana-appindicator3-1 (the tray) ($depends)" \
  bash -c '[[ "$1" == *libwebkit2gtk-4.1-0* && "$1" == *libgtk-3-0* && "$1" == *libayatana-appindicator3-1* ]]' _ "$depends"
check "control: has a Description" test -n "$(field Description)"

# --- the binaries -----------------------------------------------------------------------
cli="$root/usr/bin/patchbay"
desktop="$root/usr/bin/patchbay-desktop"
check "usr/bin/patchbay-desktop is there and executable" test -f "$desktop" -a -x "$desktop"
check "usr/bin/patchbay is there and executable" test -f "$cli" -a -x "$cli"
check "patchbay --version prints 'patchbay $version'" bash -c 'out=$("$1" --version) && [ "$out" = "patchbay $2" ]' _ "$cli" "$version"
check "patchbay --help starts and exits 0" bash -c '"$1" --help | grep -q "^Usage: patchbay"' _ "$cli"
check "patchbay status --json keeps its data in a scratch PATCHBAY_HOME and reaches the keychain" \
  env PATCHBAY_HOME="$scratch/home-cli" scripts/with-keyring.sh bash -c '
    out=$("$1" --json status) || exit 1
    printf "%s\n" "$out"
    node -e "const s=JSON.parse(process.argv[1]); process.exit(s.home===process.argv[2] && s.vault.state===\"ok\" ? 0 : 1)" \
      "$out" "$2"' _ "$cli" "$scratch/home-cli"

# --- the desktop entry ------------------------------------------------------------------
entries=("$root"/usr/share/applications/*.desktop)
entry=${entries[0]}
check "one desktop entry in usr/share/applications (${entry##*/})" test ${#entries[@]} -eq 1 -a -f "$entry"
key() { sed -n "s/^$1=//p" "$entry" 2>/dev/null | head -1 || true; }
exec_line=$(key Exec)
check "desktop entry: Exec=$exec_line runs the packaged binary with the URL (%u)" \
  bash -c '[[ "$1" =~ ^(/usr/bin/)?patchbay-desktop\ %[uU]$ ]]' _ "$exec_line"
mime=$(key MimeType)
check "desktop entry: MimeType has x-scheme-handler/patchbay and x-scheme-handler/dev.patchbay.app" \
  bash -c '[[ ";$1;" == *";x-scheme-handler/patchbay;"* && ";$1;" == *";x-scheme-handler/dev.patchbay.app;"* ]]' _ "$mime"
check "desktop entry: Name=Patchbay" test "$(key Name)" = Patchbay
check "desktop entry: Categories ($(key Categories))" test -n "$(key Categories)"
if command -v desktop-file-validate >/dev/null; then
  check "desktop entry: desktop-file-validate" desktop-file-validate "$entry"
else
  skip "desktop entry: desktop-file-validate (desktop-file-utils is not installed)"
fi
if command -v update-desktop-database >/dev/null; then
  # What the package's trigger does on install: the MIME cache then maps both schemes to it.
  check "update-desktop-database maps both URL schemes to ${entry##*/}" bash -c '
    update-desktop-database "$1/usr/share/applications" &&
    grep -qx "x-scheme-handler/patchbay=$2;\{0,1\}" "$1/usr/share/applications/mimeinfo.cache" &&
    grep -qx "x-scheme-handler/dev.patchbay.app=$2;\{0,1\}" "$1/usr/share/applications/mimeinfo.cache"' \
    _ "$root" "${entry##*/}"
else
  skip "update-desktop-database maps both URL schemes (desktop-file-utils is not installed)"
fi

# --- the icon ---------------------------------------------------------------------------
icon=$(key Icon)
for size in 32x32 64x64 128x128 256x256 512x512; do
  png="$root/usr/share/icons/hicolor/$size/apps/$icon.png"
  check "icon: usr/share/icons/hicolor/$size/apps/$icon.png is a ${size/x/ x } PNG" \
    bash -c 'file "$1" | grep -q "PNG image data, ${2/x/ x },"' _ "$png" "$size"
done
check "icon: usr/share/icons/hicolor/scalable/apps/$icon.svg" \
  grep -q "<svg" "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg"

# --- the desktop app starts -------------------------------------------------------------
# A private X server (Xvfb picks a free display and writes it on the given fd), a private
# D-Bus session with its own keyring (scripts/with-keyring.sh), a scratch PATCHBAY_HOME.
if [ -n "${DISPLAY:-}" ] && [ -n "${PATCHBAY_DEB_USE_DISPLAY:-}" ]; then
  display=$DISPLAY
else
  : >"$scratch/display"
  # -noreset: by default Xvfb resets when its last client leaves (the xwininfo check below),
  # and a client connecting during the reset is refused (seen under load: the app's GTK
  # init failed on a display that had just answered).
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$scratch/display" 2>/dev/null &
  xvfb_pid=$!
  for _ in $(seq 1 100); do [ -s "$scratch/display" ] && break; sleep 0.1; done
  display=":$(tr -d '\n' <"$scratch/display")"
fi
check "Xvfb is up on $display" xwininfo -root -display "$display"

mkdir -p "$scratch/home-app"
cat >"$scratch/session.sh" <<'SESSION'
#!/usr/bin/env bash
# Inside the private bus: start the packaged app, and hand it a URL from a second launch.
stop_app() { # SIGTERM, then SIGKILL after 10 s: never an unbounded wait
  kill -TERM "$app" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app" 2>/dev/null; then
    echo "the app did not exit within 10 s of SIGTERM: killed" >>"$LOGS/app.log"
    kill -KILL "$app" 2>/dev/null
  fi
  wait "$app" 2>/dev/null
}
"$APP" >"$LOGS/app.log" 2>&1 &
app=$!
echo "$app" >"$LOGS/app.pid"
for _ in $(seq 1 600); do
  if xwininfo -root -tree -display "$DISPLAY" 2>/dev/null | grep -q '"Patchbay"'; then
    echo window >"$LOGS/window"
    break
  fi
  kill -0 "$app" 2>/dev/null || break
  sleep 0.1
done
if [ ! -f "$LOGS/window" ]; then
  echo "no window" >"$LOGS/second.rc"
  stop_app
  exit 0
fi
sleep 3
kill -0 "$app" 2>/dev/null && echo alive >"$LOGS/alive"
# The second instance sees the running one on this bus, passes the URL on and exits.
rc=0
timeout 20 "$APP" 'patchbay://open' >"$LOGS/second.log" 2>&1 || rc=$?
echo "$rc" >"$LOGS/second.rc"
sleep 1
kill -0 "$app" 2>/dev/null && echo alive >"$LOGS/alive-after"
xprop -display "$DISPLAY" -id "$(xwininfo -root -tree -display "$DISPLAY" | awk '/"Patchbay"/ {print $1; exit}')" WM_CLASS \
  >"$LOGS/wm_class" 2>&1 || true
stop_app
echo done >"$LOGS/done"
SESSION
chmod +x "$scratch/session.sh"
mkdir -p "$scratch/logs"
# Unpacked (not installed), the app would register its URL schemes for this user pointing
# into the scratch root: it must not touch the machine's own desktop configuration.
DISPLAY="$display" PATCHBAY_HOME="$scratch/home-app" APP="$desktop" LOGS="$scratch/logs" \
  PATCHBAY_NO_SCHEME_REGISTRATION=1 \
  setsid "$repo/scripts/with-keyring.sh" "$scratch/session.sh" >"$scratch/logs/session.log" 2>&1 &
app_pgid=$!
# The session ends by itself (it stops the app it started); at most about a minute.
for _ in $(seq 1 900); do
  kill -0 "$app_pgid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$app_pgid" 2>/dev/null; then
  echo "# the app's session did not end within 90 s: stopped" >&2
  kill -TERM -- "-$app_pgid" 2>/dev/null
  sleep 2
  kill -KILL -- "-$app_pgid" 2>/dev/null
fi
wait "$app_pgid" 2>/dev/null || true
show() { # show FILE: its last lines as TAP comments, when there is one
  if [ -s "$1" ]; then tail -20 "$1" | sed 's/^/  # /'; fi
}
app_log() { # why it failed (a panic's first line) and the last lines
  grep -m3 -E "panicked|cannot open display|Gtk-WARNING|error" "$scratch/logs/app.log" 2>/dev/null | sed 's/^/  # /'
  show "$scratch/logs/app.log"
}
if [ -f "$scratch/logs/window" ]; then
  ok "patchbay-desktop opens its window (\"Patchbay\") under Xvfb with a scratch PATCHBAY_HOME"
else
  not_ok "patchbay-desktop opens its window (\"Patchbay\") under Xvfb with a scratch PATCHBAY_HOME"
  app_log
fi
if [ -f "$scratch/logs/alive" ]; then
  ok "patchbay-desktop is still running 3 s later"
else
  not_ok "patchbay-desktop is still running 3 s later"
fi
second_rc=$(cat "$scratch/logs/second.rc" 2>/dev/null || echo "not run")
if [ "$second_rc" = 0 ] && [ -f "$scratch/logs/alive-after" ]; then
  ok "a second launch with a patchbay:// URL hands it to the running app and exits 0"
else
  not_ok "a second launch with a patchbay:// URL hands it to the running app and exits 0 (exit: $second_rc)"
  show "$scratch/logs/second.log"
fi
wm_class=$(sed -n 's/^WM_CLASS(STRING) = //p' "$scratch/logs/wm_class" 2>/dev/null || true)
startup_class=$(key StartupWMClass)
if [ -z "$startup_class" ]; then
  skip "desktop entry: no StartupWMClass to compare with the window's WM_CLASS"
else
  check "the window's WM_CLASS ($wm_class) matches the desktop entry's StartupWMClass ($startup_class)" \
    bash -c '[[ "$1" == *"\"$2\""* ]]' _ "$wm_class" "$startup_class"
fi

echo "1..$n"
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" -eq 0 ]
