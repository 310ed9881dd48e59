#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 on 127.0.0.1 for tests, tracked by PID.
#   scripts/postgres-server.sh start PORT|auto DIR   # fails loudly if it cannot start
#   scripts/postgres-server.sh stop DIR
# DIR holds its state: data/, server.log, postgres.pid and `port`, the port it listens
# on (with `auto`, a free one: see free_port in lib/test-server.sh). stop stops only the
# server DIR started, and removes DIR's data.
# initdb refuses to run as root, so as root the server runs as the `postgres` user
# (created by Debian's postgresql-15 package). Durability stays on (fsync), as in
# production.
set -euo pipefail
source "$(dirname "$0")/lib/test-server.sh"

pgbin=/usr/lib/postgresql/15/bin
usage="usage: postgres-server.sh start PORT|auto DIR | stop DIR"
command=${1:?$usage}

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

# As root: DIR belongs to the postgres user, who must reach it through its parents.
give_to_postgres_user() {
  local dir=$1 parent=$1
  if ! id postgres >/dev/null 2>&1; then
    echo "errand: running as root needs the 'postgres' user (from the postgresql-15 package) to run initdb" >&2
    exit 1
  fi
  chown postgres:postgres "$dir"
  while [ "$parent" != / ]; do parent=$(dirname "$parent"); chmod o+x "$parent" 2>/dev/null || true; done
}

# Starts the server of DIR's data on PORT; fails if it did not start (see server.log).
start_on() {
  local port=$1 dir=$2
  rm -f "$dir/server.log"
  as_owner "$pgbin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 30 start -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200\" >/dev/null"
}

case "$command" in
  start)
    requested=${2:?port or auto}; dir=$(state_dir "${3:?dir}")
    "$0" stop "$dir"
    if [ ! -x "$pgbin/initdb" ]; then
      echo "errand: PostgreSQL 15 is not installed ($pgbin/initdb); run scripts/install-deps.sh" >&2; exit 1
    fi
    if [ "$(id -u)" = 0 ]; then give_to_postgres_user "$dir"; fi
    as_owner "$pgbin/initdb -D '$dir/data' -U errand --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >'$dir/initdb.log' 2>&1" || {
      echo "errand: initdb failed; its log:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
    started=no
    for _ in $(seq 1 "$(start_attempts "$requested")"); do
      port=$(pick_port "$requested")
      if start_on "$port" "$dir"; then started=yes; break; fi
      lost_port "$dir/server.log" || break
    done
    if [ "$started" = no ]; then
      echo "errand: PostgreSQL did not start on 127.0.0.1:$port; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    head -1 "$dir/data/postmaster.pid" >"$dir/postgres.pid"
    # One database per test group (CTest's DB numbers), so groups never see each other's queues.
    for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
      "$pgbin/psql" "host=127.0.0.1 port=$port user=errand dbname=postgres" -qAtc "CREATE DATABASE errand_test_$n" >/dev/null
    done
    echo "$port" >"$dir/port"
    echo "errand: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(cat "$dir/postgres.pid")), databases errand_test_1..12"
    ;;
  stop)
    [ -d "${2:?dir}" ] || exit 0
    dir=$(state_dir "$2")
    # QUIT: immediate shutdown, no checkpoint (seconds on a busy box): the data goes next.
    stop_server "$dir/postgres.pid" "$dir/data" QUIT
    rm -f "$dir/port"
    rm -rf "$dir/data"
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
