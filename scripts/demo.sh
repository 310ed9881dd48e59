#!/usr/bin/env bash
# The README's first command: installs what is needed, builds errand, and runs the demo
# on the embedded SQLite store (a file in build/demo; no server).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
echo "errand: building (the first build takes a few minutes)"
bash scripts/build.sh build/demo -DCMAKE_BUILD_TYPE=Release -DERRAND_BUILD_TESTS=OFF
rm -f build/demo/demo.db build/demo/demo.db-wal build/demo/demo.db-shm
echo
build/demo/examples/errand_demo sqlite://build/demo/demo.db
