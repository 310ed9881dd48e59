#!/usr/bin/env bash
# Writes what the benchmark ran on, as Markdown: the machine, the software versions and
# the exact commands. Source it, call bench_note_start when the run starts, then at the
# end:  bench_write_machine FILE "COMMAND..." ["MORE COMMANDS"]

bench_note_start() {  # the date, load and source tree as the run starts (the report comes ~30 min later)
  BENCH_START_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  BENCH_START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  BENCH_START_TREE="$(git -C "$bench_root" rev-parse --short HEAD 2>/dev/null || echo "no git")"
  # The run's own output (docs/benchmarks, build/) does not make the tree dirty.
  git -C "$bench_root" diff --quiet HEAD -- . ':(exclude)docs/benchmarks' 2>/dev/null ||
    BENCH_START_TREE="$BENCH_START_TREE, uncommitted changes"
}

bench_version_of() {  # bench_version_of COMMAND ARGS...: its first output line, or "not installed"
  if command -v "$1" >/dev/null 2>&1; then "$@" 2>&1 | head -1; else echo "not installed"; fi
}

bench_write_machine() {
  local file=$1; shift
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  {
    echo "# Benchmark machine and versions"
    echo
    echo "| what | value |"
    echo "|---|---|"
    echo "| started | ${BENCH_START_DATE:-?} (report written $(date -u +%Y-%m-%dT%H:%M:%SZ)) |"
    echo "| CPUs (nproc) | $(nproc) |"
    echo "| CPU model | ${cpu:-unknown} |"
    echo "| RAM | $mem |"
    echo "| kernel | $(uname -sr) |"
    echo "| OS | $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") |"
    echo "| load average at start (1, 5, 15 min) | ${BENCH_START_LOAD:-?} |"
    echo "| errand | $(sed -n 's/.*version = "\(.*\)".*/\1/p' "$bench_root/include/errand/version.hpp") (${BENCH_START_TREE:-?}) |"
    echo "| g++ | $(bench_version_of g++ --version) |"
    echo "| cmake | $(bench_version_of cmake --version) |"
    echo "| redis-server | $(bench_version_of redis-server --version) |"
    echo "| PostgreSQL | $(bench_version_of /usr/lib/postgresql/15/bin/postgres --version) |"
    echo "| SQLite | $(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo unknown) (libsqlite3-0) |"
    echo "| ruby | $(bench_version_of ruby --version) |"
    echo "| node | $(bench_version_of node --version) |"
    echo "| gnuplot | $(bench_version_of gnuplot --version) |"
    echo
    echo "Servers: redis-server and PostgreSQL 15 on 127.0.0.1 (loopback), started by the run"
    echo "(\`bench/lib/servers.sh\`); Redis without persistence, PostgreSQL with fsync=on and"
    echo "synchronous_commit=on (its defaults). SQLite: a file in \`build/bench/servers/sqlite\`, WAL."
    echo
    echo "## Commands"
    echo
    echo '```sh'
    local c
    for c in "$@"; do echo "$c"; done
    echo '```'
  } >"$file"
}
