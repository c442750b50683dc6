# Sourced by the PostgreSQL benchmarks (postgres.sh, rehearse_postgres.sh)
# once ROWS, HERE (their folder) and BENCH_DATABASES (the databases the
# benchmark makes) are set. Checks PGURL (default DBSHIFT_TEST_POSTGRES_URL)
# and the tools, builds dbshift in build-bench/ unless DBSHIFT names one,
# creates the source database $SRC of about ROWS * 190 bytes with a
# history, drops all of them and the work folder on exit, and defines
#   die MESSAGE   stops the benchmark;
#   url_of DB     the URL of database DB on PGURL's server;
#   admin SQL     runs SQL on PGURL;
#   TMP (a work folder with migrations/), DB_BYTES, COUNT_SQL, EXPECTED.
#
# One migration creates four tables (events, users, orders with a foreign
# key to users, tags) with their indexes; then psql fills them outside the
# migrations: ROWS events of about 150 bytes, ROWS/10 users, ROWS/4 orders.

PGURL="${PGURL:-${DBSHIFT_TEST_POSTGRES_URL:-}}"
REPO="$(cd "$HERE/../.." && pwd)"
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
[[ -n "$PGURL" ]] || die "set PGURL to an admin URL of a PostgreSQL 15 server on 127.0.0.1"
[[ "$PGURL" == *@127.0.0.1:* ]] || die "PGURL must point at 127.0.0.1"
for tool in psql pg_dump pg_restore; do command -v $tool >/dev/null || die "needs $tool"; done
# shellcheck source=SCRIPTDIR/../release_build.sh
source "$REPO/bench/release_build.sh"
release_dbshift

# The notices of DROP DATABASE IF EXISTS are not part of the report.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
BASE="${PGURL%/*}"  # postgres://user@127.0.0.1:port
url_of() { echo "$BASE/$1"; }
admin() { psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -c "$1" >/dev/null; }
SRC=dbshift_bench_src

TMP="$(mktemp -d "${TMPDIR:-/tmp}/dbshift-pgbench.XXXXXX")"
cleanup_databases() {
  for db in $SRC $BENCH_DATABASES; do
    admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  done
  rm -rf -- "$TMP"
}
trap cleanup_databases EXIT
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
