#!/usr/bin/env bash
# Runs errand's peers side by side on the bench's servers and appends their rows to
# $BENCH_RESULTS: Ruby Sidekiq 6.4.1 (Debian ruby-sidekiq) and BullMQ on Redis, pg-boss
# and graphile-worker on Postgres (npm, versions pinned in package.json). See README.md.
#
#   BENCH_REDIS_URL=redis://127.0.0.1:16700/0 \
#   BENCH_POSTGRES_URL=postgresql://errand@127.0.0.1:16732/errand_test_1 \
#   BENCH_RESULTS=results.csv [BENCH_SMOKE=1] [BENCH_CONCURRENCIES="1 10 25 50"] \
#   [BENCH_JOBS_REDIS=100000] [BENCH_JOBS_POSTGRES=20000] \
#   [BENCH_PEERS="sidekiq bullmq pg-boss graphile-worker"] bench/peers/run_peers.sh
#
# The Redis database of BENCH_REDIS_URL is emptied (FLUSHDB) before each measurement;
# on Postgres the peers use databases of their own (bench_pgboss, bench_graphile),
# created fresh for each measurement and dropped at the end.
# A peer that cannot be installed or run prints "bench: peer X failed: reason"; the other
# peers still run, and the script exits with status 1.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

peers=${BENCH_PEERS:-sidekiq bullmq pg-boss graphile-worker}
drain_timeout=$((step_timeout - 30))   # a drain not finished by then is reported time-boxed
failed=()
fail_peer() { printf 'bench: peer %s failed: %s\n' "$1" "$2" >&2; failed+=("$1"); }

cleanup() {
  stop_tracked
  if [ -n "${pg_admin_url:-}" ]; then pg_drop_database bench_pgboss; pg_drop_database bench_graphile; fi
  if [ -n "${redis_cli:-}" ]; then "${redis_cli[@]}" flushdb >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

flush_redis() { "${redis_cli[@]}" flushdb >/dev/null; }

# npm packages (pinned by package.json and package-lock.json) into bench/peers/node_modules.
npm_ready=
ensure_npm() {
  [ -n "$npm_ready" ] && return "$npm_ready"
  npm_ready=1
  command -v node >/dev/null && command -v npm >/dev/null ||
    { log "node and npm are not installed (Debian: apt-get install nodejs npm)"; return 1; }
  if ! (cd "$peers_dir" && node -e '
      const want = require("./package.json").dependencies;
      for (const [name, version] of Object.entries(want))
        if (require(`${name}/package.json`).version !== version) process.exit(1);' 2>/dev/null); then
    local installer=(npm ci); [ -f "$peers_dir/package-lock.json" ] || installer=(npm install)
    log "installing the npm peers (${installer[*]} in $peers_dir)"
    (cd "$peers_dir" && timeout 600 "${installer[@]}" --no-audit --no-fund --loglevel=error >&2) ||
      { log "${installer[*]} failed in $peers_dir"; return 1; }
  fi
  npm_ready=0
}

# ---------------------------------------------------------------- Ruby Sidekiq
start_sidekiq() {  # CONCURRENCY EXPECT QUIET -> sidekiq_pid
  local log_file=$work/sidekiq.log
  (cd "$peers_dir/sidekiq" && REDIS_URL=$BENCH_REDIS_URL BENCH_EXPECT=$2 BENCH_SIDEKIQ_QUIET=$3 \
     exec sidekiq -r "$peers_dir/sidekiq/noop_worker.rb" -c "$1" -q default >"$log_file" 2>&1) &
  sidekiq_pid=$!
  track "$sidekiq_pid"
}
stop_sidekiq() {
  stop_pid "$sidekiq_pid" 30
  if grep -qE 'ERROR|FATAL|Error' "$work/sidekiq.log"; then log "sidekiq log:"; tail -20 "$work/sidekiq.log" >&2; fi
}

run_sidekiq() {
  local n=$BENCH_JOBS_REDIS c variant version
  command -v sidekiq >/dev/null || { fail_peer sidekiq "the sidekiq command is not installed (Debian: apt-get install ruby-sidekiq)"; return; }
  version=$(ruby -e 'require "sidekiq"; print Sidekiq::VERSION' 2>/dev/null) ||
    { fail_peer sidekiq "ruby cannot load sidekiq (Debian: apt-get install ruby-sidekiq)"; return; }
  [ "$version" = 6.4.1 ] || log "sidekiq is $version, not the 6.4.1 the comparison is written for"
  export REDIS_URL=$BENCH_REDIS_URL
  local rb="$peers_dir/sidekiq/bench.rb"
  for c in $BENCH_CONCURRENCIES; do
    log "sidekiq: concurrency $c, $n jobs"
    flush_redis; measure "sidekiq enqueue_single c=$c" ruby "$rb" enqueue single "$c" "$n" ||
      { fail_peer sidekiq "enqueue_single at concurrency $c did not finish (see above)"; return; }
    flush_redis; measure "sidekiq enqueue_bulk c=$c" ruby "$rb" enqueue bulk "$c" "$n" ||
      { fail_peer sidekiq "enqueue_bulk at concurrency $c did not finish (see above)"; return; }
    for variant in defaults tuned; do
      flush_redis
      timeout "$step_timeout" ruby "$rb" preload "$n" || { fail_peer sidekiq "preloading $n jobs failed"; return; }
      start_sidekiq "$c" "$n" "$([ $variant = tuned ] && echo 1 || echo 0)"
      measure "sidekiq process c=$c $variant" ruby "$rb" process "$sidekiq_pid" "$c" "$n" "$drain_timeout" "$variant" ||
        { stop_sidekiq; fail_peer sidekiq "process ($variant) at concurrency $c did not finish (see above)"; return; }
      stop_sidekiq
    done
    flush_redis
    start_sidekiq "$c" 0 0
    measure "sidekiq latency c=$c" ruby "$rb" latency "$c" "$latency_samples" ||
      { stop_sidekiq; fail_peer sidekiq "latency_idle at concurrency $c did not finish (see above)"; return; }
    stop_sidekiq
  done
}

# ---------------------------------------------------------------- BullMQ
run_bullmq() {
  local n=$BENCH_JOBS_REDIS c variant js="$peers_dir/node/bullmq.js"
  ensure_npm || { fail_peer bullmq "npm packages could not be installed (see above)"; return; }
  for c in $BENCH_CONCURRENCIES; do
    log "bullmq: concurrency $c, $n jobs"
    for mode in single bulk; do
      flush_redis; measure "bullmq enqueue_$mode c=$c" node "$js" enqueue "$mode" "$c" "$n" "$BENCH_REDIS_URL" ||
        { fail_peer bullmq "enqueue_$mode at concurrency $c did not finish (see above)"; return; }
    done
    for variant in defaults tuned; do
      flush_redis
      timeout "$step_timeout" node "$js" preload "$variant" "$n" "$BENCH_REDIS_URL" || { fail_peer bullmq "preloading $n jobs failed"; return; }
      measure "bullmq process c=$c $variant" node "$js" process "$variant" "$c" "$n" "$BENCH_REDIS_URL" "$drain_timeout" ||
        { fail_peer bullmq "process ($variant) at concurrency $c did not finish (see above)"; return; }
    done
    flush_redis; measure "bullmq latency c=$c" node "$js" latency "$c" "$latency_samples" "$BENCH_REDIS_URL" ||
      { fail_peer bullmq "latency_idle at concurrency $c did not finish (see above)"; return; }
  done
}

# ---------------------------------------------------------------- Postgres peers
# run_pg_peer NAME SCRIPT DATABASE DEFAULTS_BOX LATENCY_SAMPLES_DEFAULTS
run_pg_peer() {
  local name=$1 js="$peers_dir/node/$2" dbname=$3 defaults_box=$4 defaults_samples=$5
  local n=$BENCH_JOBS_POSTGRES c variant url box samples
  ensure_npm || { fail_peer "$name" "npm packages could not be installed (see above)"; return; }
  for c in $BENCH_CONCURRENCIES; do
    log "$name: concurrency $c, $n jobs"
    for mode in single bulk; do
      url=$(pg_fresh_database "$dbname") || { fail_peer "$name" "could not create database $dbname"; return; }
      measure "$name enqueue_$mode c=$c" node "$js" enqueue "$mode" "$c" "$n" "$url" ||
        { fail_peer "$name" "enqueue_$mode at concurrency $c did not finish (see above)"; return; }
    done
    for variant in defaults tuned; do
      box=$drain_timeout; [ "$variant" = defaults ] && box=$defaults_box
      url=$(pg_fresh_database "$dbname") || { fail_peer "$name" "could not create database $dbname"; return; }
      timeout "$step_timeout" node "$js" preload "$n" "$url" || { fail_peer "$name" "preloading $n jobs failed"; return; }
      measure "$name process c=$c $variant" node "$js" process "$variant" "$c" "$n" "$url" "$box" ||
        { fail_peer "$name" "process ($variant) at concurrency $c did not finish (see above)"; return; }
    done
    for variant in defaults tuned; do
      samples=$latency_samples; [ "$variant" = defaults ] && samples=$defaults_samples
      url=$(pg_fresh_database "$dbname") || { fail_peer "$name" "could not create database $dbname"; return; }
      measure "$name latency c=$c $variant" node "$js" latency "$variant" "$c" "$samples" "$url" ||
        { fail_peer "$name" "latency_idle ($variant) at concurrency $c did not finish (see above)"; return; }
    done
  done
  pg_drop_database "$dbname"
}

work=$(mktemp -d /tmp/errand-peers.XXXXXX)
for peer in $peers; do
  case $peer in
    sidekiq|bullmq) [ -n "${redis_cli:-}" ] || parse_redis_url ||
      { fail_peer "$peer" "no usable Redis (BENCH_REDIS_URL=${BENCH_REDIS_URL:-unset})"; continue; } ;;
    pg-boss|graphile-worker) [ -n "${pg_admin_url:-}" ] || parse_postgres_url ||
      { fail_peer "$peer" "no usable Postgres (BENCH_POSTGRES_URL=${BENCH_POSTGRES_URL:-unset})"; continue; } ;;
    *) fail_peer "$peer" "unknown peer (known: sidekiq bullmq pg-boss graphile-worker)"; continue ;;
  esac
  started=$SECONDS
  case $peer in
    sidekiq) run_sidekiq ;;
    bullmq) run_bullmq ;;
    # pg-boss at its defaults polls every 2 s for one job per work(): draining N would take
    # hours, so its defaults run is time-boxed and its latency sampled less.
    pg-boss) run_pg_peer pg-boss pgboss.js bench_pgboss "$boxed_seconds" $((latency_samples < 20 ? latency_samples : 20)) ;;
    graphile-worker) run_pg_peer graphile-worker graphile.js bench_graphile "$drain_timeout" "$latency_samples" ;;
  esac
  log "$peer: done in $((SECONDS - started)) s"
done
rm -rf "$work"

if [ ${#failed[@]} -gt 0 ]; then
  log "peers that failed: ${failed[*]}"
  exit 1
fi
