#!/usr/bin/env bash
# Starts or stops the throwaway servers the integration tests use, on
# 127.0.0.1 only, with their data under /tmp.
#   scripts/test-servers.sh start   prints export lines for the test URLs
#   scripts/test-servers.sh stop    stops them (by pid file) and removes the data
set -euo pipefail

PG_PORT="${DBSHIFT_TEST_PG_PORT:-55433}"
PG_DIR="${DBSHIFT_TEST_PG_DIR:-/tmp/dbshift-test-pg}"
PG_BIN=/usr/lib/postgresql/15/bin

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    rm -rf "$PG_DIR"
    mkdir -p "$PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1
    cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
max_locks_per_transaction = 1024
fsync = on
logging_collector = off
CONF
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null
  fi
  echo "export DBSHIFT_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:$PG_PORT/postgres'"
}

stop_postgres() {
  if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$PG_DIR"
}

case "${1:-}" in
  start) start_postgres ;;
  stop) stop_postgres ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
