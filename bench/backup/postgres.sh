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
# 1. postgres_fixture.sh makes the source: four tables with indexes and a
#    foreign key, ROWS events, ROWS/10 users, ROWS/4 orders (about
#    ROWS * 190 bytes) and a history.
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
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH_DATABASES="dbshift_bench_pg dbshift_bench_dbshift"
source "$HERE/postgres_fixture.sh"

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
