#!/usr/bin/env bash
# Starts or stops a throwaway redis-server on 127.0.0.1 for tests, tracked by PID.
#   scripts/redis-server.sh start PORT|auto DIR   # fails loudly if it cannot start
#   scripts/redis-server.sh stop DIR
# DIR holds its state: redis.pid, redis.log and `port`, the port it listens on (with
# `auto`, a free one: see free_port in lib/test-server.sh). stop stops only the server
# DIR started.
set -euo pipefail
source "$(dirname "$0")/lib/test-server.sh"

usage="usage: redis-server.sh start PORT|auto DIR | stop DIR"
command=${1:?$usage}

# The PID of the redis-server answering on PORT ("" if none answers).
pid_answering() {
  redis-cli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p'
}

# Starts redis-server on PORT with its state in DIR; succeeds once it answers there
# (the server of DIR, not another one), fails if it could not or did not within 10 s.
start_on() {
  local port=$1 dir=$2 pid
  rm -f "$dir/redis.log"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" || return 1
  for _ in $(seq 1 100); do
    pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(pid_answering "$port")" = "$pid" ]; then return 0; fi
    if lost_port "$dir/redis.log"; then return 1; fi
    sleep 0.1
  done
  return 1
}

case "$command" in
  start)
    requested=${2:?port or auto}; dir=$(state_dir "${3:?dir}")
    "$0" stop "$dir"
    if ! command -v redis-server >/dev/null; then
      echo "errand: redis-server is not installed; run scripts/install-deps.sh" >&2; exit 1
    fi
    for _ in $(seq 1 "$(start_attempts "$requested")"); do
      port=$(pick_port "$requested")
      if start_on "$port" "$dir"; then
        echo "$port" >"$dir/port"
        echo "errand: redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port (pid $(cat "$dir/redis.pid"))"
        exit 0
      fi
      "$0" stop "$dir"
      lost_port "$dir/redis.log" || break
    done
    echo "errand: redis-server did not start on 127.0.0.1:$port (no answer within 10 s); its log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    [ -d "${2:?dir}" ] || exit 0
    dir=$(state_dir "$2")
    stop_server "$dir/redis.pid" "$dir" TERM
    rm -f "$dir/port"
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
