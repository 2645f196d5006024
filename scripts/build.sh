#!/usr/bin/env bash
# Builds the page: the wasm crate (release), its JS glue (wasm-bindgen --target web, no bundler),
# then a static site in dist/ that any static server can host.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh wasm node

# The page's modules, each loaded when it is first needed: from crates/web, the surfaces view's
# (the page's first load), the network view's (also its training worker's), the SVG export's, the
# 3-D view's and the update rule's, chosen by feature; from crates/graph-web, the Graph view's. Cargo links one at a time in place.
# The WebAssembly features the modules use (rustc's defaults and SIMD), for each binaryen pass.
WASM_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-simd --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
# --low-memory-unused: Rust puts the stack's bottom at address 0 and the data above 1 MiB, so the
# low 1 KB is touched only by a stack within 1 KB of overflowing; binaryen may then fold
# constants into addresses (1 KB less gzipped for the surfaces' module).
optimise() {
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --strip-producers "${WASM_FEATURES[@]}" "$1" -o "$1"
}
# web_module FEATURES NAME [PROFILE]: crates/web built with FEATURES alone, as www/pkg/NAME.js and
# NAME_bg.wasm, with cargo profile PROFILE (default web).
web_module() {
  local profile="${3:-web}"
  echo "build: compiling the $2 module (release, profile $profile, feature $1)"
  cargo build --quiet --profile "$profile" -p gradscape-web --no-default-features --features "$1" --target wasm32-unknown-unknown
  .tools/bin/wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name "$2" \
    "target/wasm32-unknown-unknown/$profile/gradscape_web.wasm"
}
rm -rf www/pkg
web_module svg gradscape_export
web_module network,host-decimal gradscape_net
# The surfaces' and network view's modules read numbers in text with the browser's reader.
web_module surfaces,host-decimal gradscape_web page
web_module view3d gradscape_3d page
web_module rule,host-decimal gradscape_rule page
echo "build: compiling the Graph view's module (release, profile web)"
cargo build --quiet --profile web -p gradscape-graph-web --target wasm32-unknown-unknown
.tools/bin/wasm-bindgen --target web --no-typescript --out-dir www/pkg --out-name gradscape_graph \
  target/wasm32-unknown-unknown/web/gradscape_graph_web.wasm
echo "build: optimising the wasm modules (wasm-opt -Oz)"
for m in web net export graph 3d rule; do optimise "www/pkg/gradscape_${m}_bg.wasm"; done
# Short import and export names, in each module and its glue (scripts/minify-names.mjs says why).
for m in web net export graph 3d rule; do node scripts/minify-names.mjs "www/pkg/gradscape_${m}" "${WASM_FEATURES[@]}"; done

rm -rf dist
mkdir -p dist/www/pkg
# Minified (esbuild), which takes about a third off what a visit loads: the web component and
# the training worker file by file; the page's scripts and styles by scripts/pages.mjs below.
node_modules/.bin/esbuild www/gradscape.js www/train-worker.js --minify --log-level=warning --outdir=dist/www
# The digits data set, fetched by the page when it is chosen.
cp crates/core/data/digits.csv.gz dist/www/
# The Korean and Japanese words, fetched when chosen (English is bundled in the page's script).
mkdir -p dist/www/i18n
cp www/i18n/ko.json www/i18n/ja.json dist/www/i18n/
# The glue of the SVG export (imported by the page) and of the network view's module (imported by
# the training worker); the others are bundled into the page's scripts.
node_modules/.bin/esbuild www/pkg/gradscape_net.js www/pkg/gradscape_export.js --minify --log-level=warning --outdir=dist/www/pkg
cp www/pkg/gradscape_{web,net,export,graph,3d,rule}_bg.wasm dist/www/pkg/
# The example lecture deck, with the parts of reveal.js it uses (and its licence).
mkdir -p dist/examples/lecture/reveal/theme
cp examples/lecture/index.html dist/examples/lecture/
cp node_modules/reveal.js/dist/reveal.css node_modules/reveal.js/dist/reveal.mjs node_modules/reveal.js/LICENSE dist/examples/lecture/reveal/
cp node_modules/reveal.js/dist/theme/white.css dist/examples/lecture/reveal/theme/
# The page (its scripts bundled, its styles inline) and one file for use without a server
# (opened from disk: scripts, styles, modules and data inlined).
node scripts/pages.mjs
echo "build: wrote dist/ ($(du -sh dist | cut -f1))"
