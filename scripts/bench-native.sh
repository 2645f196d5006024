#!/usr/bin/env bash
# `npm run bench:native`: the core's speed natively (cargo bench), with the book's MNIST-shaped
# SGD step timed beside numpy in the same run. numpy is installed from PyPI into .tools/py the
# first time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .tools/py/bin/python ] || ! .tools/py/bin/python -c 'import numpy' 2>/dev/null; then
  echo "bench: installing numpy into .tools/py (once)"
  python3 -m venv .tools/py
  .tools/py/bin/pip install --quiet numpy
fi
cargo bench -p gradscape-core "$@"
