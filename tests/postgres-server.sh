#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the tests and benchmarks: a fresh data folder in a temp dir, on a
# free loopback port, owned by the postgres user when run as root (PostgreSQL refuses to run as root).
#   eval "$(tests/postgres-server.sh start)"   # exports ANALYTICS_POSTGRES (a connection string) and ANALYTICS_POSTGRES_DIR
#   tests/postgres-server.sh stop "$ANALYTICS_POSTGRES_DIR"
# Set ANALYTICS_POSTGRES_DURABLE=1 to keep fsync on (benchmarks); the tests run with it off.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL's server binaries (Debian package postgresql) are not installed." >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/analytics-postgres.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    user=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    fsync=off
    [ "${ANALYTICS_POSTGRES_DURABLE:-0}" = 1 ] && fsync=on
    for _ in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 30000))
      ss -ltn | grep -q ":$port " && continue
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=300" start >/dev/null; then
        echo "export ANALYTICS_POSTGRES='Host=127.0.0.1;Port=$port;Username=$user;Database=postgres'"
        echo "export ANALYTICS_POSTGRES_DIR='$dir'"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    dir=${2:?the folder printed by start}
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
