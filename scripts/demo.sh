#!/usr/bin/env bash
# The README's first command: installs what is needed, builds errand, and runs the demo.
# Until the embedded SQLite store lands, the demo runs on a redis-server this script
# starts on 127.0.0.1:16380 and stops again when it ends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
echo "errand: building (first build takes a minute or two)"
bash scripts/build.sh build/demo -DCMAKE_BUILD_TYPE=Release -DERRAND_BUILD_TESTS=OFF
redis_dir="$root/build/demo/redis-server"
trap 'bash scripts/redis-server.sh stop "$redis_dir"' EXIT
bash scripts/redis-server.sh start 16380 "$redis_dir"
echo
build/demo/examples/errand_demo redis://127.0.0.1:16380/0
