#!/usr/bin/env bash
# The benchmark's own redis-server and PostgreSQL on 127.0.0.1, started and stopped by
# PID through scripts/redis-server.sh and scripts/postgres-server.sh. Source it:
#
#   source bench/lib/servers.sh
#   bench_start_redis      # exports BENCH_REDIS_URL, BENCH_REDIS_PID
#   bench_start_postgres   # exports BENCH_POSTGRES_URL, BENCH_POSTGRES_PID (database errand_bench)
#   trap bench_stop_servers EXIT
#
# Ports and the state directory: BENCH_REDIS_PORT (16700), BENCH_POSTGRES_PORT (16732),
# BENCH_SERVERS_DIR (build/bench/servers). Redis runs as the tests run it: no RDB, no
# AOF. PostgreSQL keeps its defaults for durability: fsync=on, synchronous_commit=on.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-16700}
BENCH_POSTGRES_PORT=${BENCH_POSTGRES_PORT:-16732}
BENCH_SERVERS_DIR=${BENCH_SERVERS_DIR:-$bench_root/build/bench/servers}

bench_start_redis() {
  "$bench_root/scripts/redis-server.sh" start "$BENCH_REDIS_PORT" "$BENCH_SERVERS_DIR/redis" || return 1
  BENCH_REDIS_PID=$(cat "$BENCH_SERVERS_DIR/redis/redis.pid")
  export BENCH_REDIS_URL="redis://127.0.0.1:$BENCH_REDIS_PORT/0" BENCH_REDIS_PID
}

bench_start_postgres() {
  "$bench_root/scripts/postgres-server.sh" start "$BENCH_POSTGRES_PORT" "$BENCH_SERVERS_DIR/postgres" || return 1
  BENCH_POSTGRES_PID=$(cat "$BENCH_SERVERS_DIR/postgres/postgres.pid")
  local psql=/usr/lib/postgresql/15/bin/psql
  "$psql" "host=127.0.0.1 port=$BENCH_POSTGRES_PORT user=errand dbname=postgres" -qAtc "CREATE DATABASE errand_bench" >/dev/null || return 1
  local fsync
  fsync=$("$psql" "host=127.0.0.1 port=$BENCH_POSTGRES_PORT user=errand dbname=errand_bench" -qAtc "SHOW fsync")
  if [ "$fsync" != on ]; then
    echo "errand bench: PostgreSQL on port $BENCH_POSTGRES_PORT runs with fsync=$fsync; the benchmark needs fsync=on" >&2
    return 1
  fi
  export BENCH_POSTGRES_URL="postgresql://errand@127.0.0.1:$BENCH_POSTGRES_PORT/errand_bench" BENCH_POSTGRES_PID
}

# Stops whichever of the two this shell started (safe to call twice, e.g. from a trap).
bench_stop_servers() {
  "$bench_root/scripts/redis-server.sh" stop "$BENCH_SERVERS_DIR/redis" || true
  "$bench_root/scripts/postgres-server.sh" stop "$BENCH_SERVERS_DIR/postgres" || true
}

# The URL of a store by name: redis, postgres or sqlite (a file under the results' work dir).
bench_url() {
  case "$1" in
    redis) echo "${BENCH_REDIS_URL:-}" ;;
    postgres) echo "${BENCH_POSTGRES_URL:-}" ;;
    sqlite) echo "sqlite://$BENCH_SERVERS_DIR/sqlite/bench.db" ;;
    *) echo "errand bench: unknown store '$1' (use redis, postgres or sqlite)" >&2; return 1 ;;
  esac
}

# The PID whose CPU time (with its children's) is the server's, or 0 (SQLite: in-process).
bench_server_pid() {
  case "$1" in
    redis) echo "${BENCH_REDIS_PID:-0}" ;;
    postgres) echo "${BENCH_POSTGRES_PID:-0}" ;;
    *) echo 0 ;;
  esac
}
