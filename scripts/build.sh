#!/usr/bin/env bash
# Configures and builds one build directory with Ninja and ccache.
#   scripts/build.sh DIR [cmake options...]
set -euo pipefail
dir=${1:?usage: build.sh DIR [cmake options...]}; shift
root=$(cd "$(dirname "$0")/.." && pwd)
export CCACHE_DIR=${CCACHE_DIR:-$root/.ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-3G}
jobs=${ERRAND_JOBS:-2}
cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir" -j "$jobs"
