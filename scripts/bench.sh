#!/usr/bin/env bash
# The page's speed in headless Chromium (see scripts/bench.mjs); `npm run bench -- 600` soaks for
# ten minutes. `cargo bench` measures the core natively.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh browser
bash scripts/build.sh
node scripts/bench.mjs "$@"
