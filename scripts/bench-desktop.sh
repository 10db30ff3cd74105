#!/usr/bin/env bash
# The desktop app's figures (issue 7), in one run on this machine, printed as markdown
# tables for docs/benchmarks.md:
#  - start-up (spawn to the first rendered list) and idle memory of the whole process tree
#    (RSS and PSS), next to a minimal Tauri 2 app built the same way (tests/bench/minimal-tauri),
#    launched alternately, RUNS times each (default 10); BASELINE=PATH adds another build of
#    the app (say main's, for a before/after table) to the same runs;
#  - release binary sizes;
#  - the Logs screen's frame time while scrolling LOG_ROWS rows (default 100,000), through
#    tauri-driver.
# Under Xvfb (no GPU), a private D-Bus + keyring (scripts/with-keyring.sh) and a scratch
# PATCHBAY_HOME; the desktop app is single-instance per D-Bus session, so one app at a time.
#   RUNS=10 IDLE_SECS=5 LOG_ROWS=100000 scripts/bench-desktop.sh   (LOG_ROWS=0: no scrolling)
#   BASELINE=/path/to/patchbay-desktop BASELINE_LABEL="Patchbay before" scripts/bench-desktop.sh
#   PROFILE=debug scripts/bench-desktop.sh   (debug builds of all three: quicker to build, slower
#   to start; the ratios are not the release ones)
#   RAW=/path/startup.json scripts/bench-desktop.sh   (also keep every run's figures and page
#   marks, as JSON, for a closer look than the report's medians)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
profile=${PROFILE:-release}
case "$profile" in
  release) profile_flag=--release ;;
  debug) profile_flag= ;;
  *) echo "bench-desktop: PROFILE is release or debug, not $profile" >&2; exit 2 ;;
esac
minimal=tests/bench/minimal-tauri
if [ -z "${PATCHBAY_PRIVATE_BUS:-}" ]; then
  scripts/setup.sh --test
  echo "== building: the UI, the desktop app and the CLI ($profile), the minimal Tauri app ($profile)" >&2
  npm --prefix ui run --silent build >/dev/null
  cargo build ${profile_flag:+"$profile_flag"} -p patchbay-desktop -p patchbay-cli --quiet
  # The minimal app is its own workspace but shares this target folder: with the same
  # Cargo.lock versions and release profile, its tauri / wry / WebKit crates are the ones
  # already built, so it costs a link instead of a second full build.
  CARGO_TARGET_DIR="$target" cargo build ${profile_flag:+"$profile_flag"} --quiet --manifest-path "$minimal/Cargo.toml"
  exec scripts/with-keyring.sh "$0" "$@"
fi

runs=${RUNS:-10}
idle_secs=${IDLE_SECS:-5}
rows=${LOG_ROWS:-100000}
app="$target/$profile/patchbay-desktop"
cli="$target/$profile/patchbay"
mini="$target/$profile/minimal-tauri"
baseline=${BASELINE:-}
tauri_driver="${TAURI_DRIVER:-${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver}"
for f in "$app" "$cli" "$mini" "$tauri_driver" ${baseline:+"$baseline"}; do
  [ -x "$f" ] || { echo "bench-desktop: $f is missing" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-bench-desktop.XXXXXX")
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  if [ -n "${RAW:-}" ] && [ -s "$work/startup.json" ]; then cp "$work/startup.json" "$RAW"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A private X server, even on a desktop, so every run draws the same way (Xvfb prints the
# display it took on the descriptor given).
Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp -noreset >"$work/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 1 200); do
  grep -q . "$work/display" 2>/dev/null && break
  sleep 0.05
done
DISPLAY=":$(head -n1 "$work/display")"
[ "$DISPLAY" != ":" ] || { echo "bench-desktop: Xvfb did not start" >&2; exit 1; }
export DISPLAY
export PATCHBAY_HOME="$work/home" PATCHBAY_NO_SCHEME_REGISTRATION=1

# The first screen lists a few actions (loopback URLs: nothing is contacted).
actions=(github linear notion sentry slack)
port=47001
for name in "${actions[@]}"; do
  "$cli" action add "$name" --url "http://127.0.0.1:$port/$name/mcp" --auth none >/dev/null
  port=$((port + 1))
done

tauri_version() { awk '/^name = "tauri"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$1"; }
tauri=$(tauri_version Cargo.lock)
tauri_minimal=$(tauri_version "$minimal/Cargo.lock")
if [ "$tauri" != "$tauri_minimal" ]; then
  echo "bench-desktop: warning: Patchbay uses tauri $tauri but $minimal/Cargo.lock has $tauri_minimal (copy Cargo.lock over it)" >&2
fi
load_start=$(cut -d' ' -f1 /proc/loadavg)
cores=$(nproc)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
webkit=$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null | sed 's/-.*//' || true)
machine="$cores cores (${cpu:-unknown CPU}), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), WebKitGTK ${webkit:-?}"

config=$(node -e '
  const [work, app, mini, runs, idle, actions, tauri, machine, baseline, baselineLabel, profile] = process.argv.slice(1);
  console.log(JSON.stringify({
    workDir: work, logFile: work + "/apps.log", runs: +runs, idleMs: idle * 1000, pauseMs: 1000,
    actions: +actions, tauri, machine, profile,
    apps: [
      { name: "patchbay", label: "Patchbay", bin: app },
      { name: "minimal", label: "minimal Tauri 2 app", bin: mini },
      ...(baseline ? [{ name: "baseline", label: baselineLabel, bin: baseline }] : []),
    ],
  }));' "$work" "$app" "$mini" "$runs" "$idle_secs" "${#actions[@]}" "$tauri" "$machine" "$baseline" "${BASELINE_LABEL:-Patchbay (baseline)}" "$profile")

echo "== start-up and idle memory: $runs runs each, alternating (Patchbay, minimal${baseline:+, baseline}, ...)" >&2
node tests/bench/desktop.mjs startup "$config" >"$work/startup.json" \
  || { echo "bench-desktop: start-up runs failed; the apps' output:" >&2; tail -n 40 "$work/apps.log" >&2; exit 1; }

scrolls=1
if [ "$rows" -eq 0 ]; then
  echo "== LOG_ROWS=0: no scrolling runs" >&2
  scrolls=0
else
# The logs: LOG_ROWS rows over the last days, through the real table (its search index is
# kept by the triggers), in one transaction.
echo "== seeding $rows log rows" >&2
python3 - "$PATCHBAY_HOME/patchbay.db" "$rows" "${actions[@]}" <<'PY'
import sqlite3, sys
db, rows, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
con = sqlite3.connect(db)
con.execute("PRAGMA busy_timeout = 10000")
ids = dict(con.execute("SELECT name, id FROM actions").fetchall())
con.execute("CREATE TEMP TABLE names (k INTEGER PRIMARY KEY, name TEXT, id TEXT)")
con.executemany("INSERT INTO names VALUES (?, ?, ?)", [(k, n, ids.get(n)) for k, n in enumerate(names)])
with con:
    con.execute(
        """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
        INSERT INTO logs (at, action_id, subject, kind, outcome, status, latency_ms, summary,
                          request, response, error_code)
        SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%.1f seconds', (?1 - i) * 2.5)),
               names.id, names.name,
               CASE WHEN i % 10 = 0 THEN 'test' WHEN i % 50 = 1 THEN 'refresh' ELSE 'call' END,
               CASE WHEN i % 17 = 0 THEN 'error' ELSE 'ok' END,
               CASE WHEN i % 17 = 0 THEN 502 ELSE 200 END,
               20 + (i * 7919) % 900,
               printf('tools/call %s #%d', CASE i % 4 WHEN 0 THEN 'search_issues' WHEN 1 THEN 'get_page'
                      WHEN 2 THEN 'list_events' ELSE 'send_message' END, i),
               printf('{"method":"tools/call","params":{"name":"tool_%d","arguments":{"q":"row %d"}}}', i % 4, i),
               printf('{"result":{"content":[{"type":"text","text":"result of row %d"}]}}', i),
               CASE WHEN i % 17 = 0 THEN 'server_error' END
        FROM n JOIN names ON names.k = i % (SELECT count(*) FROM names)
        """,
        (rows,),
    )
print(con.execute("SELECT count(*) FROM logs").fetchone()[0], "log rows", file=sys.stderr)
PY

echo "== the logs view: scrolling $rows rows (WebDriver)" >&2
# shellcheck disable=SC2016 # JavaScript, not shell
scroll_config=$(node -e '
  const [work, app, driver, rows] = process.argv.slice(1);
  const max = rows * 32, frames = 600;
  console.log(JSON.stringify({
    workDir: work, logFile: work + "/driver.log", tauriDriver: driver, bin: app, rows: +rows, rowHeight: 32,
    passes: [
      { kind: "idle", frames: 120, label: "idle (no scrolling)" },
      { kind: "steady", frames, step: 100, label: "100 px per frame (a wheel or trackpad)" },
      { kind: "steady", frames, step: Math.ceil(max / frames), label: `the whole range in ${frames} frames (${Math.ceil(max / frames).toLocaleString("en-US")} px per frame)` },
      { kind: "jumps", frames: 300, label: "300 jumps to random positions" },
    ],
  }));' "$work" "$app" "$tauri_driver" "$rows")
scroll() { # scroll OUT [ENV=VALUE...]: one app, every pass
  local out=$1
  shift
  env "$@" node tests/bench/desktop.mjs scroll "$scroll_config" >"$out" \
    || { echo "bench-desktop: the scroll run failed; the driver's output:" >&2; tail -n 40 "$work/driver.log" >&2; exit 1; }
}
# As it comes: WebKit composites with OpenGL, which on Xvfb is Mesa's software rasterizer.
scroll "$work/scroll.json"
# And without accelerated compositing (WebKit paints on the CPU, no GL): on a machine
# without a GPU this is the cheaper path, and it shows what the software GL costs above.
echo "== the same with WEBKIT_DISABLE_COMPOSITING_MODE=1" >&2
scroll "$work/scroll-nocompositing.json" WEBKIT_DISABLE_COMPOSITING_MODE=1
fi

size() { stat -c %s "$1"; }
dist=$(find ui/dist -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
# shellcheck disable=SC2016 # JavaScript, not shell
report_config=$(node -e '
  const [work, app, cli, mini, dist, rows, cores, load, base, scrolls] = process.argv.slice(1);
  const b = JSON.parse(base);
  console.log(JSON.stringify({
    ...b, startup: work + "/startup.json", rows: +rows, cores: +cores, loadStart: load,
    scrolls: scrolls === "0" ? [] : [
      { file: work + "/scroll.json", short: "as it comes", title: "As it comes: WebKit composites through OpenGL, here the software rasterizer of Mesa (llvmpipe)" },
      { file: work + "/scroll-nocompositing.json", short: "without compositing", title: "WEBKIT_DISABLE_COMPOSITING_MODE=1: WebKit paints on the CPU, no OpenGL" },
    ],
    over60: 17, over30: 34,
    sizes: [
      ["`patchbay-desktop` (the app, its UI embedded: ui/dist is " + (dist / 1048576).toFixed(1) + " MiB)", +app],
      ["`patchbay` (the CLI)", +cli],
      ["minimal Tauri 2 app (5-item page)", +mini],
    ],
  }));' "$work" "$(size "$app")" "$(size "$cli")" "$(size "$mini")" "$dist" "$rows" "$cores" "$load_start" "$config" "$scrolls")
echo >&2
node tests/bench/desktop.mjs report "$report_config"
