#!/usr/bin/env bash
# Starts or stops the throwaway servers the integration tests use, on
# 127.0.0.1 only, with their data under /tmp.
#   scripts/test-servers.sh start   prints export lines for the test URLs
#   scripts/test-servers.sh stop    stops them (by pid file) and removes the data
# PostgreSQL 15: DBSHIFT_TEST_PG_PORT (55433), DBSHIFT_TEST_PG_DIR;
# MariaDB: DBSHIFT_TEST_MYSQL_PORT (53307), DBSHIFT_TEST_MYSQL_DIR.
set -euo pipefail

PG_PORT="${DBSHIFT_TEST_PG_PORT:-55433}"
PG_DIR="${DBSHIFT_TEST_PG_DIR:-/tmp/dbshift-test-pg}"
PG_BIN=/usr/lib/postgresql/15/bin
MYSQL_PORT="${DBSHIFT_TEST_MYSQL_PORT:-53307}"
MYSQL_DIR="${DBSHIFT_TEST_MYSQL_DIR:-/tmp/dbshift-test-mysql}"
MYSQL_USER=dbshift
MYSQL_PASSWORD=dbshift-test-pw

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

# The first of the given commands that is installed (MariaDB's names, then
# the older mysql_* ones).
first_command() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  echo "none of $* is installed (scripts/install-deps.sh --test)" >&2
  return 1
}

# Talks to the server as root over its unix socket (root has no password).
mysql_root() {
  "$(first_command mariadb mysql)" --no-defaults --socket="$MYSQL_DIR/mysql.sock" -uroot "$@"
}

mysql_alive() {
  "$(first_command mariadb-admin mysqladmin)" --no-defaults --socket="$MYSQL_DIR/mysql.sock" -uroot \
    --connect-timeout=2 ping >/dev/null 2>&1
}

start_mysql() {
  # As root the server runs as user mysql (it refuses to run as root).
  local as_user=()
  [[ $(id -u) -eq 0 ]] && as_user=(--user=mysql)
  if [[ ! -d "$MYSQL_DIR/data/mysql" ]]; then
    rm -rf "$MYSQL_DIR"
    mkdir -p "$MYSQL_DIR"
    [[ $(id -u) -eq 0 ]] && chown mysql:mysql "$MYSQL_DIR"
    "$(first_command mariadb-install-db mysql_install_db)" --no-defaults "${as_user[@]}" \
      --datadir="$MYSQL_DIR/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$MYSQL_DIR/install-db.log" 2>&1
  fi
  if ! mysql_alive; then
    # utf8mb4 as Debian's /etc/mysql config sets it (--no-defaults skips that).
    # performance_schema: `dbshift lock status` reads the holder from it.
    # setsid and closed descriptors: the server outlives this script and does
    # not hold the pipe of $(scripts/test-servers.sh start) open.
    setsid "$(first_command mariadbd mysqld)" --no-defaults "${as_user[@]}" \
      --datadir="$MYSQL_DIR/data" --bind-address=127.0.0.1 --port="$MYSQL_PORT" \
      --socket="$MYSQL_DIR/mysql.sock" --pid-file="$MYSQL_DIR/mysqld.pid" \
      --log-error="$MYSQL_DIR/server.log" --skip-name-resolve --max-connections=300 \
      --log-bin-trust-function-creators=1 --performance-schema=ON \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      </dev/null >>"$MYSQL_DIR/server.out" 2>&1 &
    local server_pid=$! waited=0
    until "$(first_command mariadb-admin mysqladmin)" --no-defaults -h127.0.0.1 -P"$MYSQL_PORT" -uroot \
        --connect-timeout=2 ping >/dev/null 2>&1 && mysql_alive; do
      if ((waited >= 60)) || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "MariaDB did not start; see $MYSQL_DIR/server.log" >&2
        tail -n 20 "$MYSQL_DIR/server.log" >&2 || true
        return 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
  fi
  mysql_root <<SQL
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'localhost' WITH GRANT OPTION;
SQL
  echo "export DBSHIFT_TEST_MYSQL_URL='mysql://$MYSQL_USER:$MYSQL_PASSWORD@127.0.0.1:$MYSQL_PORT/mysql'"
}

stop_mysql() {
  local pid=""
  [[ -f "$MYSQL_DIR/mysqld.pid" ]] && pid="$(cat "$MYSQL_DIR/mysqld.pid" 2>/dev/null || true)"
  if mysql_alive; then
    "$(first_command mariadb-admin mysqladmin)" --no-defaults --socket="$MYSQL_DIR/mysql.sock" -uroot \
      shutdown >/dev/null 2>&1 || true
  elif [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
  fi
  if [[ -n "$pid" ]]; then
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      if ((waited >= 60)); then
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 1
      waited=$((waited + 1))
    done
  fi
  rm -rf "$MYSQL_DIR"
}

case "${1:-}" in
  start) start_postgres; start_mysql ;;
  stop) stop_postgres; stop_mysql ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
