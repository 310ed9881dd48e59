#!/usr/bin/env bash
# Starts or stops a throwaway redis-server on 127.0.0.1 for tests, tracked by PID.
#   scripts/redis-server.sh start PORT DIR    # fails loudly if it cannot start
#   scripts/redis-server.sh stop DIR
set -euo pipefail

command=${1:?usage: redis-server.sh start PORT DIR | stop DIR}
case "$command" in
  start)
    port=${2:?port}; dir=${3:?dir}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    "$0" stop "$dir"
    if ! command -v redis-server >/dev/null; then
      echo "errand: redis-server is not installed; run scripts/install-deps.sh" >&2; exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "errand: port $port on 127.0.0.1 is already in use; stop what runs there or pick another port" >&2
      exit 1
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 1 100); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then
        echo "errand: redis-server $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port (pid $(cat "$dir/redis.pid"))"
        exit 0
      fi
      sleep 0.1
    done
    echo "errand: redis-server did not answer PING on 127.0.0.1:$port within 10 s; its log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    dir=${2:?dir}
    pidfile="$dir/redis.pid"
    [ -f "$pidfile" ] || exit 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pidfile"
    ;;
  *) echo "usage: redis-server.sh start PORT DIR | stop DIR" >&2; exit 2 ;;
esac
