#!/usr/bin/env bash
# Starts and stops a throwaway redis-server on 127.0.0.1 for tests and local runs: no persistence,
# pidfile, log and working directory all inside DIR.
#
#   scripts/redis.sh start DIR PORT   # prints redis://127.0.0.1:PORT once it answers PING
#   scripts/redis.sh stop DIR         # kills the server in DIR's pidfile and removes DIR
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

start() {
  local dir="$1" port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] || usage
  command -v redis-server >/dev/null || { echo "redis.sh: redis-server not installed" >&2; exit 1; }
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # The config comes on stdin ('-'): no file to clean up, and nothing from /etc/redis applies.
  redis-server - >/dev/null <<CONF
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile "$dir/redis.pid"
logfile "$dir/redis.log"
dir "$dir"
save ""
appendonly no
CONF
  local _
  for _ in $(seq 1 100); do
    # Ours answers, not some other server that already held the port.
    if [[ -f "$dir/redis.pid" ]] &&
      redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null |
      grep -q "^process_id:$(cat "$dir/redis.pid")"$'\r'"\?$"; then
      echo "redis://127.0.0.1:$port"
      return 0
    fi
    grep -q "aborting" "$dir/redis.log" 2>/dev/null && break  # e.g. the port is taken
    sleep 0.05
  done
  echo "redis.sh: redis-server on port $port did not come up; its log:" >&2
  [[ -f "$dir/redis.log" ]] && tail -n 20 "$dir/redis.log" >&2
  stop "$dir" || true
  exit 1
}

stop() {
  local dir="$1" pid _
  if [[ -f "$dir/redis.pid" ]]; then
    pid="$(cat "$dir/redis.pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      # Still there after 5 s: not a clean shutdown, but the directory must go.
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
