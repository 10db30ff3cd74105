#!/usr/bin/env bash
# Build an installable .deb of Patchbay: the desktop app (/usr/bin/patchbay-desktop), the CLI
# (/usr/bin/patchbay), the desktop entry registering both URL schemes (patchbay: and
# dev.patchbay.app:) and the app icon in every hicolor size.
#   scripts/package-deb.sh             debug build (what the tests check; fast when warm)
#   scripts/package-deb.sh --release   optimised, stripped build (what you would ship)
# Progress goes to stderr; stdout is one line, the path of the .deb.
#
# It builds with the same cargo command as `make run` / `make test` (`cargo build --workspace
# --bins`) so a warm target folder is reused as it is, then lets the Tauri CLI only bundle
# (`tauri bundle`, never `tauri build`, which would rebuild the app with its own config and
# features). Deb-only settings live in packaging/deb.conf.json, merged over tauri.conf.json;
# the CLI's path depends on the target folder (CARGO_TARGET_DIR), so it is merged in from a
# temporary config.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_args=(--workspace --bins)
tauri_args=(--debug)
case "${1:-}" in
  "" | --debug) ;;
  --release)
    profile=release
    # Only what ships: the test harness's binaries stay out of a release build.
    cargo_args=(--release -p patchbay-desktop -p patchbay-cli)
    tauri_args=()
    ;;
  -h | --help)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: $0 [--release]" >&2
    exit 2
    ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

say "setup (Debian and npm packages, the Tauri CLI)"
scripts/setup.sh >&2

# The UI is embedded in the app at compile time: build it first, unless ui/dist is already
# newer than everything it is made from (make test has just built it).
ui_stamp=ui/dist/index.html
if [ ! -f "$ui_stamp" ] || [ -n "$(find ui/src ui/public ui/index.html ui/package.json \
    ui/package-lock.json ui/vite.config.* ui/tsconfig*.json -newer "$ui_stamp" -print -quit 2>/dev/null)" ]; then
  say "ui: build"
  npm --prefix ui run --silent build >&2
else
  say "ui: dist is up to date"
fi

say "cargo build ${cargo_args[*]}"
cargo build "${cargo_args[@]}" >&2

target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
bin_dir="$target_dir/$profile"
for bin in patchbay-desktop patchbay; do
  [ -x "$bin_dir/$bin" ] || { echo "error: $bin_dir/$bin was not built" >&2; exit 1; }
done

extra_conf=$(mktemp "${TMPDIR:-/tmp}/patchbay-deb-conf.XXXXXX.json")
trap 'rm -f "$extra_conf"' EXIT
node -e '
  const [out, cli] = process.argv.slice(1);
  const conf = { bundle: { linux: { deb: { files: { "/usr/bin/patchbay": cli } } } } };
  require("fs").writeFileSync(out, JSON.stringify(conf, null, 2));
' "$extra_conf" "$bin_dir/patchbay"

# Idempotent: a fresh bundle folder each time, so no older .deb is ever picked up.
rm -rf "$bin_dir/bundle/deb"
say "tauri bundle --bundles deb (${profile})"
# --no-binary-patching: the bundler would otherwise rewrite target/$profile/patchbay-desktop
# in place (an updater hint Patchbay does not use), which other runs may be executing.
ui/node_modules/.bin/tauri bundle "${tauri_args[@]}" --bundles deb --ci --no-sign --no-binary-patching \
  --config packaging/deb.conf.json --config "$extra_conf" >&2

shopt -s nullglob
debs=("$bin_dir"/bundle/deb/*.deb)
if [ ${#debs[@]} -ne 1 ]; then
  echo "error: expected one .deb in $bin_dir/bundle/deb, found ${#debs[@]}" >&2
  exit 1
fi
say "$(du -h "${debs[0]}" | cut -f1) ${debs[0]}"
echo "${debs[0]}"
