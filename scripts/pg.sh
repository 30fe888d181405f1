#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the ledger tests and benchmarks.
#   scripts/pg.sh start DIR PORT   initdb in DIR, start on 127.0.0.1:PORT (fsync on, trust auth on
#                                  loopback only, unix sockets in DIR), create database `gateway`,
#                                  wait until it answers, print its URL on stdout
#   scripts/pg.sh pause DIR        stop it (fast shutdown) and keep DIR: `start DIR PORT` brings the
#                                  same cluster back with its data
#   scripts/pg.sh stop DIR         stop it (fast shutdown) and remove DIR
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user and DIR is
# handed to it. Everything but the URL goes to stderr; the server log is DIR/server.log.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start DIR PORT | pause DIR | stop DIR" >&2
  exit 2
}

# Runs a PostgreSQL binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 port=$2
  case $port in '' | *[!0-9]*) usage ;; esac
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = "0" ]; then
    chown postgres: "$dir"
    chmod 700 "$dir"
  fi
  # A DIR that already holds a cluster (stopped by `pg.sh stop`) is started again as it was:
  # tests take the ledger's database away and bring it back with its data.
  local fresh=0
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    fresh=1
    # --no-sync: initdb need not flush a throwaway cluster; the server itself runs with fsync on.
    as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale --no-sync \
      --auth-local=trust --auth-host=reject >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # Trust on loopback only: the unix socket (in DIR, owner-only) and 127.0.0.1; nothing else.
    as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  fi
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c synchronous_commit=on" \
    >/dev/null || {
    echo "pg.sh: the server did not start on port $port:" >&2
    tail -20 "$dir/server.log" >&2
    exit 1
  }
  local tries=0
  until as_owner "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "pg.sh: server on port $port did not become ready; see $dir/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [ "$fresh" = 1 ]; then
    as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres gateway >&2
  fi
  echo "postgresql://postgres@127.0.0.1:$port/gateway"
}

pause() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
}

stop() {
  pause "$1"
  rm -rf "$1"
}

case ${1:-} in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  pause) [ $# -eq 2 ] || usage; pause "$2" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
