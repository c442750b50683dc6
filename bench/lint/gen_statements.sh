#!/usr/bin/env bash
# A long PostgreSQL migration history as one script, for lint benchmarks.
#
#   bench/lint/gen_statements.sh [N] FILE     # N statements (default 10000)
#
# Writes FILE (about 55 bytes a statement: ~0.55 MB for 10,000) and
# FILE.starts: one line per statement, the 1-based line of its first token,
# in order. The same N gives the same bytes (a fixed pseudo-random sequence,
# exact in doubles, so gawk and mawk agree).
#
# The statements are what years of migrations contain, written so that
# PostgreSQL would accept them on the schema they assume (defaults match
# their column's type, indexes that are dropped or reindexed were created
# earlier, constraints are validated on the table they were added to):
# CREATE TABLE with serial, identity, int, bigint, smallint, varchar(n),
# char(n), text, timestamp and timestamptz columns; CREATE INDEX with and
# without CONCURRENTLY, UNIQUE, multi-column and expression indexes;
# ALTER TABLE ADD COLUMN (nullable, constant or volatile DEFAULT, NOT NULL
# with and without a DEFAULT, serial, REFERENCES, UNIQUE, IF NOT EXISTS);
# ADD CONSTRAINT (FOREIGN KEY, CHECK, UNIQUE, PRIMARY KEY, with and without
# NOT VALID or USING INDEX) and VALIDATE CONSTRAINT; ALTER COLUMN TYPE,
# SET / DROP NOT NULL, SET / DROP DEFAULT; RENAME COLUMN / TABLE; DROP
# COLUMN / TABLE / INDEX (with and without CONCURRENTLY); INSERT, UPDATE and
# DELETE (a few without WHERE); COMMENT ON; REINDEX; TRUNCATE ... CASCADE; a
# PL/pgSQL function in dollar quotes now and then; `--` and `/* */` comments
# between statements, and `;` inside string literals.
#
# Most ALTER, DROP and index statements name tables the script does not
# create (accts17, app.orders3: tables of earlier history), so the lock and
# compatibility rules apply to them; some name tables created earlier in the
# script (t_<k>), which linters that track new tables leave alone. The
# "safe NOT NULL" path also appears: CHECK (col IS NOT NULL) NOT VALID, later
# VALIDATE CONSTRAINT, later SET NOT NULL on the same column.
set -euo pipefail

if [[ $# -eq 1 ]]; then
  N=10000
  FILE=$1
elif [[ $# -eq 2 && "$1" =~ ^[1-9][0-9]*$ ]]; then
  N=$1
  FILE=$2
else
  echo "usage: $0 [N] FILE   (N >= 1, default 10000)" >&2
  exit 2
fi

# shellcheck disable=SC2016 # awk's own $ fields
awk -v n="$N" -v sql="$FILE" -v starts="$FILE.starts" '
# Park-Miller minimal standard generator: exact in doubles, so every awk
# gives the same sequence.
function rnd(k) { seed = (seed * 16807) % 2147483647; return seed % k }
function pick(list,    parts, c) { c = split(list, parts, " "); return parts[rnd(c) + 1] }
function pick_bar(list,    parts, c) { c = split(list, parts, "|"); return parts[rnd(c) + 1] }

# An existing table: one of 400, some schema-qualified.
function old_table(    k) {
  k = rnd(400) + 1
  if (k % 7 == 0) return "app." pick("orders users events") k
  return pick("acct user order event item note") "s" k
}
# A table created earlier in this script and not dropped since, or an old
# one when there is none.
function new_table(    k) {
  if (created == 0) return old_table()
  k = rnd(created) + 1
  return dropped["t_" k] ? old_table() : "t_" k
}
# Columns of the old tables, by what they hold.
function num_col() { return pick("total amount qty") }
function ref_col() { return pick("ref_id owner_id account_id parent_id") }
function text_col() { return pick("email name status kind note code") }
function any_col() { return rnd(3) == 0 ? num_col() : rnd(2) ? ref_col() : text_col() }
function plain_type() {
  return pick("text text int bigint smallint varchar(40) varchar(255) char(2) timestamp timestamptz boolean jsonb numeric(10,2) uuid date")
}
# "type DEFAULT value" with a value of that type that is not volatile.
function typed_default() {
  return pick_bar("text DEFAULT \047\047|text DEFAULT \047new\047|varchar(40) DEFAULT \047\047|varchar(255) DEFAULT \047n/a\047|char(2) DEFAULT \047xx\047|int DEFAULT 0|int DEFAULT -1|bigint DEFAULT 0|smallint DEFAULT 1|boolean DEFAULT false|boolean DEFAULT true|timestamptz DEFAULT now()|timestamptz DEFAULT current_timestamp|timestamp DEFAULT now()|date DEFAULT current_date|jsonb DEFAULT \047{}\047|numeric(10,2) DEFAULT 0")
}
function volatile_default() {
  return pick_bar("uuid DEFAULT gen_random_uuid()|uuid DEFAULT uuid_generate_v4()|double precision DEFAULT random()|timestamptz DEFAULT clock_timestamp()")
}
# "column TYPE new type", as type changes go: widening ids and amounts,
# dropping or changing a varchar limit, and some narrowing.
function type_change() {
  return pick_bar("qty TYPE bigint|qty TYPE int|amount TYPE numeric(12,2)|total TYPE numeric(14,2)|note TYPE text|email TYPE varchar(320)|name TYPE varchar(100)|code TYPE text|status TYPE varchar(20)|ref_id TYPE bigint|owner_id TYPE bigint|kind TYPE smallint|created_at TYPE timestamptz|created_at TYPE timestamp")
}

# An index created earlier in this script and not dropped since (its name;
# its table in idx_on), or one of earlier history.
function some_index(    k) {
  if (n_idx > 0) {
    k = rnd(n_idx) + 1
    if (!idx_gone[k]) { last_idx = k; idx_on = idx_table[k]; return idx_name[k] }
  }
  last_idx = 0
  idx_on = old_table()
  return "ix_" rnd(400) "_" any_col()
}
function add_index(name, table) { idx_name[++n_idx] = name; idx_table[n_idx] = table }

# Emits one statement (text without the final ";"), preceded now and then by
# a comment, and records the line of its first token.
function emit(text,    lines) {
  if (rnd(12) == 0) { print "-- " pick("step backfill fixme ticket") " " i > sql; line++ }
  if (rnd(80) == 0) { print "/* " pick("reviewed squashed") " */" > sql; line++ }
  print line > starts
  print text ";" > sql
  line += split(text, lines, "\n")
  if (rnd(8) == 0) { print "" > sql; line++ }
}

function create_table(    t, body, k, m, c) {
  t = "t_" (++created)
  body = "CREATE TABLE " (rnd(10) == 0 ? "IF NOT EXISTS " : "") t " ("
  k = rnd(4)
  if (k == 0) body = body "\n  id serial PRIMARY KEY"
  else if (k == 1) body = body "\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
  else if (k == 2) body = body "\n  id bigserial PRIMARY KEY"
  else body = body "\n  id int PRIMARY KEY"
  m = 1 + rnd(2)
  for (c = 1; c <= m; c++) body = body ",\n  c" c " " plain_type() (rnd(3) == 0 ? " NOT NULL" : "")
  if (rnd(5) == 0) body = body ",\n  ref_id bigint REFERENCES " old_table() " (id)"
  if (rnd(4) == 0) body = body ",\n  created_at timestamptz NOT NULL DEFAULT now()"
  return body "\n)"
}

function function_body() {
  return "CREATE FUNCTION f_" i "() RETURNS trigger AS $$\nBEGIN NEW.updated_at := now(); RETURN NEW; END;\n$$ LANGUAGE plpgsql"
}

function create_index(t, concurrently,    name, k, cols) {
  name = "i_" i
  k = rnd(6)
  if (k == 0) cols = "(" any_col() ", " any_col() ")"
  else if (k == 1) cols = "(lower(email))"
  else cols = "(" any_col() ")"
  add_index(name, t)
  return "CREATE INDEX " (concurrently ? "CONCURRENTLY " : "") name " ON " t " " cols (rnd(10) == 0 ? " WHERE deleted_at IS NULL" : "")
}

# ADD CONSTRAINT ... NOT VALID: remembered, so that a later VALIDATE names a
# constraint of the same table, once.
function add_not_valid(t, name, column) {
  nv_table[++n_nv] = t; nv_name[n_nv] = name; nv_col[n_nv] = column
}
function validate(t,    k, s) {
  if (n_nv > 0 && rnd(2) == 0) {
    k = rnd(n_nv) + 1
    if (nv_col[k] != "") { validated_table[++n_valid] = nv_table[k]; validated_col[n_valid] = nv_col[k] }
    s = "ALTER TABLE " nv_table[k] " VALIDATE CONSTRAINT " nv_name[k]
    nv_table[k] = nv_table[n_nv]; nv_name[k] = nv_name[n_nv]; nv_col[k] = nv_col[n_nv]; n_nv--
    return s
  }
  return "ALTER TABLE " t " VALIDATE CONSTRAINT " pick("chk fk") "_" rnd(1000)
}
# SET NOT NULL: a third of them finish the safe path, once, on a column
# whose IS NOT NULL check was validated.
function set_not_null(t,    k, s) {
  if (n_valid > 0 && rnd(3) == 0) {
    k = rnd(n_valid) + 1
    s = "ALTER TABLE " validated_table[k] " ALTER COLUMN " validated_col[k] " SET NOT NULL"
    validated_table[k] = validated_table[n_valid]; validated_col[k] = validated_col[n_valid]; n_valid--
    return s
  }
  return "ALTER TABLE " t " ALTER COLUMN " any_col() " SET NOT NULL"
}
function using_index(t, kind,    name) {
  if (n_unique > 0 && rnd(3) > 0) {
    name = unique_name[n_unique]; t = unique_table[n_unique]; n_unique--
  } else {
    name = "ux_" rnd(400)
  }
  return "ALTER TABLE " t " ADD CONSTRAINT " (kind == "pk" ? "pk_" : "uq_") i " " (kind == "pk" ? "PRIMARY KEY" : "UNIQUE") " USING INDEX " name
}
function drop_index(concurrently,    name) {
  name = some_index()
  if (last_idx) idx_gone[last_idx] = 1
  return "DROP INDEX " (concurrently ? "CONCURRENTLY " : "") (rnd(3) == 0 ? "IF EXISTS " : "") name
}

BEGIN {
  seed = 20261121
  q = "\047"
  line = 1
  created = 0
  print "-- generated by bench/lint/gen_statements.sh " n > sql; line++
  print "" > sql; line++
  for (i = 1; i <= n; i++) {
    r = rnd(1000)
    t = old_table()
    if (r < 110) s = create_table()
    else if (r < 140) { nt = new_table(); s = "CREATE INDEX n_" i "_idx ON " nt " (c1)"; add_index("n_" i "_idx", nt) }
    else if (r < 200) s = create_index(t, 0)
    else if (r < 225) s = create_index(t, 1)
    else if (r < 235) {
      s = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_" i " ON " t " (" text_col() ")"
      unique_name[++n_unique] = "u_" i; unique_table[n_unique] = t
    }
    else if (r < 295) s = "ALTER TABLE " t " ADD COLUMN " (rnd(10) == 0 ? "IF NOT EXISTS " : "") "c" i " " plain_type()
    else if (r < 330) s = "ALTER TABLE " t " ADD COLUMN c" i " " typed_default()
    else if (r < 350) s = "ALTER TABLE " t " ADD COLUMN c" i " " volatile_default()
    else if (r < 370) s = "ALTER TABLE " t " ADD COLUMN c" i " bigint NOT NULL"
    else if (r < 390) s = "ALTER TABLE " t " ADD COLUMN c" i " text NOT NULL DEFAULT " q q
    else if (r < 398) s = "ALTER TABLE " t " ADD COLUMN c" i " " pick("serial bigserial")
    else if (r < 408) s = "ALTER TABLE " t " ADD COLUMN c" i " bigint REFERENCES " old_table() " (id)"
    else if (r < 413) s = "ALTER TABLE " t " ADD COLUMN c" i " text UNIQUE"
    else if (r < 443) s = "ALTER TABLE " t " ADD CONSTRAINT fk_" i " FOREIGN KEY (" ref_col() ") REFERENCES " old_table() " (id)"
    else if (r < 463) {
      s = "ALTER TABLE " t " ADD CONSTRAINT fk_" i " FOREIGN KEY (" ref_col() ") REFERENCES " old_table() " (id) NOT VALID"
      add_not_valid(t, "fk_" i, "")
    }
    else if (r < 478) s = validate(t)
    else if (r < 503) s = "ALTER TABLE " t " ADD CONSTRAINT ck_" i " CHECK (" num_col() " >= 0)"
    else if (r < 523) {
      c = any_col()
      s = "ALTER TABLE " t " ADD CONSTRAINT ck_" i " CHECK (" c " IS NOT NULL) NOT VALID"
      add_not_valid(t, "ck_" i, c)
    }
    else if (r < 543) s = "ALTER TABLE " t " ADD CONSTRAINT uq_" i " UNIQUE (" text_col() ")"
    else if (r < 553) s = using_index(t, "uq")
    else if (r < 558) s = "ALTER TABLE " t " ADD PRIMARY KEY (id)"
    else if (r < 563) s = using_index(t, "pk")
    else if (r < 593) s = "ALTER TABLE " t " ALTER COLUMN " type_change()
    else if (r < 613) s = set_not_null(t)
    else if (r < 623) s = "ALTER TABLE " t " ALTER COLUMN " any_col() " DROP NOT NULL"
    else if (r < 628) s = "ALTER TABLE " t " ALTER COLUMN " num_col() " SET DEFAULT 0"
    else if (r < 633) s = "ALTER TABLE " t " ALTER COLUMN " text_col() " DROP DEFAULT"
    else if (r < 653) s = "ALTER TABLE " t " RENAME COLUMN " any_col() " TO c" i
    else if (r < 663) s = "ALTER TABLE " t " RENAME TO r_" i
    else if (r < 683) s = "ALTER TABLE " t " DROP COLUMN " (rnd(3) == 0 ? "IF EXISTS " : "") any_col()
    else if (r < 698) s = "DROP TABLE " (rnd(3) == 0 ? "IF EXISTS " : "") t
    else if (r < 703) { nt = new_table(); s = "DROP TABLE " nt; if (nt ~ /^t_/) dropped[nt] = 1 }
    else if (r < 723) s = drop_index(0)
    else if (r < 733) s = drop_index(1)
    else if (r < 743) s = "ALTER TABLE " new_table() " ADD COLUMN c" i " bigint NOT NULL"
    else if (r < 753) s = "ALTER TABLE " new_table() " ALTER COLUMN c1 TYPE text"
    else if (r < 758) s = "ALTER TABLE " new_table() " ADD CONSTRAINT ck_" i " CHECK (id > 0)"
    else if (r < 763) s = "ALTER TABLE " t " ADD COLUMN x" i " text, ADD COLUMN y" i " int"
    else if (r < 823) s = "INSERT INTO " t " (" text_col() ", " num_col() ") VALUES (" q "v" rnd(1000) q ", " rnd(1000) ")"
    else if (r < 843) s = "INSERT INTO " t " (note) VALUES (" q "a;b " i q ")"
    else if (r < 883) s = "UPDATE " t " SET " num_col() " = " rnd(100) " WHERE id < " rnd(100000)
    else if (r < 903) s = "UPDATE " t " SET status = " q pick("active done") q " WHERE status IS NULL AND id <= " rnd(100000)
    else if (r < 910) s = "UPDATE " t " SET " num_col() " = 0"
    else if (r < 925) s = "DELETE FROM " t " WHERE id = " rnd(100000)
    else if (r < 950) s = "COMMENT ON COLUMN " t "." any_col() " IS " q "see ticket " i q
    else if (r < 962) s = function_body()
    else if (r < 969) s = "REINDEX TABLE " t
    else if (r < 976) s = "REINDEX INDEX " some_index()
    else if (r < 979) s = "REINDEX INDEX CONCURRENTLY " some_index()
    else if (r < 981) s = "TRUNCATE " t " CASCADE"
    else if (r < 986) s = "DELETE FROM " t " WHERE created_at < now() - interval " q "90 days" q
    else s = "ALTER TABLE " t " ALTER COLUMN " num_col() " SET DEFAULT 0"
    emit(s)
  }
}'

got=$(wc -l <"$FILE.starts")
[[ "$got" -eq "$N" ]] || { echo "$0: wrote $got statements, expected $N" >&2; exit 1; }
