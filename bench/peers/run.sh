#!/usr/bin/env bash
# dbshift side by side with the engines' own clients, dbmate and sqitch, on the
# same generated workload, in one run (like leveldb's db_bench_sqlite3.cc).
#
#   bench/peers/run.sh                       # PostgreSQL and SQLite, 5 interleaved rounds
#   ROUNDS=7 bench/peers/run.sh              # more rounds
#   BIG=0 ENGINES=pg bench/peers/run.sh      # quick: PostgreSQL only, no 10,000 set
#   BIG=0 ENGINES=mysql bench/peers/run.sh   # MariaDB only (not in the default set)
#   ENGINES="pg sqlite mysql" bench/peers/run.sh   # all three
#
# What it does (details in bench/README.md):
#  1. ../shared/peers/setup.sh (as root, idempotent: dbmate, sqitch, hyperfine,
#     PostgreSQL 15 on 127.0.0.1:$PEERS_PG_PORT, MariaDB 10.11 on
#     127.0.0.1:$PEERS_MY_PORT) and its env.sh; builds dbshift (Release,
#     build-bench/) unless DBSHIFT=path is given, and the bench/floor programs. For mysql it creates (as the
#     peers' root, idempotently) a password user MYSQL_USER@127.0.0.1 allowed
#     on the databases dbshift_bench_*; every MariaDB contender connects as it
#     over TCP.
#  2. gen_migrations.sh N (1,000) and its conversion to dbshift's native
#     layout: V<i>__create_t_<nnnnnn>.sql, the same SQL without BEGIN/COMMIT
#     (dbshift runs each migration in its own transaction). For mysql, which
#     gen_migrations.sh does not write, the same three statements in MariaDB's
#     dialect (BIGINT AUTO_INCREMENT, VARCHAR(200), TIMESTAMP(6)), as dbshift
#     files, dbmate files and one all.sql.
#  3. ROUNDS interleaved rounds; each runs every contender once, on a fresh
#     database (PostgreSQL: createdb/dropdb; SQLite: a new file; MariaDB:
#     CREATE/DROP DATABASE), in an order rotated by one every round. Per
#     contender: median time, and the median of its per-round ratio to the
#     floor of the same round. On mysql the contenders are floor (the mariadb
#     client, all.sql in one session), dbshift and dbmate: DDL commits
#     implicitly there, so the one-transaction pair does not apply (dbshift
#     refuses --single-transaction with DDL on MySQL), and sqitch is left out.
#  4. hyperfine: `dbshift status` and a no-op `dbshift up` next to `dbmate
#     status` / no-op `dbmate up` at 1,000 applied (and `sqitch status` on pg
#     and sqlite), and at NBIG (10,000) applied, on databases each tool applied
#     itself; the floor is bench/floor's pg_read_history / sqlite_read_history,
#     which only connect and read the history table, next to psql / sqlite3.
#  5. hyperfine: start-up (`--version`) of dbshift, dbmate, sqlite3, psql (and
#     mariadb when mysql is measured).
#  6. A Markdown report in bench/results/<date>.md (printed too), with the raw
#     per-round times and hyperfine JSON in bench/results/<date>/.
#
# Everything else it creates lives in one temporary folder that it removes, and
# in PostgreSQL / MariaDB databases named dbshift_bench_<pid>_* that it drops.
# The peers' servers keep running unless STOP=1.
#
# Settings (environment):
#   ROUNDS=5        interleaved rounds for the 1,000-migration apply (>= 1)
#   N=1000          migrations per round;  NBIG=10000  for the status set
#   ENGINES="pg sqlite"   BIG_ENGINES="$ENGINES"   (BIG=0 skips the NBIG set)
#                   engines: pg, sqlite, mysql (MariaDB). mysql is not in the
#                   default: the full pg+sqlite run already takes 1.5-3 h here.
#   BIG_FLOOR="pg"  engines on which the NBIG apply is also timed for the raw client
#                   (SQLite 3.40's ALTER TABLE ADD COLUMN grows with the schema:
#                   10,000 migrations take tens of minutes per apply)
#   CONTENDERS="floor dbshift dbmate sqitch floor1 dbshift1"   who takes part in the
#                   rounds on pg and sqlite (floor is required: every ratio is to it;
#                   dbshift1 needs floor1). Fewer contenders make more rounds affordable.
#   TIMINGS=1       0 stops after the rounds: no status, start-up or NBIG timings
#   HF_WARMUP=3 HF_RUNS=30   hyperfine settings for status / no-op up
#   STARTUP_RUNS=100         hyperfine runs for --version
#   MYSQL_USER=dbshift_bench MYSQL_PASSWORD=dbshift_bench   the MariaDB bench user
#   DBMATE=path     the dbmate binary (default: the peers' native npm binary)
#   DBSHIFT=path    a dbshift binary to measure (default: build-bench/, built if needed)
#   BUILD_DIR=path  where to build dbshift (default <repo>/build-bench)
#   PEERS_DIR=path  the peers scripts (default <repo>/../shared/peers)
#   SKIP_SETUP=1    do not run setup.sh (the tools and servers must be there)
#   CMD_TIMEOUT=7200  seconds after which one command is killed
#   RESULTS_NAME=<date>   report name under bench/results/
#   STOP=1          stop the peers' servers at the end
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$REPO/../shared/peers}"
RESULTS_DIR="$REPO/bench/results"

ROUNDS="${ROUNDS:-5}"
N="${N:-1000}"
NBIG="${NBIG:-10000}"
BIG="${BIG:-1}"
ENGINES="${ENGINES:-pg sqlite}"
BIG_ENGINES="${BIG_ENGINES:-$ENGINES}"
BIG_FLOOR="${BIG_FLOOR:-pg}"
HF_WARMUP="${HF_WARMUP:-3}"
HF_RUNS="${HF_RUNS:-30}"
STARTUP_RUNS="${STARTUP_RUNS:-100}"
CMD_TIMEOUT="${CMD_TIMEOUT:-7200}"
STOP="${STOP:-0}"
TIMINGS="${TIMINGS:-1}"
read -ra CONTENDERS <<<"${CONTENDERS:-floor dbshift dbmate sqitch floor1 dbshift1}"
SKIP_SETUP="${SKIP_SETUP:-0}"
RESULTS_NAME="${RESULTS_NAME:-$(date -u +%Y-%m-%d)}"

die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

is_count "$ROUNDS" || die "ROUNDS must be a positive integer"
is_count "$N" || die "N must be a positive integer"
is_count "$NBIG" || die "NBIG must be a positive integer"
for v in HF_RUNS STARTUP_RUNS CMD_TIMEOUT; do is_count "${!v}" || die "$v must be a positive integer"; done
[[ "$HF_WARMUP" =~ ^[0-9]+$ ]] || die "HF_WARMUP must be a non-negative integer"
[[ "$TIMINGS" == 0 || "$TIMINGS" == 1 ]] || die "TIMINGS must be 0 or 1"
for e in $ENGINES $BIG_ENGINES $BIG_FLOOR; do
  [[ $e == pg || $e == sqlite || $e == mysql ]] || die "unknown engine '$e' (pg, sqlite, mysql)"
done
[[ -x "$PEERS_DIR/setup.sh" && -f "$PEERS_DIR/env.sh" ]] ||
  die "peers scripts not found in $PEERS_DIR (set PEERS_DIR)"
in_list() { [[ " $2 " == *" $1 "* ]]; }
for c in "${CONTENDERS[@]}"; do
  in_list "$c" "floor dbshift dbmate sqitch floor1 dbshift1" || die "unknown contender '$c'"
done
in_list floor "${CONTENDERS[*]}" || die "CONTENDERS must include floor"
if in_list dbshift1 "${CONTENDERS[*]}" && ! in_list floor1 "${CONTENDERS[*]}"; then
  die "CONTENDERS with dbshift1 must include floor1"
fi
# uses ENGINE: is ENGINE measured at all (rounds or the NBIG set)?
uses() { in_list "$1" "$ENGINES" || { [[ "$BIG" == 1 ]] && in_list "$1" "$BIG_ENGINES"; }; }
MYSQL_USER="${MYSQL_USER:-dbshift_bench}"
MYSQL_PASSWORD="${MYSQL_PASSWORD:-dbshift_bench}"
[[ "$MYSQL_USER" =~ ^[A-Za-z0-9_]+$ && "$MYSQL_PASSWORD" =~ ^[A-Za-z0-9_]+$ ]] ||
  die "MYSQL_USER and MYSQL_PASSWORD must be letters, digits and _ (they go into URLs and SQL)"

# ------------------------------------------------------------------ set-up
if [[ "$SKIP_SETUP" != 1 ]]; then
  log "peers: setup.sh (idempotent)"
  setup_log="$(mktemp)"
  if [[ $(id -u) -eq 0 ]]; then
    "$PEERS_DIR/setup.sh" >"$setup_log" 2>&1 || { cat "$setup_log" >&2; rm -f "$setup_log"; die "setup.sh failed"; }
  else
    # shellcheck disable=SC2024 # the log is ours; only setup.sh needs root
    sudo -n "$PEERS_DIR/setup.sh" >"$setup_log" 2>&1 || { cat "$setup_log" >&2; rm -f "$setup_log"; die "setup.sh failed (it needs root)"; }
  fi
  rm -f "$setup_log"
fi
# shellcheck source=/dev/null
. "$PEERS_DIR/env.sh"
export PGHOST=127.0.0.1 PGPORT="$PEERS_PG_PORT" PGUSER=postgres PGSSLMODE=disable
unset PGDATABASE DATABASE_URL

PG_BIN=/usr/lib/postgresql/15/bin
PSQL="$PG_BIN/psql"  # not /usr/bin/psql: a perl wrapper costing ~20 ms per call
DBMATE="${DBMATE:-$PEERS_HOME/node/node_modules/@dbmate/linux-x64/bin/dbmate}"  # native, not the node wrapper
SQLITE3="$(command -v sqlite3 || true)"
SQITCH="$(command -v sqitch || true)"
HYPERFINE="$(command -v hyperfine || true)"
MARIADB="$(command -v mariadb || true)"  # the client itself (an ELF binary; mysql is a link to it)
needed=("$DBMATE" "$HYPERFINE")
if uses pg || uses sqlite; then needed+=("$SQITCH"); fi
if uses pg; then needed+=("$PSQL" "$PG_BIN/createdb" "$PG_BIN/dropdb"); fi
if uses sqlite; then needed+=("$SQLITE3"); fi
if uses mysql; then needed+=("$MARIADB"); fi
for tool in "${needed[@]}"; do
  [[ -n "$tool" && -x "$tool" ]] || die "missing tool: ${tool:-sqlite3/sqitch/hyperfine/mariadb} (run setup.sh)"
done
command -v jq >/dev/null || die "jq is needed to read hyperfine's JSON"
if uses pg; then
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PEERS_PG_PORT" -t 30 || die "PostgreSQL is not answering on 127.0.0.1:$PEERS_PG_PORT"
fi
# The bench user's client over TCP, as every MariaDB contender connects;
# --no-defaults so no option file changes what is measured.
MARIADB_SERVER=""
my_client() { "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PEERS_MY_PORT" -u "$MYSQL_USER" -p"$MYSQL_PASSWORD" "$@"; }
if uses mysql; then
  # The peers' server has only root without a password; create (idempotently)
  # a password user for TCP, allowed on the bench databases only. As root over
  # the socket when it is there, else as root@127.0.0.1 over TCP (setup.sh).
  my_root=("$MARIADB" --no-defaults -u root)
  if [[ -S "${PEERS_MY_SOCK:-}" ]]; then my_root+=(--socket="$PEERS_MY_SOCK")
  else my_root+=(--protocol=TCP -h 127.0.0.1 -P "$PEERS_MY_PORT"); fi
  "${my_root[@]}" --connect-timeout=30 -e "
    CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
    ALTER USER '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
    GRANT ALL PRIVILEGES ON \`dbshift\\_bench\\_%\`.* TO '$MYSQL_USER'@'127.0.0.1';" ||
    die "MariaDB is not answering as root on ${PEERS_MY_SOCK:-127.0.0.1:$PEERS_MY_PORT} (run setup.sh)"
  my_client -N -B -e 'SELECT 1' >/dev/null || die "cannot log in to MariaDB as $MYSQL_USER on 127.0.0.1:$PEERS_MY_PORT"
  MARIADB_SERVER="$(my_client -N -B -e 'SELECT VERSION()')"
fi

# The Release build holds dbshift (unless DBSHIFT= names another binary) and
# pg_read_history / sqlite_read_history, the floor of the status timings
# (bench/floor), built either way.
# shellcheck source=SCRIPTDIR/../release_build.sh
source "$REPO/bench/release_build.sh"
build_targets=(pg_read_history sqlite_read_history)
[[ -n "${DBSHIFT:-}" ]] || build_targets+=(dbshift)
release_build "${build_targets[@]}"
DBSHIFT="${DBSHIFT:-$BUILD_DIR/src/dbshift/cli/dbshift}"
FLOOR_BIN="$BUILD_DIR/bench/floor"
# The status timings' names; the report reads them after every phase.
STATUS_FLOOR="floor: bench/floor/*_read_history connects and reads the history table"
STATUS_CLIENT="client (psql / sqlite3 / mariadb) reads the history table"
# The floor of the status timings: *_read_history where it applies (pg, sqlite).
status_floor_of() { if [[ $1 == mysql ]]; then echo "$STATUS_CLIENT"; else echo "$STATUS_FLOOR"; fi; }
[[ -x "$DBSHIFT" ]] || die "DBSHIFT=$DBSHIFT is not executable"
DBSHIFT="$(cd "$(dirname "$DBSHIFT")" && pwd)/$(basename "$DBSHIFT")"

# Read-only git: --no-optional-locks keeps status from refreshing the index.
GIT_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if git -C "$REPO" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  GIT_REV="$GIT_REV + uncommitted changes"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/dbshift-peers.XXXXXX")"
DB_PREFIX="dbshift_bench_$$"
PG_DBS="$TMP/pg_databases"  # every database created, dropped on exit
: >"$PG_DBS"
MY_DBS="$TMP/mysql_databases"  # the same for MariaDB
: >"$MY_DBS"
cleanup() {
  local rc=$?
  if [[ -s "$PG_DBS" ]]; then
    local db
    while read -r db; do "$PG_BIN/dropdb" --if-exists "$db" >/dev/null 2>&1 || true; done <"$PG_DBS"
  fi
  if [[ -s "$MY_DBS" ]]; then
    local db
    while read -r db; do my_client -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1 || true; done <"$MY_DBS"
  fi
  rm -rf -- "$TMP"
  if [[ "$STOP" == 1 ]]; then "$PEERS_DIR/stop.sh" >&2 || true; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

OUT="$RESULTS_DIR/$RESULTS_NAME"
mkdir -p "$OUT"
REPORT="$RESULTS_DIR/$RESULTS_NAME.md"
ROUNDS_TSV="$OUT/rounds.tsv"
printf 'engine\tcontender\tround\tseconds\n' >"$ROUNDS_TSV"
BIG_TSV="$OUT/big_apply.tsv"
printf 'engine\tcontender\tseconds\n' >"$BIG_TSV"
ERRLOG="$TMP/stderr.log"
RUNLOG_DIR="$TMP/dbshift-run-log"  # dbshift's run log: written as by default, kept out of the repo
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------- workload
# gen_migrations.sh N DIR, plus DIR/<engine>/dbshift/V<i>__create_t_<nnnnnn>.sql
# (raw/<nnnnnn>.sql without its BEGIN;/COMMIT; lines), and all_1tx.sql for
# sqlite3 (all.sql inside one BEGIN/COMMIT).
# DIR/mysql: gen_migrations.sh writes no MySQL dialect, so the same three
# statements per migration are written here, in MariaDB's types, in the same
# layouts: all.sql (the floor: no transaction control, since MySQL commits DDL
# implicitly), dbshift/V<i>__create_t_<nnnnnn>.sql and
# dbmate/db/migrations/<YYYYMMDDhhmmss>_create_t_<nnnnnn>.sql (gen_migrations.sh's
# versions: 2026-11-21 00:00:00 + i seconds).
generate_mysql() {
  local count=$1 root=$2/mysql made
  rm -rf -- "$root"
  mkdir -p "$root/dbshift" "$root/dbmate/db/migrations"
  awk -v n="$count" -v root="$root" 'BEGIN {
    all = root "/all.sql"
    for (i = 1; i <= n; i++) {
      t = sprintf("t_%06d", i)
      up = sprintf("CREATE TABLE %s (\n  id BIGINT AUTO_INCREMENT PRIMARY KEY,\n  name VARCHAR(200) NOT NULL,\n  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)\n);\nCREATE INDEX %s_name_idx ON %s (name);\nALTER TABLE %s ADD COLUMN note TEXT;", t, t, t, t)
      printf "-- migration %06d\n%s\n\n", i, up > all
      f = sprintf("%s/dbshift/V%d__create_t_%06d.sql", root, i, i)
      print up > f; close(f)
      f = sprintf("%s/dbmate/db/migrations/20261121%02d%02d%02d_create_%s.sql", root, int(i / 3600), int(i / 60) % 60, i % 60, t)
      printf "-- migrate:up\n%s\n\n-- migrate:down\nDROP TABLE %s;\n", up, t > f; close(f)
    }
  }'
  made=$(find "$root/dbshift" -name 'V*.sql' | wc -l)
  [[ "$made" -eq "$count" ]] || die "wrote $made of $count migrations for dbshift (mysql)"
  made=$(find "$root/dbmate/db/migrations" -name '*.sql' | wc -l)
  [[ "$made" -eq "$count" ]] || die "wrote $made of $count migrations for dbmate (mysql)"
}

generate() {
  local count=$1 dir=$2 e
  "$PEERS_DIR/gen_migrations.sh" "$count" "$dir" 2>/dev/null
  if uses mysql; then generate_mysql "$count" "$dir"; fi
  for e in pg sqlite; do
    mkdir -p "$dir/$e/dbshift"
    # shellcheck disable=SC2016 # awk's own $0
    find "$dir/$e/raw" -name '*.sql' -print0 | sort -z |
      xargs -0 awk -v out="$dir/$e/dbshift" '
        FNR == 1 {
          if (o != "") close(o)
          n = FILENAME; sub(/.*\//, "", n); sub(/\.sql$/, "", n)
          o = sprintf("%s/V%d__create_t_%s.sql", out, n + 0, n)
        }
        $0 == "BEGIN;" || $0 == "COMMIT;" { next }
        { print > o }'
    local made
    made=$(find "$dir/$e/dbshift" -name 'V*.sql' | wc -l)
    [[ "$made" -eq "$count" ]] || die "converted $made of $count migrations for dbshift ($e)"
    # sqitch: run psql/sqlite3 children from the same binaries as the floor
    # (Debian's /usr/bin/psql is a perl wrapper costing ~20 ms per change).
    if [[ $e == pg ]]; then
      sed -i "s|^\tclient = psql$|\tclient = $PSQL|" "$dir/$e/sqitch/sqitch.conf"
    else
      sed -i "s|^\tclient = sqlite3$|\tclient = $SQLITE3|" "$dir/$e/sqitch/sqitch.conf"
    fi
    { echo 'BEGIN;'; cat "$dir/$e/all.sql"; echo 'COMMIT;'; } >"$dir/$e/all_1tx.sql"
  done
}

log "workload: generating $N migrations"
generate "$N" "$TMP/gen$N"

# ------------------------------------------------------------- contenders
pg_url() { echo "postgres://postgres@127.0.0.1:$PEERS_PG_PORT/$1?sslmode=disable"; }
my_url() { echo "mysql://$MYSQL_USER:$MYSQL_PASSWORD@127.0.0.1:$PEERS_MY_PORT/$1"; }
# One folder per SQLite database: sqitch keeps its registry (sqitch.db) and
# dbshift its lock file beside the database.
sqlite_path() { echo "$TMP/sqlite/$1/db.sqlite"; }

new_db() { # engine name: a fresh, empty database
  if [[ $1 == pg ]]; then
    "$PG_BIN/dropdb" --if-exists "$2" >/dev/null 2>&1 || true
    "$PG_BIN/createdb" "$2"
    echo "$2" >>"$PG_DBS"
  elif [[ $1 == mysql ]]; then
    my_client -e "DROP DATABASE IF EXISTS \`$2\`; CREATE DATABASE \`$2\`"
    echo "$2" >>"$MY_DBS"
  else
    rm -rf -- "$TMP/sqlite/$2"
    mkdir -p "$TMP/sqlite/$2"
  fi
}

drop_db() { # engine name
  if [[ $1 == pg ]]; then
    "$PG_BIN/dropdb" --if-exists "$2" >/dev/null 2>&1 || true
  elif [[ $1 == mysql ]]; then
    my_client -e "DROP DATABASE IF EXISTS \`$2\`" >/dev/null 2>&1 || true
  else
    rm -rf -- "$TMP/sqlite/$2"
  fi
}

# Runs contender $2 on engine $1 against database $3 with the migrations of $4.
# Output goes to /dev/null, errors to $ERRLOG.
invoke() {
  local e=$1 who=$2 db=$3 d=$4/$1 url
  case $e in
    pg) url=$(pg_url "$db") ;;
    mysql) url=$(my_url "$db") ;;
    *) url="sqlite:$(sqlite_path "$db")" ;;
  esac
  case "$e:$who" in
    pg:floor) timeout -k 10 "$CMD_TIMEOUT" "$PSQL" -q -X -v ON_ERROR_STOP=1 -d "$db" -f "$d/all_tx.sql" ;;
    pg:floor1) timeout -k 10 "$CMD_TIMEOUT" "$PSQL" -1 -q -X -v ON_ERROR_STOP=1 -d "$db" -f "$d/all.sql" ;;
    sqlite:floor) timeout -k 10 "$CMD_TIMEOUT" "$SQLITE3" "$(sqlite_path "$db")" <"$d/all_tx.sql" ;;
    sqlite:floor1) timeout -k 10 "$CMD_TIMEOUT" "$SQLITE3" "$(sqlite_path "$db")" <"$d/all_1tx.sql" ;;
    # One session, stops at the first error (batch mode without --force).
    mysql:floor) timeout -k 10 "$CMD_TIMEOUT" "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PEERS_MY_PORT" \
      -u "$MYSQL_USER" -p"$MYSQL_PASSWORD" -D "$db" <"$d/all.sql" ;;
    mysql:floor1 | mysql:dbshift1 | mysql:sqitch) die "contender $who does not apply to mysql" ;;
    *:dbshift) timeout -k 10 "$CMD_TIMEOUT" "$DBSHIFT" --url "$url" --dir "$d/dbshift" --log-dir "$RUNLOG_DIR" up ;;
    *:dbshift1) timeout -k 10 "$CMD_TIMEOUT" "$DBSHIFT" --url "$url" --dir "$d/dbshift" --log-dir "$RUNLOG_DIR" up --single-transaction ;;
    *:dbmate) timeout -k 10 "$CMD_TIMEOUT" "$DBMATE" --url "$url" -d "$d/dbmate/db/migrations" --no-dump-schema up ;;
    pg:sqitch) timeout -k 10 "$CMD_TIMEOUT" "$SQITCH" --chdir "$d/sqitch" deploy --target "db:pg://postgres@127.0.0.1:$PEERS_PG_PORT/$db" ;;
    sqlite:sqitch) timeout -k 10 "$CMD_TIMEOUT" "$SQITCH" --chdir "$d/sqitch" deploy --target "db:sqlite:$(sqlite_path "$db")" ;;
    *) die "unknown contender $e:$who" ;;
  esac
}

table_count() { # engine db
  if [[ $1 == pg ]]; then
    "$PSQL" -X -A -t -q -d "$2" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'"
  elif [[ $1 == mysql ]]; then
    my_client -N -B -e "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$2' AND table_name LIKE 't\\\\_%'"
  else
    "$SQLITE3" "$(sqlite_path "$2")" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't\\_%' ESCAPE '\\'"
  fi
}

ELAPSED=  # seconds, set by timed
# timed engine contender db migrations-dir expected-tables
timed() {
  local e=$1 who=$2 db=$3 set=$4 want=$5 t0 t1 rc got
  echo "=== $e $who $db" >>"$ERRLOG"
  t0=$EPOCHREALTIME
  if invoke "$e" "$who" "$db" "$set" >/dev/null 2>>"$ERRLOG"; then rc=0; else rc=$?; fi
  t1=$EPOCHREALTIME
  if ((rc != 0)); then
    tail -20 "$ERRLOG" >&2
    die "$e $who failed (exit $rc)"
  fi
  got=$(table_count "$e" "$db")
  [[ "$got" -eq "$want" ]] || { tail -20 "$ERRLOG" >&2; die "$e $who left $got tables, expected $want"; }
  local us=$((${t1/./} - ${t0/./}))
  ELAPSED=$(printf '%d.%06d' $((us / 1000000)) $((us % 1000000)))
}

# MariaDB: no one-transaction pair (DDL commits implicitly; dbshift refuses
# --single-transaction with DDL there) and no sqitch.
MYSQL_CONTENDERS=(floor dbshift dbmate)
contenders_of() { # engine -> names, one per line
  if [[ $1 == mysql ]]; then printf '%s\n' "${MYSQL_CONTENDERS[@]}"; else printf '%s\n' "${CONTENDERS[@]}"; fi
}
# Start-up rows of the report (the commands timed when their tools are there).
STARTUP_NAMES=("dbshift --version" "dbmate --version" "sqlite3 --version" "psql --version")
if uses mysql; then STARTUP_NAMES+=("mariadb --version"); fi

# ------------------------------------------------------------- report
SQLITE_VERSION=""
if [[ -x "$SQLITE3" ]]; then SQLITE_VERSION="$("$SQLITE3" --version | cut -d' ' -f1)"; fi
# "10.11.19-MariaDB-0+deb12u1" -> "MariaDB 10.11.19"
MARIADB_TITLE="MariaDB ${MARIADB_SERVER%%-*}"
title() {
  case $1 in
    pg) echo "PostgreSQL 15" ;;
    mysql) echo "$MARIADB_TITLE" ;;
    *) echo "SQLite $SQLITE_VERSION" ;;
  esac
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
times_of() { awk -F'\t' -v e="$1" -v c="$2" 'NR > 1 && $1 == e && $2 == c { print $4 }' "$ROUNDS_TSV"; }
# per-round ratio of contender $2 to contender $3 on engine $1
ratios_of() {
  awk -F'\t' -v e="$1" -v c="$2" -v b="$3" '
    NR > 1 && $1 == e && $2 == c { t[$3] = $4 }
    NR > 1 && $1 == e && $2 == b { f[$3] = $4 }
    END { for (r in t) if (r in f) printf "%.6f\n", t[r] / f[r] }' "$ROUNDS_TSV"
}
range_of() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f–%.2f", lo, hi }'; }
# The middle half of the values (first to third quartile, nearest rank): with
# many rounds, how far the median could move.
quartiles_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "–"; exit }
  lo = int((NR + 3) / 4); hi = int((3 * NR + 3) / 4); printf "%.3f–%.3f", v[lo], v[hi] }'; }
cell_time() { local m; m=$(times_of "$1" "$2" | median); if [[ $m == nan ]]; then echo "–"; else printf '%.2f s' "$m"; fi; }
cell_ratio() {
  local m rg
  m=$(ratios_of "$1" "$2" "$3" | median)
  [[ $m == nan ]] && { echo "–"; return; }
  rg=$(ratios_of "$1" "$2" "$3" | range_of)
  printf '**%.3fx** (%s)' "$m" "$rg"
}
verdict() { # value op limit
  [[ -z "$1" || "$1" == nan ]] && { echo "not measured"; return; }
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "met" : "**not met**" }'
}

hf_stat() { # json command-name field -> seconds
  jq -r --arg n "$2" --arg f "$3" '.results[] | select(.command == $n) | .[$f]' "$1"
}
ms() { awk -v s="$1" 'BEGIN { if (s == "" || s == "null") print "–"; else printf "%.1f ms", s * 1000 }'; }
hf_cell() { # json command -> "median (min … , ±σ)"
  local f=$1 c=$2 med min sd
  med=$(hf_stat "$f" "$c" median)
  [[ -z "$med" || "$med" == null ]] && { echo "–"; return; }
  min=$(hf_stat "$f" "$c" min)
  sd=$(hf_stat "$f" "$c" stddev)
  printf '%s (min %s, σ %s)' "$(ms "$med")" "$(ms "$min")" "$(ms "$sd")"
}

tool_version() { # binary awk-field -> its version, or – when not installed
  if [[ -n "$1" && -x "$1" ]]; then "$1" --version | awk -v f="$2" '{ print $f; exit }'; else echo "–"; fi
}

# write_report STATE: the Markdown report from whatever has been measured so far,
# so that a run stopped half-way still leaves its figures.
write_report() {
  local state=$1 LOAD_END e n c f v v_ms m m1 line hdr sep limit sizes
  LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
  {
    echo "# dbshift side by side: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Produced by \`bench/peers/run.sh\` (ROUNDS=$ROUNDS, N=$N, NBIG=$NBIG). dbshift $("$DBSHIFT" --version | head -1) at $GIT_REV;"
    echo "dbmate $("$DBMATE" --version | awk '{print $3}'), sqitch $(tool_version "$SQITCH" 3),"
    echo "psql $(tool_version "$PSQL" 3), sqlite3 $(tool_version "$SQLITE3" 1), hyperfine $("$HYPERFINE" --version | awk '{print $2}')."
    if uses mysql; then
      echo "MariaDB server $MARIADB_SERVER (the peers' throwaway server: --no-defaults, InnoDB defaults), mariadb client $("$MARIADB" --version | sed -n 's/.*Distrib \([^,]*\),.*/\1/p')."
    fi
    echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)); load average (1/5/15 min)"
    echo "$LOAD_START at the start, $LOAD_END at the end. **Figures taken under load** (other jobs share the"
    echo "machine), so absolute times move a lot between passes; the per-round paired ratios are the numbers to read."
    if [[ $state != complete ]]; then echo; echo "**Partial report** (written $state); the run had not finished."; fi
    echo
    echo "## Applying $N migrations ($ROUNDS interleaved rounds, fresh database per contender)"
    echo
    echo "Time: median over rounds. Ratio: median over rounds of (contender / floor of the same round), with its"
    echo "range over rounds. Floor: the engine's own client, one session, one transaction per migration. One-tx"
    echo "floor: the same SQL in one transaction; \`--single-transaction\` is compared with it."
    if in_list mysql "$ENGINES"; then
      echo "MariaDB: the floor is the mariadb client running all.sql in one session (no BEGIN/COMMIT: MySQL commits"
      echo "each DDL statement implicitly); the one-tx pair (dbshift refuses \`--single-transaction\` with DDL on"
      echo "MySQL) and sqitch are not measured there (–). Every MariaDB contender logs in over TCP as the same"
      echo "password user."
    fi
    echo
    hdr="| contender |"; sep="|---|"
    for e in $ENGINES; do hdr+=" $(title "$e") time | ratio |"; sep+="---|---|"; done
    echo "$hdr"; echo "$sep"
    row() { # label contender base
      local line="| $1 |" e
      for e in $ENGINES; do line+=" $(cell_time "$e" "$2") | $(cell_ratio "$e" "$2" "$3") |"; done
      echo "$line"
    }
    if in_list mysql "$ENGINES"; then
      row "floor: \`psql -f all_tx.sql\` / \`sqlite3 db < all_tx.sql\` / \`mariadb < all.sql\`" floor floor
    else
      row "floor: \`psql -f all_tx.sql\` / \`sqlite3 db < all_tx.sql\`" floor floor
    fi
    row "**dbshift up**" dbshift floor
    row "dbmate up (native binary, --no-dump-schema)" dbmate floor
    row "sqitch deploy" sqitch floor
    row "one-tx floor: \`psql -1 -f all.sql\` / sqlite3 BEGIN; all.sql; COMMIT (vs floor)" floor1 floor
    row "**dbshift up --single-transaction** (vs one-tx floor)" dbshift1 floor1
    echo
    echo "Targets:"
    for e in $ENGINES; do
      m=$(ratios_of "$e" dbshift floor | median)
      if [[ $e == mysql ]]; then
        printf -- '- %s: dbshift/floor %.3f <= 1.03: %s (no --single-transaction on MySQL with DDL)\n' \
          "$(title "$e")" "$m" "$(verdict "$m" '<=' 1.03)"
        continue
      fi
      m1=$(ratios_of "$e" dbshift1 floor1 | median)
      printf -- '- %s: dbshift/floor %.3f <= 1.03: %s (middle half of rounds %s); --single-transaction/one-tx floor %.3f <= 1.05: %s (middle half %s)\n' \
        "$(title "$e")" "$m" "$(verdict "$m" '<=' 1.03)" "$(ratios_of "$e" dbshift floor | quartiles_of)" \
        "$m1" "$(verdict "$m1" '<=' 1.05)" "$(ratios_of "$e" dbshift1 floor1 | quartiles_of)"
    done
    echo
    if [[ "$TIMINGS" == 1 ]]; then
      echo "## Status and no-op up (hyperfine -N, --warmup $HF_WARMUP, --runs $HF_RUNS)"
      echo
      echo "Each tool on a database it applied itself. Cells: median (min, standard deviation)."
      echo
      sizes=("$N")
      [[ "$BIG" == 1 && -n "${BIG_ENGINES// /}" ]] && sizes+=("$NBIG")
      hdr="| command |"; sep="|---|"
      for n in "${sizes[@]}"; do
        for e in $ENGINES; do
          if [[ $n == "$N" ]] || in_list "$e" "$BIG_ENGINES"; then hdr+=" $(title "$e"), $n applied |"; sep+="---|"; fi
        done
      done
      echo "$hdr"; echo "$sep"
      for c in "$STATUS_FLOOR" "$STATUS_CLIENT" "dbshift status" "dbshift up (no-op)" "dbmate status" "dbmate up (no-op)" "sqitch status"; do
        line="| $c |"
        for n in "${sizes[@]}"; do
          for e in $ENGINES; do
            if [[ $n == "$N" ]] || in_list "$e" "$BIG_ENGINES"; then
              f="$OUT/hyperfine_status_${e}_$n.json"
              if [[ -f "$f" ]]; then line+=" $(hf_cell "$f" "$c") |"; else line+=" – |"; fi
            fi
          done
        done
        echo "$line"
      done
      echo
      echo "Targets (median):"
      for n in "${sizes[@]}"; do
        limit=5; [[ $n != "$N" ]] && limit=15
        for e in $ENGINES; do
          f="$OUT/hyperfine_status_${e}_$n.json"
          [[ -f "$f" ]] || continue
          for c in "dbshift status" "dbshift up (no-op)"; do
            v=$(hf_stat "$f" "$c" median)
            fl=$(hf_stat "$f" "$(status_floor_of "$e")" median)
            v_ms=$(awk -v s="$v" 'BEGIN { printf "%.1f", s * 1000 }')
            fl_ms=$(awk -v s="$fl" 'BEGIN { printf "%.1f", s * 1000 }')
            ratio=$(awk -v a="$v" -v b="$fl" 'BEGIN { printf "%.2f", a / b }')
            echo "- $(title "$e"), $n applied, $c: $v_ms ms <= $limit ms: $(verdict "$v_ms" '<=' "$limit") (floor $fl_ms ms; ${ratio}x the floor)"
          done
          # A floor above the target means no client reaches it on this machine.
          if awk -v f="$fl_ms" -v l="$limit" 'BEGIN { exit !(f > l) }'; then
            echo "  - the floor itself ($(status_floor_of "$e")) takes $fl_ms ms > $limit ms here"
          fi
        done
      done
      echo
      echo "## Start-up (hyperfine -N, --warmup 10, --runs $STARTUP_RUNS)"
      echo
      echo "| command | median (min, σ) |"
      echo "|---|---|"
      if [[ -f "$OUT/hyperfine_startup.json" ]]; then
        for c in "${STARTUP_NAMES[@]}"; do
          echo "| \`$c\` | $(hf_cell "$OUT/hyperfine_startup.json" "$c") |"
        done
        v=$(hf_stat "$OUT/hyperfine_startup.json" "dbshift --version" median)
        v_ms=$(awk -v s="$v" 'BEGIN { printf "%.2f", s * 1000 }')
        echo
        echo "Target: dbshift start-up $v_ms ms <= 2 ms: $(verdict "$v_ms" '<=' 2)"
    else
      echo "| (not measured yet) | |"
    fi
    if [[ -s "$BIG_TSV" && $(wc -l <"$BIG_TSV") -gt 1 ]]; then
      echo
      echo "## Applying $NBIG migrations (one pass each; builds the databases for the status timings)"
      echo
      echo "Not paired in rounds, so the ratio is indicative only."
      echo
      echo "| engine | contender | time | ratio to floor |"
      echo "|---|---|---|---|"
      awk -F'\t' 'NR > 1 { t[$1 "\t" $2] = $3; if ($2 == "floor") f[$1] = $3; o[++k] = $1 "\t" $2 }
        END { for (i = 1; i <= k; i++) { split(o[i], p, "\t"); r = (p[1] in f) ? sprintf("%.3fx", t[o[i]] / f[p[1]]) : "–"
              printf "| %s | %s | %.1f s | %s |\n", (p[1] == "pg" ? "PostgreSQL" : p[1] == "mysql" ? "MariaDB" : "SQLite"), p[2], t[o[i]], r } }' "$BIG_TSV"
    fi
    else
      echo "Status, no-op up and start-up: not timed in this run (TIMINGS=0)."
    fi
    echo
    echo "Raw data: \`bench/results/$RESULTS_NAME/\` (rounds.tsv: every timed apply; hyperfine_*.json)."
  } >"$REPORT"
}

# ------------------------------------------------------------- rounds
for e in $ENGINES; do
  log "rounds: $ROUNDS interleaved rounds of $(contenders_of "$e" | tr '\n' ' ')on $e"
done
for ((r = 1; r <= ROUNDS; r++)); do
  for e in $ENGINES; do
    mapfile -t order < <(contenders_of "$e")
    k=${#order[@]}
    for ((j = 0; j < k; j++)); do
      who=${order[$(((j + r - 1) % k))]}
      db="${DB_PREFIX}_${e}_${who}"
      new_db "$e" "$db"
      timed "$e" "$who" "$db" "$TMP/gen$N" "$N"
      printf '%s\t%s\t%d\t%s\n' "$e" "$who" "$r" "$ELAPSED" >>"$ROUNDS_TSV"
      log "round $r/$ROUNDS $e $who: ${ELAPSED}s"
      # The last round's databases of each tool stay for the status timings.
      if ((r < ROUNDS)) || [[ $who == floor* || $who == dbshift1 ]]; then drop_db "$e" "$db"; fi
    done
  done
done

write_report "after the rounds"
if [[ "$TIMINGS" == 0 ]]; then
  write_report complete
  cat "$REPORT"
  log "report: $REPORT"
  exit 0
fi

# ------------------------------------------------------------- hyperfine
HF_LIST="$TMP/hyperfine_files"
: >"$HF_LIST"
# hf name [-n label cmd]...: one hyperfine run, JSON kept in the results folder.
hf() {
  local name=$1; shift
  local json="$OUT/hyperfine_$name.json"
  timeout -k 10 "$CMD_TIMEOUT" "$HYPERFINE" -N --style none --warmup "$HF_WARMUP" --runs "$HF_RUNS" \
    --export-json "$json" "$@" >>"$ERRLOG" 2>&1 || { tail -30 "$ERRLOG" >&2; die "hyperfine $name failed"; }
  echo "$json" >>"$HF_LIST"
}

status_set() { # engine count db-suffix "peers to time (dbmate, sqitch)" migrations
  local e=$1 n=$2 sfx=$3 peers=$4 set=$5/$1 sh_url mate_url
  if [[ $e == pg ]]; then
    sh_url=$(pg_url "${DB_PREFIX}_${e}_dbshift$sfx")
    mate_url=$(pg_url "${DB_PREFIX}_${e}_dbmate$sfx")
  elif [[ $e == mysql ]]; then
    sh_url=$(my_url "${DB_PREFIX}_${e}_dbshift$sfx")
    mate_url=$(my_url "${DB_PREFIX}_${e}_dbmate$sfx")
  else
    sh_url="sqlite:$(sqlite_path "${DB_PREFIX}_${e}_dbshift$sfx")"
    mate_url="sqlite:$(sqlite_path "${DB_PREFIX}_${e}_dbmate$sfx")"
  fi
  # dbshift must see every migration applied, or the timings mean nothing.
  local applied
  applied=$("$DBSHIFT" --url "$sh_url" --dir "$set/dbshift" --format json status | jq '[.migrations[] | select(.state == "applied")] | length')
  [[ "$applied" -eq "$n" ]] || die "dbshift status on $e sees $applied applied, expected $n"
  # The engine's own client connecting and reading dbshift's history table;
  # on pg and sqlite, pg_read_history / sqlite_read_history (which do only
  # that, linked to libpq or SQLite) are the floor: the least any status must
  # do, without the files.
  local client_cmd floor_cmd=""
  if [[ $e == pg ]]; then
    client_cmd="$PSQL -X -q -d $sh_url -o /dev/null -c 'SELECT * FROM dbshift_history'"
    floor_cmd="$FLOOR_BIN/pg_read_history $sh_url"
  elif [[ $e == mysql ]]; then
    client_cmd="$MARIADB --no-defaults --protocol=TCP -h 127.0.0.1 -P $PEERS_MY_PORT -u $MYSQL_USER -p$MYSQL_PASSWORD -D ${DB_PREFIX}_${e}_dbshift$sfx -e 'SELECT * FROM dbshift_history'"
  else
    client_cmd="$SQLITE3 ${sh_url#sqlite:} 'SELECT * FROM dbshift_history'"
    floor_cmd="$FLOOR_BIN/sqlite_read_history ${sh_url#sqlite:}"
  fi
  local args=(-n "$STATUS_CLIENT" "$client_cmd")
  if [[ -n $floor_cmd ]]; then
    # Checked once: a floor that reads nothing would flatter every ratio.
    [[ "$($floor_cmd)" =~ ^$n\ rows, ]] || die "$floor_cmd does not read $n rows"
    args+=(-n "$STATUS_FLOOR" "$floor_cmd")
  fi
  args+=(
    -n "dbshift status" "$DBSHIFT --url $sh_url --dir $set/dbshift --log-dir $RUNLOG_DIR status"
    -n "dbshift up (no-op)" "$DBSHIFT --url $sh_url --dir $set/dbshift --log-dir $RUNLOG_DIR up"
  )
  if in_list dbmate "$peers"; then
    args+=(-n "dbmate status" "$DBMATE --url $mate_url -d $set/dbmate/db/migrations status"
      -n "dbmate up (no-op)" "$DBMATE --url $mate_url -d $set/dbmate/db/migrations --no-dump-schema up")
  fi
  if in_list sqitch "$peers"; then
    local target
    if [[ $e == pg ]]; then
      target="db:pg://postgres@127.0.0.1:$PEERS_PG_PORT/${DB_PREFIX}_${e}_sqitch$sfx"
    else
      target="db:sqlite:$(sqlite_path "${DB_PREFIX}_${e}_sqitch$sfx")"
    fi
    args+=(-n "sqitch status" "$SQITCH --chdir $set/sqitch status --target $target")
  fi
  hf "status_${e}_$n" "${args[@]}"
}

for e in $ENGINES; do
  log "hyperfine: status and no-op up, $e, $N applied"
  # Only the peers that took part in the rounds have a database of this set.
  peers=$(contenders_of "$e" | grep -xE 'dbmate|sqitch' | tr '\n' ' ' || true)
  status_set "$e" "$N" "" "$peers" "$TMP/gen$N"
done

log "hyperfine: start-up"
HF_RUNS_SAVED=$HF_RUNS HF_WARMUP_SAVED=$HF_WARMUP
HF_RUNS=$STARTUP_RUNS HF_WARMUP=10
startup_args=(-n "dbshift --version" "$DBSHIFT --version" -n "dbmate --version" "$DBMATE --version")
[[ -x "$SQLITE3" ]] && startup_args+=(-n "sqlite3 --version" "$SQLITE3 --version")
[[ -x "$PSQL" ]] && startup_args+=(-n "psql --version" "$PSQL --version")
uses mysql && startup_args+=(-n "mariadb --version" "$MARIADB --version")
hf startup "${startup_args[@]}"
HF_RUNS=$HF_RUNS_SAVED HF_WARMUP=$HF_WARMUP_SAVED
write_report "before the $NBIG-migration set"

if [[ "$BIG" == 1 && -n "${BIG_ENGINES// /}" ]]; then
  log "workload: generating $NBIG migrations"
  generate "$NBIG" "$TMP/gen$NBIG"
  for e in $BIG_ENGINES; do
    # Applied once per engine and tool, reused by every hyperfine run.
    big_contenders=(dbshift dbmate)
    in_list "$e" "$BIG_FLOOR" && big_contenders=(floor dbshift dbmate)
    for who in "${big_contenders[@]}"; do
      db="${DB_PREFIX}_${e}_${who}_big"
      new_db "$e" "$db"
      log "big: applying $NBIG migrations on $e with $who (one pass; this takes a while)"
      timed "$e" "$who" "$db" "$TMP/gen$NBIG" "$NBIG"
      printf '%s\t%s\t%s\n' "$e" "$who" "$ELAPSED" >>"$BIG_TSV"
      log "big: $e $who: ${ELAPSED}s"
      [[ $who == floor ]] && drop_db "$e" "$db"
    done
    log "hyperfine: status and no-op up, $e, $NBIG applied"
    status_set "$e" "$NBIG" "_big" dbmate "$TMP/gen$NBIG"
    drop_db "$e" "${DB_PREFIX}_${e}_dbshift_big"
    drop_db "$e" "${DB_PREFIX}_${e}_dbmate_big"
  done
fi

write_report complete
cat "$REPORT"
log "report: $REPORT"

