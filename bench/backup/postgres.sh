#!/usr/bin/env bash
# dbshift backup / restore of a PostgreSQL database of about 1 GB side by
# side with pg_dump -Fd -j2 / pg_restore -j2 on the same server, in one run.
#
#   PGURL=postgres://postgres@127.0.0.1:55433/postgres bench/backup/postgres.sh
#   DBSHIFT=/path/to/dbshift ROWS=6000000 ROUNDS=3 JOBS=2 bench/backup/postgres.sh
#
# PGURL is an admin URL on 127.0.0.1 (it creates and drops databases); by
# default DBSHIFT_TEST_POSTGRES_URL, which scripts/test-servers.sh start sets.
#
# 1. One migration creates four tables (events, users, orders with a foreign
#    key to users, tags) with their indexes; then psql fills them outside
#    the migrations (ROWS events of about 150 bytes, ROWS/10 users, ROWS/4
#    orders): a database of about ROWS * 190 bytes with a history.
# 2. ROUNDS rounds; in each, in alternating order, each tool backs up the
#    source into a fresh folder and restores that into a fresh, empty
#    database, with JOBS connections:
#      pg_dump -Fd -j JOBS -f DIR SRC      pg_restore -j JOBS -d NEW DIR
#      dbshift backup --jobs JOBS          dbshift restore --jobs JOBS
#    Every restore is checked by its row counts.
# 3. Prints the median time of each and the median over rounds of
#    dbshift / pg tool in the same round, with the range, and the sizes on
#    disk of both backups.
set -euo pipefail

ROWS="${ROWS:-6000000}"
ROUNDS="${ROUNDS:-3}"
JOBS="${JOBS:-2}"
PGURL="${PGURL:-${DBSHIFT_TEST_POSTGRES_URL:-}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

die() { echo "postgres.sh: $*" >&2; exit 1; }
[[ -n "$PGURL" ]] || die "set PGURL to an admin URL of a PostgreSQL 15 server on 127.0.0.1"
[[ "$PGURL" == *@127.0.0.1:* ]] || die "PGURL must point at 127.0.0.1"
for tool in psql pg_dump pg_restore; do command -v $tool >/dev/null || die "needs $tool"; done
if [[ -z "${DBSHIFT:-}" ]]; then
  cmake -S "$REPO" -B "$REPO/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build-bench" -j2 --target dbshift >/dev/null
  DBSHIFT="$REPO/build-bench/src/dbshift/cli/dbshift"
fi

# The notices of DROP DATABASE IF EXISTS are not part of the report.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
BASE="${PGURL%/*}"  # postgres://user@127.0.0.1:port
url_of() { echo "$BASE/$1"; }
admin() { psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -c "$1" >/dev/null; }
SRC=dbshift_bench_src

TMP="$(mktemp -d "${TMPDIR:-/tmp}/dbshift-pgbackupbench.XXXXXX")"
cleanup() {
  for db in $SRC dbshift_bench_pg dbshift_bench_dbshift; do
    admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  done
  rm -rf -- "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/migrations"
cat >"$TMP/migrations/V1__schema.sql" <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),
  amount numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL);
CREATE INDEX orders_user ON orders (user_id);
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload text NOT NULL,
  at timestamptz NOT NULL);
CREATE INDEX events_kind_at ON events (kind, at);
CREATE TABLE tags (name text PRIMARY KEY, description text);
SQL

admin "DROP DATABASE IF EXISTS $SRC WITH (FORCE)"
admin "CREATE DATABASE $SRC"
"$DBSHIFT" --url "$(url_of $SRC)" --dir "$TMP/migrations" --log-dir "$TMP/log" -q up >/dev/null
echo "filling $SRC with $ROWS events ..." >&2
psql -X -q -v ON_ERROR_STOP=1 "$(url_of $SRC)" >/dev/null <<SQL
INSERT INTO users SELECT g, 'user ' || g, 'user' || g || '@example.com', '2026-01-01'::timestamptz + g * interval '1 min'
  FROM generate_series(1, $ROWS / 10) g;
INSERT INTO orders (user_id, amount, placed_at)
  SELECT 1 + g % ($ROWS / 10), (g % 10000) / 100.0, '2026-01-01'::timestamptz + g * interval '1 s'
  FROM generate_series(1, $ROWS / 4) g;
INSERT INTO events SELECT g, 'kind-' || (g % 17), md5(g::text) || ' ' || md5((g * 7)::text) || ' ' || repeat(chr(65 + g % 26), 40),
  '2026-01-01'::timestamptz + g * interval '1 s' FROM generate_series(1, $ROWS) g;
INSERT INTO tags SELECT 'tag' || g, 'a tag' FROM generate_series(1, 1000) g;
VACUUM ANALYZE;
SQL
DB_BYTES=$(psql -X -At "$PGURL" -c "SELECT pg_database_size('$SRC')")
COUNT_SQL="SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM orders) || ' ' || (SELECT count(*) FROM events)"
EXPECTED=$(psql -X -At "$(url_of $SRC)" -c "$COUNT_SQL")

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
fresh() { admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; admin "CREATE DATABASE $1"; }
declare -a B_PG B_DBSHIFT R_PG R_DBSHIFT
for ((round = 1; round <= ROUNDS; round++)); do
  dir="$TMP/round$round"
  mkdir -p "$dir"
  for who in $( ((round % 2)) && echo "pg dbshift" || echo "dbshift pg"); do
    if [[ $who == pg ]]; then
      fresh dbshift_bench_pg
      t0=$(now); pg_dump -Fd -j "$JOBS" -f "$dir/pgdump" "$(url_of $SRC)"; t1=$(now)
      B_PG+=($((t1 - t0)))
      t0=$(now); pg_restore -j "$JOBS" -d "$(url_of dbshift_bench_pg)" "$dir/pgdump"; t1=$(now)
      R_PG+=($((t1 - t0)))
      [[ $(psql -X -At "$(url_of dbshift_bench_pg)" -c "$COUNT_SQL") == "$EXPECTED" ]] ||
        die "pg_restore lost rows"
      PG_BYTES=$(du -sb "$dir/pgdump" | cut -f1)
    else
      fresh dbshift_bench_dbshift
      t0=$(now)
      "$DBSHIFT" --url "$(url_of $SRC)" --dir "$TMP/migrations" --log-dir "$TMP/log" -q backup \
        --jobs "$JOBS" --out "$dir/backups" >/dev/null
      t1=$(now)
      B_DBSHIFT+=($((t1 - t0)))
      folder=$(find "$dir/backups" -mindepth 1 -maxdepth 1 -type d)
      t0=$(now)
      "$DBSHIFT" --url "$(url_of dbshift_bench_dbshift)" --dir "$TMP/migrations" \
        --log-dir "$TMP/log" -q restore --jobs "$JOBS" --from "$folder" >/dev/null
      t1=$(now)
      R_DBSHIFT+=($((t1 - t0)))
      [[ $(psql -X -At "$(url_of dbshift_bench_dbshift)" -c "$COUNT_SQL") == "$EXPECTED" ]] ||
        die "dbshift restore lost rows"
      DBSHIFT_BYTES=$(du -sb "$folder" | cut -f1)
    fi
  done
  rm -rf "$dir"
  echo "round $round: backup pg_dump ${B_PG[-1]} us, dbshift ${B_DBSHIFT[-1]} us;" \
    "restore pg_restore ${R_PG[-1]} us, dbshift ${R_DBSHIFT[-1]} us" >&2
done

source "$HERE/paired_report.sh"
echo
echo "PostgreSQL $(psql -X -At "$PGURL" -c 'SHOW server_version'), database $((DB_BYTES / 1000000)) MB" \
  "($ROWS events); $JOBS jobs; $ROUNDS rounds"
echo "on disk: pg_dump -Fd $((PG_BYTES / 1000000)) MB, dbshift backup $((DBSHIFT_BYTES / 1000000)) MB" \
  "(dbshift / pg_dump $(awk -v a="$DBSHIFT_BYTES" -v b="$PG_BYTES" 'BEGIN { printf "%.2f", a / b }'))"
echo
echo "| | pg_dump / pg_restore | dbshift | dbshift / pg (range) |"
echo "|---|---|---|---|"
summary "backup" "${B_DBSHIFT[*]}" "${B_PG[*]}"
summary "restore" "${R_DBSHIFT[*]}" "${R_PG[*]}"
