# Patchbay: one place for the everyday commands.
.PHONY: run test fmt lint bench bindings screenshots ui deb

## Install what is missing (Debian 12) and open the desktop app.
run:
	scripts/run.sh

## Install what is missing and run every test; ends with "N passed, N failed".
test:
	scripts/test.sh

fmt:
	cargo fmt --all
	npm --prefix ui run --silent lint -- --fix

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	npm --prefix ui run --silent typecheck
	npm --prefix ui run --silent lint

## Regenerate ui/src/bindings from the Rust wire types (ts-rs).
bindings:
	UPDATE_BINDINGS=1 cargo test -p patchbay-model --test bindings --quiet

## Benchmarks (figures go in docs/benchmarks.md).
bench:
	scripts/bench.sh
	scripts/bench-oauth.sh
	scripts/bench-refresh.sh
	scripts/bench-calls.sh
	scripts/bench-proxy.sh
	scripts/bench-gateway.sh
	scripts/bench-desktop.sh

## Screenshots of the real window for the README (docs/screenshots/).
screenshots:
	scripts/screenshots.sh

ui:
	npm --prefix ui run --silent build

## An installable .deb (debug build; scripts/package-deb.sh --release for an optimised one):
## the app, the `patchbay` CLI, the desktop entry for both URL schemes, the icons.
deb:
	scripts/package-deb.sh
