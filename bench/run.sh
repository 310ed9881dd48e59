#!/usr/bin/env bash
# The end-to-end benchmark in one command: builds errand_bench_<store> (Release), starts its own
# redis-server and PostgreSQL on 127.0.0.1, runs every store × concurrency × scenario
# (each in a fresh process), then the peers' and ceilings' scripts when present, and
# writes the CSV, the Markdown tables, the plots and machine.md. See docs/benchmarks.md.
#
#   bash bench/run.sh                                  # the full run → docs/benchmarks/
#   bash bench/run.sh --smoke                          # seconds per measurement → build/bench/smoke/
#   bash bench/run.sh --stores "redis sqlite" --concurrencies "1 25" --no-peers
#
# Environment: ERRAND_JOBS (build parallelism, 2), BENCH_BIN (no build: use the
# errand_bench_<store> binaries next to this errand_bench, or it for any missing),
# BENCH_JOBS_REDIS / BENCH_JOBS_POSTGRES / BENCH_JOBS_SQLITE (jobs per throughput
# measurement), BENCH_MARKERS (latency markers), BENCH_BACKLOG (latency_loaded's backlog),
# BENCH_REDIS_PORT (16700), BENCH_POSTGRES_PORT (16732).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib/servers.sh"
source "$root/bench/lib/machine.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
smoke=0
stores="redis postgres sqlite"
concurrencies=""
peers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --stores) stores=${2:?--stores needs a list, e.g. \"redis sqlite\"}; shift ;;
    --concurrencies) concurrencies=${2:?--concurrencies needs a list, e.g. \"1 10\"}; shift ;;
    --no-peers) peers=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for s in $stores; do bench_url "$s" >/dev/null || exit 2; done
bench_note_start

build_dir=$root/build/bench
if [ "$smoke" = 1 ]; then
  concurrencies=${concurrencies:-1 10}
  jobs_redis=${BENCH_JOBS_REDIS:-2000}; jobs_sqlite=${BENCH_JOBS_SQLITE:-2000}; jobs_postgres=${BENCH_JOBS_POSTGRES:-500}
  markers=${BENCH_MARKERS:-30}; backlog=${BENCH_BACKLOG:-1000}; warmup=3; limit=120; peers_limit=600
  out=$build_dir/smoke; csv=$build_dir/smoke.csv
else
  concurrencies=${concurrencies:-1 10 25 50}
  jobs_redis=${BENCH_JOBS_REDIS:-100000}; jobs_sqlite=${BENCH_JOBS_SQLITE:-100000}; jobs_postgres=${BENCH_JOBS_POSTGRES:-20000}
  markers=${BENCH_MARKERS:-1000}; backlog=${BENCH_BACKLOG:-20000}; warmup=10; limit=900; peers_limit=7200
  out=$root/docs/benchmarks; csv=$out/results.csv
fi
samples=$build_dir/samples
mkdir -p "$out" "$build_dir" "$BENCH_SERVERS_DIR/sqlite"
rm -rf "$samples"; mkdir -p "$samples"
rm -f "$csv"

# 0. The report's plotter, from Debian (the peers install their own; see bench/peers).
if ! command -v gnuplot >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "bench: installing gnuplot-nox (Debian) for the plots"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    gnuplot-nox >/dev/null || echo "bench: could not install gnuplot-nox; the report will have no plots" >&2
fi

# 1. Build (skipped with BENCH_BIN). One binary per store, linking that store alone, as
# an app on one store would: its RSS is not that of every store's client libraries.
bench_bin=${BENCH_BIN:-}
if [ -z "$bench_bin" ]; then
  export CCACHE_DIR=${CCACHE_DIR:-$root/.ccache}
  echo "bench: building errand_bench_{redis,postgres,sqlite} (Release) in $build_dir"
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DERRAND_BUILD_BENCH=ON \
    -DERRAND_BUILD_TESTS=OFF -DERRAND_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$build_dir" -j "${ERRAND_JOBS:-2}" --target errand_bench_redis errand_bench_postgres errand_bench_sqlite
  bench_bin=$build_dir/bench/errand_bench
fi
store_bin() {  # store_bin STORE: the binary that measures STORE
  local one
  one=$(dirname "$bench_bin")/errand_bench_$1
  if [ -x "$one" ]; then echo "$one"; else echo "$bench_bin"; fi
}

# 2. Servers, stopped by PID whatever happens.
trap bench_stop_servers EXIT
trap 'exit 130' INT TERM
case " $stores " in *" redis "*) bench_start_redis ;; *) [ "$peers" = 0 ] || bench_start_redis ;; esac
case " $stores " in *" postgres "*) bench_start_postgres ;; *) [ "$peers" = 0 ] || bench_start_postgres ;; esac

# 3. errand's matrix: one fresh errand_bench process per measurement.
commands=()
failures=0
measure() {  # measure STORE CONCURRENCY SCENARIO FLAGS...
  local store=$1 c=$2 scenario=$3; shift 3
  local cmd=("$(store_bin "$store")" --url "$(bench_url "$store")" --scenario "$scenario" --concurrency "$c"
             --csv "$csv" --server-pid "$(bench_server_pid "$store")" --timeout "$limit" "$@")
  echo "bench: errand $store $scenario c=$c"
  local status=0
  timeout -k 10 $((limit + 60)) "${cmd[@]}" 2>"$build_dir/last.log" || status=$?
  if [ "$status" != 0 ]; then
    echo "bench: FAILED (status $status$([ "$status" = 124 ] && echo ", timed out")): ${cmd[*]}" >&2
    cat "$build_dir/last.log" >&2
    failures=$((failures + 1))
  fi
}
for store in $stores; do
  jobs_var=jobs_$store; jobs=${!jobs_var}
  latency=(--jobs "$markers" --warmup "$warmup")
  for c in $concurrencies; do
    measure "$store" "$c" enqueue_single --jobs "$jobs"
    measure "$store" "$c" enqueue_bulk --jobs "$jobs" --bulk-size 1000
    measure "$store" "$c" process --jobs "$jobs"
    measure "$store" "$c" latency_idle "${latency[@]}" --samples "$samples/errand_${store}_latency_idle_c$c.txt"
    measure "$store" "$c" latency_loaded "${latency[@]}" --backlog "$backlog" \
      --samples "$samples/errand_${store}_latency_loaded_c$c.txt"
  done
  commands+=("$(store_bin "$store") --url $(bench_url "$store") --scenario {enqueue_single,enqueue_bulk,process} --concurrency {$concurrencies} --jobs $jobs --csv $csv")
  commands+=("$(store_bin "$store") --url $(bench_url "$store") --scenario {latency_idle,latency_loaded} --concurrency {$concurrencies} --jobs $markers --warmup $warmup [--backlog $backlog]")
done

# 4. The peers and the servers' ceilings, when their scripts exist (bench/peers, bench/ceilings).
export BENCH_RESULTS=$csv BENCH_SMOKE=$smoke BENCH_CONCURRENCIES=$concurrencies BENCH_SAMPLES_DIR=$samples
export BENCH_REDIS_URL=${BENCH_REDIS_URL:-} BENCH_POSTGRES_URL=${BENCH_POSTGRES_URL:-}
if [ "$peers" = 1 ]; then
  for script in "$root/bench/peers/run_peers.sh" "$root/bench/ceilings/run_ceilings.sh"; do
    if [ -x "$script" ]; then
      echo "bench: running ${script#"$root"/}"
      commands+=("BENCH_SMOKE=$smoke BENCH_CONCURRENCIES=\"$concurrencies\" ${script#"$root"/}")
      timeout -k 10 "$peers_limit" "$script" || { echo "bench: FAILED: $script (status $?)" >&2; failures=$((failures + 1)); }
    else
      echo "bench: skipping ${script#"$root"/} (not present or not executable)"
    fi
  done
fi

# 5. Report: tables, plots, machine.md.
smoke_flag=""; [ "$smoke" = 1 ] && smoke_flag=" --smoke"
invocation="bash bench/run.sh$smoke_flag --stores \"$stores\" --concurrencies \"$concurrencies\""
bench_write_machine "$out/machine.md" "$invocation" "${commands[@]}"
bash "$root/bench/report/report.sh" "$csv" "$out" "$samples"
echo "bench: CSV $csv; report $out/results.md; $failures failed measurement(s)"
[ "$failures" = 0 ]
