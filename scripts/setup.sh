#!/usr/bin/env bash
# Installs what the build and the tests need and is missing, one line per step; a second run
# skips what is there. Usage: scripts/setup.sh [wasm] [node] [browser]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools="$root/.tools"

say() { printf 'setup: %s\n' "$*"; }

need_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    say "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again"
    exit 1
  fi
}

wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the Rust target wasm32-unknown-unknown (rustup target add)"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_cli() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [[ -z $want ]]; then
    say "Cargo.lock names no wasm-bindgen version"; exit 1
  fi
  have=$("$tools/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}' || true)
  if [[ $have != "$want" ]]; then
    say "installing wasm-bindgen-cli $want into .tools/ (cargo install, takes a few minutes once)"
    if ! cargo install --locked --quiet wasm-bindgen-cli --version "$want" --root "$tools" 2>"$tools.install.log"; then
      # Its own lock file can name a dependency version that the registry no longer serves.
      say "the locked install failed (see .tools.install.log); installing with current dependencies"
      cargo install --quiet wasm-bindgen-cli --version "$want" --root "$tools"
    fi
    rm -f "$tools.install.log"
  fi
}

node_modules() {
  if ! command -v npm >/dev/null 2>&1; then
    say "npm is missing: install Node.js 20 or newer, then run this again"; exit 1
  fi
  if [[ ! -d node_modules/playwright-core || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing the npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

browser() {
  if [[ -n ${CHROMIUM:-} && -x ${CHROMIUM} && -n ${CHROMEDRIVER:-} && -x ${CHROMEDRIVER} ]]; then return; fi
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then return; fi
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's chromium and chromium-driver for the browser tests (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    say "the browser tests need Chromium: install it (Debian: apt-get install chromium chromium-driver)"
    say "or set CHROMIUM=/path/to/chrome and CHROMEDRIVER=/path/to/chromedriver, then run this again"
    exit 1
  fi
}

# graphviz's dot, which the tests run on `gradscape graph --format dot`.
graphviz() {
  if command -v dot >/dev/null 2>&1; then return; fi
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's graphviz for the DOT output's test (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    say "the tests run graphviz's dot on the DOT output: install it (Debian: apt-get install graphviz),"
    say "or set GRADSCAPE_SKIP_GRAPHVIZ=1 to leave that check out"
    exit 1
  fi
}

# A CJK font, so the browser tests can check that Hangul and kana render as letters, not boxes.
cjk_fonts() {
  if fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then return; fi
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's fonts-noto-cjk for the Korean and Japanese pages' tests (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    say "no CJK font found: the test that Hangul and kana render will be skipped (Debian: apt-get install fonts-noto-cjk)"
  fi
}

need_cargo
for step in "$@"; do
  case $step in
    wasm) wasm_target; wasm_bindgen_cli ;;
    node) node_modules ;;
    browser) browser ;;
    fonts) cjk_fonts ;;
    graphviz) if [[ ${GRADSCAPE_SKIP_GRAPHVIZ:-} != 1 ]]; then graphviz; fi ;;
    *) say "unknown step '$step'"; exit 2 ;;
  esac
done
