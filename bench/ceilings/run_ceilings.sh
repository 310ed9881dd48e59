#!/usr/bin/env bash
# Ceilings for errand's end-to-end numbers, on the bench's own servers, appended to
# $BENCH_RESULTS:
#   redis-benchmark: throughput of each command errand issues per job (LPUSH of a
#     311-byte payload, EVALSHA of errand's own fetch script at batch 1 and 10, LREM on
#     the in-progress list), plus PING; then ceiling_errand_mix rows that combine them.
#   pgbench: SKIP LOCKED dequeue+delete on a pgmq-like table (batch 1 and 10), and
#     errand's read-then-acknowledge pair; durability as the server is configured.
#
#   BENCH_REDIS_URL=redis://127.0.0.1:16700/0 \
#   BENCH_POSTGRES_URL=postgresql://errand@127.0.0.1:16732/errand_test_1 \
#   BENCH_RESULTS=results.csv [BENCH_SMOKE=1] [BENCH_CONCURRENCIES="1 10 25 50"] \
#   [BENCH_JOBS_REDIS=100000] [BENCH_JOBS_POSTGRES=20000] \
#   [BENCH_CEILINGS="redis-benchmark pgbench"] bench/ceilings/run_ceilings.sh
#
# redis-benchmark runs 2 x BENCH_JOBS_REDIS requests per pattern; pgbench dequeues
# BENCH_JOBS_POSTGRES jobs per pattern (rounded up to a multiple of the concurrency) in
# database bench_pgbench, created here and dropped at the end. The Redis database of
# BENCH_REDIS_URL is emptied (FLUSHDB). A tool that fails prints
# "bench: peer X failed: reason" and the script exits with status 1 after the others.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../peers/common.sh"

ceilings=${BENCH_CEILINGS:-redis-benchmark pgbench}
failed=()
fail_peer() { printf 'bench: peer %s failed: %s\n' "$1" "$2" >&2; failed+=("$1"); }
cleanup() {
  if [ -n "${pg_admin_url:-}" ]; then pg_drop_database bench_pgbench; fi
  if [ -n "${redis_cli:-}" ]; then "${redis_cli[@]}" flushdb >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGOPTIONS='-c client_min_messages=warning'

# errand's typical job (docs/benchmarks.md): 311 bytes.
payload='{"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",{"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,"enqueued_at":1700000000.123456}'

# ------------------------------------------------------------------ redis-benchmark
# bench_redis NAME REQUESTS CONCURRENCY JOBS_PER_REQUEST NOTE COMMAND... -> rps_NAME
bench_redis() {
  local name=$1 requests=$2 c=$3 per=$4 note=$5; shift 5
  local cmd=(redis-benchmark -h "$redis_host" -p "$redis_port" --dbnum "$redis_db" -n "$requests" -c "$c" -P "${redis_pipeline:-1}" --csv "$@")
  local out line rps p50 p95 p99 max
  out=$(timeout --kill-after=5 "$step_timeout" "${cmd[@]}" 2>&1) ||
    { log "redis-benchmark failed: ${cmd[*]:0:12} ...: $out"; return 1; }
  # The last 7 fields are numbers (the first, the command, may hold commas and quotes).
  line=$(printf '%s\n' "$out" | grep -v '^"test"' | tail -1 | awk -F, '{for (i = NF - 6; i <= NF; i++) printf "%s%s", $i, (i < NF ? "," : "\n")}' | tr -d '"')
  IFS=, read -r rps _ _ p50 p95 p99 max <<<"$line"
  [[ $rps =~ ^[0-9.]+$ ]] || { log "redis-benchmark printed no rate: $out"; return 1; }
  printf -v "rps_$name" '%s' "$rps"
  local shown="${cmd[*]}"; shown=${shown//$payload/<311-byte job>}
  row system=redis-benchmark version="$redis_version" store=redis scenario="ceiling_$name" concurrency="$c" \
      jobs="$((requests * per))" jobs_per_sec="$(awk -v r="$rps" -v p="$per" 'BEGIN{print r*p}')" \
      p50_ms="$p50" p99_ms="$p99" max_ms="$max" \
      round_trips_per_job="$(awk -v p="$per" -v P="${redis_pipeline:-1}" 'BEGIN{print 1/(p*P)}')" \
      notes="$note; requests/s=$rps, per-request latency p95=${p95} ms; $shown"
}

fill_list() {  # KEY COUNT: COUNT copies of the payload, in one server-side loop
  "${redis_cli[@]}" eval "for i = 1, tonumber(ARGV[1]) do redis.call('LPUSH', KEYS[1], ARGV[2]) end return 1" \
    1 "$1" "$2" "$payload" >/dev/null
}

run_redis_benchmark() {
  command -v redis-benchmark >/dev/null ||
    { fail_peer redis-benchmark "redis-benchmark is not installed (Debian: apt-get install redis-tools)"; return; }
  local n=$((BENCH_JOBS_REDIS * 2)) c sha fetch wip
  fetch=$(sed -n '/inline constexpr std::string_view fetch = R"lua(/,/^)lua";/p' "$repo_dir/src/stores/redis/scripts.hpp" | sed '1d;$d')
  [ -n "$fetch" ] || { fail_peer redis-benchmark "could not read errand's fetch script from src/stores/redis/scripts.hpp"; return; }
  for c in $BENCH_CONCURRENCIES; do
    log "redis-benchmark: concurrency $c, $n requests per pattern"
    "${redis_cli[@]}" flushdb >/dev/null
    sha=$("${redis_cli[@]}" script load "$fetch") || { fail_peer redis-benchmark "SCRIPT LOAD of the fetch script failed"; return; }
    bench_redis ping "$n" "$c" 1 "PING: the round-trip floor" PING || { fail_peer redis-benchmark "PING at concurrency $c"; return; }
    bench_redis lpush "$n" "$c" 1 "enqueue: LPUSH of one job (errand pipelines SADD queues + LPUSH, one round trip)" \
      LPUSH queue:default "$payload" || { fail_peer redis-benchmark "LPUSH at concurrency $c"; return; }
    "${redis_cli[@]}" del queue:default >/dev/null
    fill_list queue:default "$n"
    bench_redis fetch_b1 "$n" "$c" 1 "fetch: EVALSHA of errand's fetch script (reliable; RPOP 1 + LPUSH onto errand:wip), batch 1" \
      EVALSHA "$sha" 2 errand:wip:bench queue:default 1 1 || { fail_peer redis-benchmark "EVALSHA fetch at concurrency $c"; return; }
    "${redis_cli[@]}" del queue:default errand:wip:bench >/dev/null
    fill_list queue:default "$n"
    bench_redis fetch_b10 "$((n / 10))" "$c" 10 "fetch: EVALSHA of errand's fetch script (reliable), batch 10; jobs/s = requests/s x 10" \
      EVALSHA "$sha" 2 errand:wip:bench queue:default 10 1 || { fail_peer redis-benchmark "EVALSHA fetch b10 at concurrency $c"; return; }
    "${redis_cli[@]}" del queue:default errand:wip:bench >/dev/null
    # The in-progress list holds about one job per thread; LREM -1 scans it from the tail.
    # The payload removed is not in it (after the first hit every LREM would be a miss anyway).
    wip=$("${redis_cli[@]}" eval "for i = 1, tonumber(ARGV[1]) do redis.call('LPUSH', KEYS[1], i .. ARGV[2]) end return 1" 1 errand:wip:bench "$c" "$payload")
    bench_redis lrem "$n" "$c" 1 "ack: LREM errand:wip -1 <job> on an in-progress list of $c jobs" \
      LREM errand:wip:bench -1 "$payload" || { fail_peer redis-benchmark "LREM at concurrency $c"; return; }
    # Batched, as errand works now: the fetch script takes 100 jobs a call, and the
    # acknowledgements go 100 LREMs to a pipeline (redis-benchmark -P 100).
    "${redis_cli[@]}" del errand:wip:bench >/dev/null
    fill_list queue:default "$n"
    bench_redis fetch_b100 "$((n / 100))" "$c" 100 "fetch: EVALSHA of errand's fetch script (reliable), batch 100; jobs/s = requests/s x 100" \
      EVALSHA "$sha" 2 errand:wip:bench queue:default 100 1 || { fail_peer redis-benchmark "EVALSHA fetch b100 at concurrency $c"; return; }
    "${redis_cli[@]}" del queue:default errand:wip:bench >/dev/null
    wip=$("${redis_cli[@]}" eval "for i = 1, tonumber(ARGV[1]) do redis.call('LPUSH', KEYS[1], i .. ARGV[2]) end return 1" 1 errand:wip:bench 100 "$payload")
    redis_pipeline=100 bench_redis lrem_p100 "$n" "$c" 1 "ack: LREM errand:wip -1 <job>, 100 to a pipeline (-P 100), on an in-progress list of 100 jobs" \
      LREM errand:wip:bench -1 "$payload" || { fail_peer redis-benchmark "LREM -P 100 at concurrency $c"; return; }
    "${redis_cli[@]}" del errand:wip:bench >/dev/null
    # Combined: the seconds per job of each round trip errand makes add up, so
    # jobs/s = 1 / sum(1 / rate_i) (requests/s divided by round trips per job, with
    # requests/s the harmonic mean of the component rates).
    local mix
    for mix in "process_b1:fetch_b1 lrem" "process_b10:fetch_b10 lrem" "full_b10:lpush fetch_b10 lrem" \
               "process_batched:fetch_b100 lrem_p100"; do
      local label=${mix%%:*} parts=${mix#*:} part formula="" rates="" rt=0 rate
      for part in $parts; do
        rate=$(eval "printf %s \"\$rps_$part\"")
        case $part in
          fetch_b10) rates+=" $(awk -v r="$rate" 'BEGIN{print r*10}')"; formula+=" + 1/(10*rate_$part)"; rt=$(awk -v x="$rt" 'BEGIN{print x+0.1}') ;;
          fetch_b100) rates+=" $(awk -v r="$rate" 'BEGIN{print r*100}')"; formula+=" + 1/(100*rate_$part)"; rt=$(awk -v x="$rt" 'BEGIN{print x+0.01}') ;;
          lrem_p100) rates+=" $rate"; formula+=" + 1/rate_$part"; rt=$(awk -v x="$rt" 'BEGIN{print x+0.01}') ;;
          *) rates+=" $rate"; formula+=" + 1/rate_$part"; rt=$(awk -v x="$rt" 'BEGIN{print x+1}') ;; esac
      done
      row system=redis-benchmark version="$redis_version" store=redis scenario="ceiling_errand_mix_$label" concurrency="$c" \
          jobs_per_sec="$(awk -v r="$rates" 'BEGIN{n=split(r,a," "); s=0; for(i=1;i<=n;i++) s+=1/a[i]; print 1/s}')" \
          round_trips_per_job="$rt" \
          notes="estimate: jobs/s = 1 / (${formula# + }) over this run's rows ($(case $label in
            full_b10) echo "enqueue one by one, fetch in batches of 10, ack each" ;;
            process_batched) echo "fetch in batches of 100, acks 100 to a pipeline: errand's mix now" ;;
            *) echo "fetch batch ${label#process_b}, ack each" ;; esac))"
    done
  done
}

# ------------------------------------------------------------------ pgbench
# bench_pg NAME SCRIPT CONCURRENCY JOBS JOBS_PER_TRANSACTION NOTE
bench_pg() {
  local name=$1 script=$2 c=$3 jobs=$4 per=$5 note=$6
  local per_client=$(( (jobs / per + c - 1) / c )) url out tps lat left j=$(( c < 2 ? 1 : 2 ))
  local total=$((per_client * c * per))
  url=$(pg_fresh_database bench_pgbench) || { log "could not create database bench_pgbench"; return 1; }
  psql "$url" -qAt -v ON_ERROR_STOP=1 -v rows=$((total + 100)) -f "$here/setup.sql" >/dev/null ||
    { log "pgbench setup failed"; return 1; }
  psql "$url" -qAtc 'CHECKPOINT' >/dev/null 2>&1 || true   # not in the measured window (needs pg_checkpoint)
  local cmd=(pgbench -n -f "$here/$script" -c "$c" -j "$j" -t "$per_client")
  out=$(timeout --kill-after=5 "$step_timeout" "${cmd[@]}" "$url" 2>&1) ||
    { log "pgbench failed: ${cmd[*]}: $out"; return 1; }
  tps=$(printf '%s\n' "$out" | awk '/^tps = /{print $3; exit}')
  lat=$(printf '%s\n' "$out" | awk '/^latency average = /{print $4; exit}')
  left=$(psql "$url" -qAtc 'SELECT count(*) FROM q WHERE read_ct = 0')
  [ "$left" = 100 ] || { log "pgbench $script: $left rows left, expected 100 (a transaction found no job?)"; return 1; }
  local fsync; fsync=$(psql "$url" -qAtc 'SHOW fsync'),$(psql "$url" -qAtc 'SHOW synchronous_commit')
  row system=pgbench version="$pg_version" store=postgres scenario="ceiling_$name" concurrency="$c" jobs="$total" \
      jobs_per_sec="$(awk -v t="$tps" -v p="$per" 'BEGIN{print t*p}')" \
      notes="$note; tps=$tps, latency average=${lat} ms; fsync,synchronous_commit=$fsync; ${cmd[*]} (table q: pgmq columns, vt index, 311-byte jsonb)"
}

run_pgbench() {
  command -v pgbench >/dev/null || { fail_peer pgbench "pgbench is not installed (Debian: apt-get install postgresql-client)"; return; }
  local c n=$BENCH_JOBS_POSTGRES
  for c in $BENCH_CONCURRENCIES; do
    log "pgbench: concurrency $c, $n jobs per pattern"
    bench_pg skip_locked_dequeue skip_locked_dequeue.sql "$c" "$n" 1 \
      "one job per transaction: WITH next AS (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED) DELETE" ||
      { fail_peer pgbench "skip_locked_dequeue at concurrency $c"; return; }
    bench_pg skip_locked_dequeue_b10 skip_locked_dequeue_b10.sql "$c" "$n" 10 \
      "ten jobs per transaction (LIMIT 10); jobs/s = tps x 10" ||
      { fail_peer pgbench "skip_locked_dequeue_b10 at concurrency $c"; return; }
    bench_pg skip_locked_dequeue_b100 skip_locked_dequeue_b100.sql "$c" "$n" 100 \
      "a hundred jobs per transaction (LIMIT 100); jobs/s = tps x 100" ||
      { fail_peer pgbench "skip_locked_dequeue_b100 at concurrency $c"; return; }
    bench_pg pgmq_read_delete pgmq_read_delete.sql "$c" "$n" 1 \
      "errand's pattern: pgmq read (UPDATE vt, read_ct ... SKIP LOCKED) then DELETE WHERE msg_id AND read_ct, two transactions per job; jobs/s = tps (one script run = one job)" ||
      { fail_peer pgbench "pgmq_read_delete at concurrency $c"; return; }
  done
  pg_drop_database bench_pgbench
}

for tool in $ceilings; do
  started=$SECONDS
  case $tool in
    redis-benchmark) parse_redis_url || { fail_peer redis-benchmark "no usable Redis (BENCH_REDIS_URL=${BENCH_REDIS_URL:-unset})"; continue; }
      run_redis_benchmark ;;
    pgbench) parse_postgres_url || { fail_peer pgbench "no usable Postgres (BENCH_POSTGRES_URL=${BENCH_POSTGRES_URL:-unset})"; continue; }
      run_pgbench ;;
    *) fail_peer "$tool" "unknown ceiling (known: redis-benchmark pgbench)"; continue ;;
  esac
  log "$tool: done in $((SECONDS - started)) s"
done

if [ ${#failed[@]} -gt 0 ]; then log "ceilings that failed: ${failed[*]}"; exit 1; fi
