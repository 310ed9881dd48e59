#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 on 127.0.0.1 for tests, tracked by PID.
#   scripts/postgres-server.sh start PORT DIR   # fails loudly if it cannot start
#   scripts/postgres-server.sh stop DIR
# initdb refuses to run as root, so as root the server runs as the `postgres` user
# (created by Debian's postgresql-15 package). Durability stays on (fsync), as in
# production; the data lives under DIR and is removed by stop.
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin
command=${1:?usage: postgres-server.sh start PORT DIR | stop DIR}

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

case "$command" in
  start)
    port=${2:?port}; dir=${3:?dir}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    "$0" stop "$dir"
    if [ ! -x "$pgbin/initdb" ]; then
      echo "errand: PostgreSQL 15 is not installed ($pgbin/initdb); run scripts/install-deps.sh" >&2; exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "errand: port $port on 127.0.0.1 is already in use; stop what runs there or pick another port" >&2
      exit 1
    fi
    if [ "$(id -u)" = 0 ]; then
      if ! id postgres >/dev/null 2>&1; then
        echo "errand: running as root needs the 'postgres' user (from the postgresql-15 package) to run initdb" >&2
        exit 1
      fi
      chown postgres:postgres "$dir"
      # The postgres user must be able to reach DIR through its parents.
      parent=$dir
      while [ "$parent" != / ]; do parent=$(dirname "$parent"); chmod o+x "$parent" 2>/dev/null || true; done
    fi
    as_owner "$pgbin/initdb -D '$dir/data' -U errand --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >'$dir/initdb.log' 2>&1" || {
      echo "errand: initdb failed; its log:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
    if ! as_owner "$pgbin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 30 start -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200\" >/dev/null"; then
      echo "errand: PostgreSQL did not start on 127.0.0.1:$port; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    # One database per test group (CTest's DB numbers), so groups never see each other's queues.
    for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
      "$pgbin/psql" "host=127.0.0.1 port=$port user=errand dbname=postgres" -qAtc "CREATE DATABASE errand_test_$n" >/dev/null
    done
    head -1 "$dir/data/postmaster.pid" >"$dir/postgres.pid"
    echo "errand: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(cat "$dir/postgres.pid")), databases errand_test_1..12"
    ;;
  stop)
    dir=${2:?dir}
    pidfile="$dir/postgres.pid"
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      if kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid"  # fast shutdown
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      fi
      rm -f "$pidfile"
    fi
    rm -rf "$dir/data"
    ;;
  *) echo "usage: postgres-server.sh start PORT DIR | stop DIR" >&2; exit 2 ;;
esac
