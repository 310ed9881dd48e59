# What scripts/redis-server.sh and scripts/postgres-server.sh share: the state directory,
# choosing a port, and stopping a server by PID. Source it.

# The absolute physical path of DIR, made if missing (servers report their working
# directory that way, see runs_in).
state_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd -P)
}

# Whether something on 127.0.0.1 accepts connections on PORT.
port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port of 127.0.0.1 that nothing listens on right now, at random in 20000-31999: below
# Linux's ephemeral range (32768-60999), so the kernel never gives it to a client
# connection meanwhile; at random, so that runs going on at the same time (other build
# directories, other checkouts) seldom try the same one. The one that loses a race for
# a port finds it in use when its server starts, and tries another.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if ! port_answers "$port"; then echo "$port"; return 0; fi
  done
  echo "errand: found no free port on 127.0.0.1 in 20000-31999 in 50 tries" >&2
  return 1
}

# The port to start on: REQUESTED itself if free (a loud error if not), or a free one
# for `auto`.
pick_port() {
  local requested=$1
  if [ "$requested" = auto ]; then free_port; return; fi
  if port_answers "$requested"; then
    echo "errand: port $requested on 127.0.0.1 is already in use; stop what runs there or pick another port" >&2
    return 1
  fi
  echo "$requested"
}

# How many ports to try for REQUESTED: several for `auto`, one for a given port.
start_attempts() {
  if [ "$1" = auto ]; then echo 5; else echo 1; fi
}

# Whether a server's LOG says it could not listen because the port was taken.
lost_port() {
  grep -q 'Address already in use' "$1" 2>/dev/null
}

# Whether process PID runs in directory DIR (its working directory): a server this
# state directory started, not another process that got its PID since.
runs_in() {
  [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$2" ]
}

# Stops the server whose PID is in PIDFILE with SIGNAL (then SIGKILL after 10 s), if it
# still runs in DIR; removes PIDFILE. Never touches a process of another directory.
stop_server() {
  local pidfile=$1 dir=$2 signal=$3 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && runs_in "$pid" "$dir"; then
    kill "-$signal" "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  fi
  rm -f "$pidfile"
}
