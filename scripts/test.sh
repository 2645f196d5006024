#!/usr/bin/env bash
# Every check, in the order a failure is cheapest to find: format, lints, native tests, the wasm
# build, then the page in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

bash scripts/setup.sh wasm node browser graphviz fonts

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --features gradscape-web/svg --quiet -- -D warnings

step "cargo clippy: the page's modules as built (their features for wasm32)"
cargo clippy -p gradscape-web --no-default-features --features surfaces,host-decimal --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p gradscape-web --no-default-features --features network,host-decimal --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p gradscape-web --no-default-features --features rule,host-decimal --target wasm32-unknown-unknown --quiet -- -D warnings

step "cargo test"
cargo test --workspace --features gradscape-web/svg

step "the core builds for wasm32-unknown-unknown"
cargo build --quiet -p gradscape-core --target wasm32-unknown-unknown

step "wasm-bindgen-test: the wasm crate in headless Chromium"
(
  cd crates/web
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$PWD/../../.tools/bin/wasm-bindgen-test-runner" \
    cargo test --target wasm32-unknown-unknown
)

step "build the page"
bash scripts/build.sh

step "browser tests (Playwright + Chromium)"
node --test --test-reporter=spec tests/
