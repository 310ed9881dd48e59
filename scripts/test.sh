#!/usr/bin/env bash
# The README's second command: installs what is needed, builds errand, starts real
# servers (redis-server, PostgreSQL 15; Ruby Sidekiq for interop) through CTest fixtures, and runs
# every test: a release build, the installed package, then ASan+UBSan and TSan builds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$SECONDS

stage() { printf '\n== %s (%d s)\n' "$1" $((SECONDS - started)); }

stage "installing packages"
bash scripts/install-deps.sh

# Most tests wait on servers, subprocesses and timers rather than compute, so CTest runs
# four at a time on CI's two cores (tests that share a database still take turns: RESOURCE_LOCK).
run_tests() {  # DIR
  ctest --test-dir "$1" -j 4 --output-on-failure --timeout 300
}

# CI builds from nothing (no ccache contents): unity builds compile several sources at once,
# sharing the cost of the headers, and gold (binutils' other linker) links a test program in
# under half the time. The sanitizer builds keep only line tables (-g1): enough for the
# file:line of every frame in a sanitizer's report, with much less debug information to
# write and link.
fast_build=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=gold)

stage "release build and tests"
bash scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release -DERRAND_WERROR=ON "${fast_build[@]}"
run_tests build/release

stage "install, then build a find_package consumer"
rm -rf build/install build/consumer
cmake --install build/release --prefix "$root/build/install" >/dev/null
cmake -S tests/packaging/find_package -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$root/build/install" >/dev/null
cmake --build build/consumer
build/consumer/consumer

stage "ASan + UBSan build and tests"
bash scripts/build.sh build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DERRAND_WERROR=ON -DERRAND_SANITIZE="address;undefined" "${fast_build[@]}" \
  -DERRAND_BUILD_EXAMPLES=OFF -DERRAND_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_tests build/asan

stage "TSan build and tests"
bash scripts/build.sh build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DERRAND_WERROR=ON -DERRAND_SANITIZE=thread "${fast_build[@]}" \
  -DERRAND_BUILD_EXAMPLES=OFF -DERRAND_BUILD_BENCH=OFF
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tsan.supp" run_tests build/tsan

stage "all tests passed"
