#!/usr/bin/env bash
# dbshift backup / restore of a SQLite database side by side with the
# sqlite3 shell's .backup / .restore (the same online backup API, without
# the manifest, checksums, row counts and fsyncs dbshift adds), in one run.
#
#   bench/backup/sqlite.sh                       # builds dbshift (Release, build-bench/)
#   DBSHIFT=/path/to/dbshift ROWS=2000000 ROUNDS=7 bench/backup/sqlite.sh
#
# 1. One migration creates a table and fills it with ROWS rows of about 100
#    bytes (recursive CTE), plus an index: a database of about ROWS * 150
#    bytes, applied by dbshift so that it has a history.
# 2. ROUNDS rounds; in each, in alternating order:
#      backup:  sqlite3 DB ".backup FILE"   vs  dbshift backup --out DIR
#      restore: sqlite3 NEW ".restore FILE" vs  dbshift restore --from DIR
#    each into a fresh file or folder, timed from the shell (EPOCHREALTIME).
#    Every dbshift backup is checked with `backup verify`, every restore by
#    the row count.
# 3. Prints the median time of each and the median over rounds of
#    dbshift / sqlite3 in the same round, with the range, and the sizes.
set -euo pipefail

ROWS="${ROWS:-1000000}"
ROUNDS="${ROUNDS:-5}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SQLITE3="${SQLITE3:-sqlite3}"

die() { echo "sqlite.sh: $*" >&2; exit 1; }
command -v "$SQLITE3" >/dev/null || die "needs the sqlite3 shell (apt-get install sqlite3)"
# shellcheck source=SCRIPTDIR/../release_build.sh
source "$REPO/bench/release_build.sh"
release_dbshift

TMP="$(mktemp -d "${TMPDIR:-/tmp}/dbshift-backupbench.XXXXXX")"
trap 'rm -rf -- "$TMP"' EXIT
mkdir -p "$TMP/migrations"
cat >"$TMP/migrations/V1__events.sql" <<SQL
CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, at TEXT NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO events (id, kind, payload, at)
SELECT i, 'kind-' || (i % 17), printf('%.80c', char(65 + i % 26)), datetime(1700000000 + i, 'unixepoch') FROM n;
CREATE INDEX events_kind ON events (kind);
SQL
DB="$TMP/source.db"
"$DBSHIFT" --url "sqlite:$DB" --dir "$TMP/migrations" --log-dir "$TMP/log" -q up >/dev/null
DB_BYTES=$(stat -c %s "$DB")

now() { echo "${EPOCHREALTIME/./}"; }  # microseconds
declare -a B_SQLITE B_DBSHIFT R_SQLITE R_DBSHIFT
for ((round = 1; round <= ROUNDS; round++)); do
  dir="$TMP/round$round"
  mkdir -p "$dir"
  for who in $( ((round % 2)) && echo "sqlite3 dbshift" || echo "dbshift sqlite3"); do
    if [[ $who == sqlite3 ]]; then
      t0=$(now); "$SQLITE3" "$DB" ".backup '$dir/copy.db'"; t1=$(now)
      B_SQLITE+=($((t1 - t0)))
      t0=$(now); "$SQLITE3" "$dir/restored-sqlite3.db" ".restore '$dir/copy.db'"; t1=$(now)
      R_SQLITE+=($((t1 - t0)))
      [[ $("$SQLITE3" "$dir/restored-sqlite3.db" "SELECT count(*) FROM events") == "$ROWS" ]] ||
        die "sqlite3 .restore lost rows"
    else
      t0=$(now)
      "$DBSHIFT" --url "sqlite:$DB" --dir "$TMP/migrations" --log-dir "$TMP/log" -q backup \
        --out "$dir/backups" >/dev/null
      t1=$(now)
      B_DBSHIFT+=($((t1 - t0)))
      folder=$(find "$dir/backups" -mindepth 1 -maxdepth 1 -type d)
      "$DBSHIFT" -q backup verify "$folder" >/dev/null || die "backup verify failed"
      t0=$(now)
      "$DBSHIFT" --url "sqlite:$dir/restored-dbshift.db" --dir "$TMP/migrations" \
        --log-dir "$TMP/log" -q restore --from "$folder" >/dev/null
      t1=$(now)
      R_DBSHIFT+=($((t1 - t0)))
      [[ $("$SQLITE3" "$dir/restored-dbshift.db" "SELECT count(*) FROM events") == "$ROWS" ]] ||
        die "dbshift restore lost rows"
      BACKUP_BYTES=$(du -sb "$folder" | cut -f1)
    fi
  done
  rm -rf "$dir"
  echo "round $round: backup sqlite3 ${B_SQLITE[-1]} us, dbshift ${B_DBSHIFT[-1]} us;" \
    "restore sqlite3 ${R_SQLITE[-1]} us, dbshift ${R_DBSHIFT[-1]} us" >&2
done

source "$HERE/paired_report.sh"
echo
echo "SQLite $("$SQLITE3" --version | cut -d' ' -f1), $ROWS rows, database $((DB_BYTES / 1000000)) MB;" \
  "dbshift backup folder $((BACKUP_BYTES / 1000000)) MB; $ROUNDS rounds"
echo
echo "| | sqlite3 | dbshift | dbshift / sqlite3 (range) |"
echo "|---|---|---|---|"
summary "backup" "${B_DBSHIFT[*]}" "${B_SQLITE[*]}"
summary "restore" "${R_DBSHIFT[*]}" "${R_SQLITE[*]}"
