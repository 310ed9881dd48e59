# Shared by bench/peers/run_peers.sh and bench/ceilings/run_ceilings.sh (sourced, not run).
# Reads the BENCH_* environment, checks that every server is on 127.0.0.1, tracks the
# processes the scripts start (by PID) and appends result rows to $BENCH_RESULTS.

peers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$peers_dir/../.." && pwd)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

BENCH_SMOKE=${BENCH_SMOKE:-0}
BENCH_CONCURRENCIES=${BENCH_CONCURRENCIES:-1 10 25 50}
BENCH_JOBS_REDIS=${BENCH_JOBS_REDIS:-100000}
BENCH_JOBS_POSTGRES=${BENCH_JOBS_POSTGRES:-20000}
if [ "$BENCH_SMOKE" = 1 ]; then
  BENCH_JOBS_REDIS=${BENCH_SMOKE_JOBS_REDIS:-500}
  BENCH_JOBS_POSTGRES=${BENCH_SMOKE_JOBS_POSTGRES:-200}
  step_timeout=60          # seconds any single measurement may take
  latency_samples=5
  boxed_seconds=5          # time box for peers too slow to drain N (pg-boss at its defaults)
else
  step_timeout=${BENCH_STEP_TIMEOUT:-600}
  latency_samples=${BENCH_LATENCY_SAMPLES:-50}
  boxed_seconds=${BENCH_BOXED_SECONDS:-30}
fi
export BENCH_SMOKE BENCH_CONCURRENCIES BENCH_JOBS_REDIS BENCH_JOBS_POSTGRES

: "${BENCH_RESULTS:?bench: BENCH_RESULTS must name the CSV file to append rows to}"
[ -f "$BENCH_RESULTS" ] || die "BENCH_RESULTS=$BENCH_RESULTS does not exist (the caller writes its header first)"

# redis://[user:pass@]host:port/db -> redis_host, redis_port, redis_db, redis_cli (127.0.0.1 only).
# Returns 1 with a message when the URL is unusable.
parse_redis_url() {
  local url=${BENCH_REDIS_URL:-}
  [ -n "$url" ] || { log "BENCH_REDIS_URL is not set (e.g. redis://127.0.0.1:16700/0)"; return 1; }
  [[ $url =~ ^redis://([^@/]*@)?([^:/]+)(:([0-9]+))?(/([0-9]+))?/?$ ]] ||
    { log "BENCH_REDIS_URL=$url is not redis://host:port/db"; return 1; }
  [ -z "${BASH_REMATCH[1]}" ] || { log "BENCH_REDIS_URL with credentials is not supported here"; return 1; }
  redis_host=${BASH_REMATCH[2]}; redis_port=${BASH_REMATCH[4]:-6379}; redis_db=${BASH_REMATCH[6]:-0}
  case $redis_host in 127.0.0.1|localhost) redis_host=127.0.0.1 ;;
    *) log "BENCH_REDIS_URL must point at 127.0.0.1, not $redis_host"; return 1 ;; esac
  redis_cli=(redis-cli -h "$redis_host" -p "$redis_port" -n "$redis_db")
  [ "$("${redis_cli[@]}" ping 2>&1)" = PONG ] || { log "Redis at $url does not answer PING"; redis_cli=(); return 1; }
  redis_version=$("${redis_cli[@]}" info server | tr -d '\r' | awk -F: '$1=="redis_version"{print $2}')
}

# postgresql://user@host:port/db -> pg_base (URL without the database), pg_admin_url, pg_version.
parse_postgres_url() {
  local url=${BENCH_POSTGRES_URL:-}
  [ -n "$url" ] || { log "BENCH_POSTGRES_URL is not set (e.g. postgresql://errand@127.0.0.1:16732/errand_test_1)"; return 1; }
  [[ $url =~ ^postgres(ql)?://([^@/]+@)?([^:/]+)(:([0-9]+))?/([^/?]+)$ ]] ||
    { log "BENCH_POSTGRES_URL=$url is not postgresql://user@host:port/db"; return 1; }
  case ${BASH_REMATCH[3]} in 127.0.0.1|localhost) ;;
    *) log "BENCH_POSTGRES_URL must point at 127.0.0.1, not ${BASH_REMATCH[3]}"; return 1 ;; esac
  pg_base="postgresql://${BASH_REMATCH[2]}127.0.0.1${BASH_REMATCH[4]}"
  psql "$url" -qAtc 'SELECT 1' >/dev/null 2>&1 || { log "Postgres at $url does not accept connections"; return 1; }
  pg_admin_url=$url
  pg_version=$(psql "$pg_admin_url" -qAtc 'SHOW server_version' | awk '{print $1}')
}

# (Re)creates database $1 on the bench server; prints its URL.
pg_fresh_database() {
  PGOPTIONS='-c client_min_messages=warning' psql "$pg_admin_url" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null ||
    return 1
  printf '%s/%s\n' "$pg_base" "$1"
}
pg_drop_database() { psql "$pg_admin_url" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true; }

# Every process started in the background is registered here and stopped on exit.
started_pids=()
track() { started_pids+=("$1"); }
stop_pid() {  # TERM, then KILL after $2 seconds (default 10)
  local pid=$1 grace=${2:-10}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "pid $pid ignored TERM for ${grace}s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
}
stop_tracked() { local pid; for pid in "${started_pids[@]}"; do stop_pid "$pid" 5; done; started_pids=(); }

# Runs a command with a time limit; its stdout "RESULT {json}" lines become CSV rows.
# usage: measure NAME CMD...   (returns the command's status; 124 = timed out)
measure() {
  local name=$1; shift
  local out rc=0
  out=$(mktemp)
  timeout --signal=TERM --kill-after=10 "$step_timeout" "$@" >"$out" || rc=$?
  if ! grep '^RESULT ' "$out" | node "$peers_dir/csv.js" >>"$BENCH_RESULTS"; then
    log "$name: could not turn its output into CSV rows"; rc=1
  fi
  grep -v '^RESULT ' "$out" >&2 || true
  rm -f "$out"
  [ "$rc" = 124 ] && log "$name: timed out after ${step_timeout}s"
  return "$rc"
}

# One CSV row from KEY=VALUE arguments (for the shell-side measurements).
row() { node "$peers_dir/csv.js" --kv "$@" >>"$BENCH_RESULTS"; }
