#!/usr/bin/env bash
# dbshift lint side by side with squawk on one long generated PostgreSQL
# migration script: throughput, and the findings of the rules both have.
#
#   bench/lint/run.sh                      # 7 rounds, report printed
#   OUT=1 bench/lint/run.sh                # also bench/results/<date>-lint-squawk.md
#   OUT=path/report.md bench/lint/run.sh   # also that file
#   ROUNDS=11 RUNS=9 bench/lint/run.sh     # more
#   DBSHIFT=/path/to/dbshift SQUAWK=/path/to/squawk bench/lint/run.sh
#
# What it does (details in bench/README.md):
#  1. squawk from ../shared/peers (its setup.sh --no-start, as root, when the
#     binary is missing), hyperfine and jq (apt-get, only when missing), and
#     dbshift (Release, build-bench/, -j$JOBS, a no-op when up to date) unless
#     DBSHIFT= is given.
#  2. gen_statements.sh N: one script of N statements (10,000, ~0.64 MB), and
#     the line each statement starts on.
#  3. ROUNDS rounds; in each, hyperfine runs both tools RUNS times (after
#     WARMUP runs), dbshift first in odd rounds and squawk first in even ones:
#       dbshift lint FILE --format json
#       squawk --assume-in-transaction --pg-version 15 --reporter json FILE
#     dbshift lint assumes a script without `-- dbshift:no-transaction` runs
#     in a transaction, and a PostgreSQL 15 server when it lints files;
#     --assume-in-transaction and --pg-version tell squawk the same (squawk's
#     version-dependent rules change their findings below 12). squawk's
#     default terminal reporter is far slower, so both print JSON.
#     Per tool: the median over rounds of the round's median, its range, MB/s
#     and statements/s; the median over rounds of squawk/dbshift in the same
#     round, for wall time and for CPU time (target: at least TARGET, 3).
#  4. The findings of one run of each, for every rule id both tools know
#     (dbshift's rules that squawk accepts in --exclude): the set of (rule,
#     statement) pairs, squawk's 0-based node lines mapped to the 1-based
#     line of the statement they fall in. Each pair only one tool reports is
#     matched against the known differences of meaning between the two
#     linters (REASONS below), checked against the statement's text, what
#     earlier statements did, and the other tool's findings on it; what no
#     reason covers is listed as unexplained.
#  5. A Markdown report, printed, and written to OUT when given.
#
# Settings (environment):
#   ROUNDS=7 RUNS=5 WARMUP=1   rounds, timed runs and warm-up runs per tool per round
#   N=10000         statements in the generated script
#   PG_VERSION=15   the server version squawk assumes (dbshift's default for files)
#   TARGET=3        the squawk/dbshift ratio dbshift should reach
#   EXAMPLES=3      statements shown per unexplained difference
#   DBSHIFT=path    the dbshift binary (default: BUILD_DIR's, built if needed)
#   BUILD_DIR=path  where to build dbshift (default <repo>/build-bench)
#   JOBS=2          build jobs (the machine is shared)
#   SQUAWK=path     the squawk binary (default: the peers' native npm binary)
#   PEERS_DIR=path  the peers scripts (default <repo>/../shared/peers)
#   SKIP_SETUP=1    never run setup.sh or apt-get
#   KEEP=1          keep the work folder (script, both tools' JSON, timings)
#   OUT=1 | path    write the report to bench/results/<date>-lint-squawk.md, or to path
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$REPO/../shared/peers}"

ROUNDS="${ROUNDS:-7}"
RUNS="${RUNS:-5}"
WARMUP="${WARMUP:-1}"
N="${N:-10000}"
PG_VERSION="${PG_VERSION:-15}"
TARGET="${TARGET:-3}"
EXAMPLES="${EXAMPLES:-3}"
JOBS="${JOBS:-2}"
SKIP_SETUP="${SKIP_SETUP:-0}"
KEEP="${KEEP:-0}"
OUT="${OUT:-}"

die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
for v in ROUNDS RUNS N EXAMPLES JOBS; do is_count "${!v}" || die "$v must be a positive integer"; done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer"
[[ "$TARGET" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "TARGET must be a number"
[[ "$PG_VERSION" =~ ^[1-9][0-9]*([.][0-9]+)?$ ]] || die "PG_VERSION must be a version number (15, 15.4)"
if [[ "$OUT" == 1 ]]; then OUT="$REPO/bench/results/$(date +%F)-lint-squawk.md"; fi

# ------------------------------------------------------------------ tools
apt_install() { # package: installs it when running as root and allowed to
  [[ "$SKIP_SETUP" != 1 && $(id -u) -eq 0 ]] || return 1
  log "apt-get: installing $1"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$1" >/dev/null 2>&1 ||
    { apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$1" >/dev/null 2>&1; }
}
command -v jq >/dev/null || apt_install jq || die "jq is needed to read the tools' JSON (apt-get install jq)"
command -v hyperfine >/dev/null || apt_install hyperfine || log "hyperfine not available: timing with the shell's EPOCHREALTIME"
HYPERFINE="$(command -v hyperfine || true)"

SQUAWK="${SQUAWK:-$PEERS_DIR/node/node_modules/@squawk-cli/linux-x64/bin/squawk}"  # native, not the node wrapper
if [[ ! -x "$SQUAWK" && "$SKIP_SETUP" != 1 ]]; then
  [[ -x "$PEERS_DIR/setup.sh" ]] || die "squawk not found and no peers scripts in $PEERS_DIR (set PEERS_DIR or SQUAWK)"
  [[ $(id -u) -eq 0 ]] || die "squawk not found; run $PEERS_DIR/setup.sh as root (it installs squawk-cli from npm)"
  log "peers: setup.sh --no-start (installs squawk-cli from npm)"
  setup_log="$(mktemp)"
  "$PEERS_DIR/setup.sh" --no-start >"$setup_log" 2>&1 ||
    { tail -20 "$setup_log" >&2; rm -f "$setup_log"; die "setup.sh failed (is the npm registry reachable?)"; }
  rm -f "$setup_log"
fi
[[ -x "$SQUAWK" ]] || die "squawk not found at $SQUAWK (run $PEERS_DIR/setup.sh, or set SQUAWK)"

# shellcheck source=SCRIPTDIR/../release_build.sh
source "$REPO/bench/release_build.sh"
if [[ -z "${DBSHIFT:-}" ]]; then
  release_dbshift
  DBSHIFT_NOTE="Release build in $BUILD_DIR"
fi
DBSHIFT_NOTE="${DBSHIFT_NOTE:-the binary $DBSHIFT}"
[[ -x "$DBSHIFT" ]] || die "DBSHIFT=$DBSHIFT is not executable"
DBSHIFT="$(cd "$(dirname "$DBSHIFT")" && pwd)/$(basename "$DBSHIFT")"

GIT_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if git -C "$REPO" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  GIT_REV="$GIT_REV + uncommitted changes"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/dbshift-lintbench.XXXXXX")"
if [[ "$KEEP" == 1 ]]; then
  trap 'log "work folder kept: $TMP"' EXIT
else
  trap 'rm -rf -- "$TMP"' EXIT
fi
trap 'exit 130' INT TERM
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------- workload
SQL="$TMP/history.sql"
log "workload: $N statements"
"$HERE/gen_statements.sh" "$N" "$SQL"
BYTES=$(wc -c <"$SQL")
LINES=$(wc -l <"$SQL")

DBSHIFT_CMD=("$DBSHIFT" lint "$SQL" --format json)
SQUAWK_CMD=("$SQUAWK" --assume-in-transaction --pg-version "$PG_VERSION" --reporter json "$SQL")

# ------------------------------------------------------------- findings
# One run of each, checked: dbshift exits 0 (no error finding) or 5
# (blocked by lint), squawk 0 or 1 (violations); both print JSON, and
# neither reports a syntax error (the script must read as PostgreSQL).
rc=0; "${DBSHIFT_CMD[@]}" >"$TMP/dbshift.json" 2>"$TMP/dbshift.err" || rc=$?
[[ $rc == 0 || $rc == 5 ]] || { cat "$TMP/dbshift.err" >&2; die "dbshift lint exited $rc"; }
rc=0; "${SQUAWK_CMD[@]}" >"$TMP/squawk.json" 2>"$TMP/squawk.err" || rc=$?
[[ $rc == 0 || $rc == 1 ]] || { cat "$TMP/squawk.err" >&2; die "squawk exited $rc"; }
jq -r '.findings[] | [.rule, .line] | @tsv' "$TMP/dbshift.json" >"$TMP/dbshift.tsv" || die "dbshift's JSON does not read"
jq -r '.[] | [.rule_name, .line + 1] | @tsv' "$TMP/squawk.json" >"$TMP/squawk.tsv" || die "squawk's JSON does not read"
for tool in dbshift squawk; do
  if grep -q '^syntax-error' "$TMP/$tool.tsv"; then
    grep '^syntax-error' "$TMP/$tool.tsv" | head -3 >&2
    die "$tool reports a syntax error in the generated script"
  fi
done
D_FINDINGS=$(wc -l <"$TMP/dbshift.tsv")
S_FINDINGS=$(wc -l <"$TMP/squawk.tsv")
D_OUT_BYTES=$(wc -c <"$TMP/dbshift.json")
S_OUT_BYTES=$(wc -c <"$TMP/squawk.json")

# dbshift's rule ids (SARIF lists every rule), and those squawk knows: its
# --exclude refuses an unknown id.
: >"$TMP/empty.sql"
"$DBSHIFT" lint "$TMP/empty.sql" --format sarif | jq -r '.runs[0].tool.driver.rules[].id' |
  grep -v '^syntax-error$' >"$TMP/dbshift_rules"
: >"$TMP/shared_rules"
while read -r id; do
  if "$SQUAWK" --exclude="$id" "$TMP/empty.sql" >/dev/null 2>&1; then echo "$id" >>"$TMP/shared_rules"; fi
done <"$TMP/dbshift_rules"
[[ -s "$TMP/shared_rules" ]] || die "no rule id is known to both tools"

# The statements in order, each with what earlier statements did to its
# table (the context the linters track), for the reasons below. Writes
# $TMP/statements.tsv: start line, flags, text on one line. Flags:
#   new        the statement's table was created earlier in the script
#   validated  an earlier VALIDATE CONSTRAINT named the same table
#   vunknown   one of those validated a constraint the script did not add
#              on that table (one of earlier history: its kind is unknown)
#   nncheck    SET NOT NULL of a column whose CHECK (col IS NOT NULL) was
#              added NOT VALID and then validated earlier on that table
#   elsewhere  VALIDATE CONSTRAINT of a name that was added NOT VALID earlier
#              on another table, and not on this one
# The patterns cover the statement forms gen_statements.sh writes.
awk -v starts="$SQL.starts" -v out="$TMP/statements.tsv" '
  function flush() {
    if (k == 0) return
    classify(k, text)
    text = ""
  }
  function lower(s) { return tolower(s) }
  function table_of(s,    m) {
    m = s
    if (sub(/^alter table (if exists )?(only )?/, "", m) || sub(/^drop table (if exists )?/, "", m) ||
        sub(/^truncate (table )?/, "", m) || sub(/^update /, "", m) || sub(/^delete from /, "", m) ||
        sub(/^reindex table /, "", m)) {
      sub(/[ ;(].*/, "", m); return m
    }
    if (s ~ /^create (unique )?index /) {
      m = s; sub(/.* on (only )?/, "", m); sub(/[ ;(].*/, "", m); return m
    }
    return ""
  }
  function classify(k, s,    l, t, flags, name, col, m) {
    l = lower(s)
    t = table_of(l)
    flags = ""
    if (t != "" && (t in created)) flags = flags ",new"
    if (t != "" && (t in validated)) flags = flags ",validated"
    if (t != "" && (t in validated_unknown)) flags = flags ",vunknown"
    if (l ~ /^create table /) {
      m = l; sub(/^create table (if not exists )?/, "", m); sub(/[ (].*/, "", m); created[m] = 1
    }
    if (l ~ /add constraint [a-z0-9_]+ check \([a-z0-9_]+ is not null\) not valid/) {
      m = l; sub(/.* add constraint /, "", m); name = m; sub(/ .*/, "", name)
      col = m; sub(/^[a-z0-9_]+ check \(/, "", col); sub(/ .*/, "", col)
      nncheck_col[t SUBSEP name] = col
    }
    if (l ~ /add constraint [a-z0-9_]+ .* not valid/) {
      m = l; sub(/.* add constraint /, "", m); sub(/ .*/, "", m); added_on[m] = added_on[m] " " t " "
    }
    if (l ~ / validate constraint /) {
      m = l; sub(/.* validate constraint /, "", m); sub(/[ ;].*/, "", m)
      if ((m in added_on) && index(added_on[m], " " t " ") == 0) flags = flags ",elsewhere"
      if (!(m in added_on) || index(added_on[m], " " t " ") == 0) validated_unknown[t] = 1
      if ((t SUBSEP m) in nncheck_col) nn_valid[t SUBSEP nncheck_col[t SUBSEP m]] = 1
      validated[t] = 1
    }
    if (l ~ / set not null/) {
      m = l; sub(/.* alter column /, "", m); sub(/ .*/, "", m)
      if ((t SUBSEP m) in nn_valid) flags = flags ",nncheck"
    }
    sub(/^,/, "", flags)
    printf "%d\t%s\t%s\n", first[k], flags, s > out
  }
  BEGIN { while ((getline l < starts) > 0) first[++n] = l + 0; k = 0 }
  {
    while (k < n && first[k + 1] <= NR) { flush(); k++ }
    if (k == 0 || $0 ~ /^[ \t]*$/ || $0 ~ /^--/ || $0 ~ /^\/\*/) next
    gsub(/[ \t]+/, " ")
    text = text (text == "" ? "" : " ") $0
  }
  END { flush() }' "$SQL"
[[ $(wc -l <"$TMP/statements.tsv") -eq "$N" ]] || die "statement context: expected $N statements"

# The known differences of meaning, one line each: id, which side is right,
# and why. The checks that decide whether a pair fits are in the awk below.
REASONS="$TMP/reasons.tsv"
cat >"$REASONS" <<'EOF'
new-table	by design	The statement is about a table created earlier in the script. dbshift leaves such tables alone for its lock and compatibility rules (the table is empty and unused; docs/lint/README.md); squawk 2.66 does not track new tables for this rule.
serial-default	dbshift	ADD COLUMN of a serial type: the column gets a nextval() default, a value per row, so PostgreSQL rewrites the table under ACCESS EXCLUSIVE, exactly as with a volatile DEFAULT. dbshift reports it (tests/lint/linter_test.cc expects it); squawk looks only at an explicit DEFAULT clause.
validate-guess	dbshift	SET NOT NULL on a table with an earlier VALIDATE CONSTRAINT in the script, where every constraint validated on that table was added in the script and none is a CHECK (column IS NOT NULL) of this column (a foreign key, say). squawk, for PostgreSQL 12 and later, stays silent after any VALIDATE on the same table, whatever the constraint was; PostgreSQL still scans the table here.
validate-unknown	by design	SET NOT NULL on a table where an earlier VALIDATE CONSTRAINT in the script named a constraint of earlier history, whose definition the script does not show. squawk assumes it may prove the column NOT NULL and stays silent; dbshift does not look at constraints and reports (docs/lint/adding-not-nullable-field.md). The scan is skipped only if that constraint is a CHECK (column IS NOT NULL) of this column.
non-volatile-default	dbshift	ADD COLUMN with a DEFAULT that calls no volatile function (here an SQL value function such as current_date, or a negative number): since PostgreSQL 11 such a default is evaluated once and stored in the catalog, without a rewrite. squawk 2.66 treats it as if it rewrote the table (it does not for current_timestamp), contrary to its own message about non-volatile defaults.
nncheck	by design	SET NOT NULL after a validated CHECK (column IS NOT NULL) of the same column earlier in the script: PostgreSQL 12 and later skip the scan, so squawk is right that the lock is short. dbshift does not look at earlier constraints (docs/lint/adding-not-nullable-field.md) and still reports it; the new NOT NULL also breaks old writers of NULL.
concurrent-other	dbshift	DROP INDEX CONCURRENTLY and REINDEX ... CONCURRENTLY fail inside a transaction block just as CREATE INDEX CONCURRENTLY does. dbshift's rule covers all of them; squawk's covers CREATE INDEX only.
fk-both-rules	by design	A foreign key added without NOT VALID: squawk reports it under adding-foreign-key-constraint and again under this rule; dbshift only under adding-foreign-key-constraint (checked: it does), since its constraint-missing-not-valid is about CHECK constraints.
unique-not-valid	dbshift	A UNIQUE or PRIMARY KEY constraint added without NOT VALID: PostgreSQL accepts NOT VALID only on CHECK and FOREIGN KEY constraints, so the advice cannot be followed. dbshift reports the statement under disallowed-unique-constraint or adding-serial-primary-key-field (checked: it does), as squawk also does.
validate-by-name	dbshift	VALIDATE CONSTRAINT of a name that was added NOT VALID earlier on another table: squawk matches the constraint by name alone, but it is another table's constraint.
type-change	by design	ALTER COLUMN ... TYPE to this type: dbshift's column-type rules look at new columns only, and report a type change under changing-column-type (checked: it does); squawk applies the type rule to the new type as well.
robust-concurrent	by design	A CONCURRENTLY statement without IF [NOT] EXISTS: squawk checks statements that cannot run in a transaction even with --assume-in-transaction; dbshift checks prefer-robust-stmts only in scripts marked no-transaction, and reports this one under ban-concurrent-index-creation-in-transaction (checked: it does).
lock-timeout-default	by design	dbshift runs every migration with lock_timeout 5s and reports only where a script turns it off; squawk wants SET lock_timeout in the file itself and reports it once per file.
EOF

# compare: per shared rule, the sets of statements each tool flags. Squawk
# reports a rule under another name where it accepts two: prefer-timestamp-tz
# is its prefer-timestamptz, and require-lock-timeout the lock half of its
# require-timeout-settings (require-statement-timeout has no dbshift rule).
# Writes $TMP/compare.tsv (rule, dbshift, squawk, both, only dbshift, only
# squawk, explained), $TMP/diffs.tsv (rule, side, reason or "-", line) and
# $TMP/other.tsv (rules only one tool has: tool, rule, statements).
awk -F'\t' -v shared="$TMP/shared_rules" -v statements="$TMP/statements.tsv" -v dir="$TMP" '
  BEGIN {
    while ((getline id < shared) > 0) is_shared[id] = 1
    alias["prefer-timestamp-tz"] = "prefer-timestamptz"
    alias["require-lock-timeout"] = "require-timeout-settings"
    type_rules = "^(prefer-bigint-over-int|prefer-bigint-over-smallint|prefer-text-field|prefer-timestamptz|ban-char-field|prefer-identity)$"
    n = 0
    while ((getline l < statements) > 0) {
      split(l, f, "\t")
      first[++n] = f[1] + 0; flags[f[1] + 0] = "," f[2] ","; text[f[1] + 0] = toupper(f[3])
    }
  }
  # the start line of the statement a line falls in (the last start at or
  # before it; the line itself before the first statement)
  function statement_of(line,    lo, hi, mid) {
    if (n == 0 || line < first[1]) return line
    lo = 1; hi = n
    while (lo < hi) { mid = int((lo + hi + 1) / 2); if (first[mid] <= line) lo = mid; else hi = mid - 1 }
    return first[lo]
  }
  function has(tool, rule, at) { return (tool SUBSEP rule SUBSEP at) in seen }
  # The reason a pair only `side` reports fits, or "" when none does.
  function explain(rule, side, at,    s, fl) {
    s = text[at]; fl = flags[at]
    if (side == "squawk" && fl ~ /,new,/ && rule !~ type_rules && rule != "ban-concurrent-index-creation-in-transaction" &&
        rule != "prefer-robust-stmts") return "new-table"
    if (rule == "adding-field-with-default" && side == "dbshift" &&
        s ~ /ADD COLUMN (IF NOT EXISTS )?[A-Z0-9_]+ (SMALL|BIG)?SERIAL/) return "serial-default"
    if (rule == "adding-not-nullable-field" && side == "dbshift" && s ~ / SET NOT NULL/ && fl ~ /,validated,/)
      return (fl ~ /,nncheck,/) ? "nncheck" : ((fl ~ /,vunknown,/) ? "validate-unknown" : "validate-guess")
    if (rule == "adding-field-with-default" && side == "squawk" &&
        s ~ / DEFAULT (-[0-9]+|CURRENT_(DATE|TIME|USER|ROLE|CATALOG|SCHEMA)|LOCALTIME|LOCALTIMESTAMP|SESSION_USER)([^A-Z0-9_(.]|$)/)
      return "non-volatile-default"
    if (rule == "ban-concurrent-index-creation-in-transaction" && side == "dbshift" &&
        s ~ /^(DROP INDEX|REINDEX) / && s ~ / CONCURRENTLY /) return "concurrent-other"
    if (rule == "constraint-missing-not-valid" && side == "squawk") {
      if (s ~ /(FOREIGN KEY|REFERENCES)/ && s !~ /NOT VALID/ && has("dbshift", "adding-foreign-key-constraint", at))
        return "fk-both-rules"
      if (s ~ /(UNIQUE|PRIMARY KEY)/ && s !~ /USING INDEX/ &&
          (has("dbshift", "disallowed-unique-constraint", at) || has("dbshift", "adding-serial-primary-key-field", at)))
        return "unique-not-valid"
      if (s ~ / VALIDATE CONSTRAINT / && fl ~ /,elsewhere,/) return "validate-by-name"
    }
    if (rule ~ type_rules && side == "squawk" && s ~ / ALTER COLUMN [A-Z0-9_]+ (SET DATA )?TYPE / &&
        has("dbshift", "changing-column-type", at)) return "type-change"
    if (rule == "prefer-robust-stmts" && side == "squawk" && s ~ / CONCURRENTLY / &&
        has("dbshift", "ban-concurrent-index-creation-in-transaction", at)) return "robust-concurrent"
    if (rule == "require-timeout-settings" && side == "squawk") return "lock-timeout-default"
    return ""
  }
  FILENAME ~ /dbshift[.]tsv$/ { tool = "dbshift" }
  FILENAME ~ /squawk[.]tsv$/ { tool = "squawk" }
  {
    rule = ($1 in alias && tool == "squawk") ? alias[$1] : $1
    at = statement_of($2 + 0)
    if (!(rule in is_shared)) { other[tool SUBSEP rule SUBSEP at] = 1; next }
    rules[rule] = 1
    seen[tool SUBSEP rule SUBSEP at] = 1
  }
  END {
    for (key in other) { split(key, p, SUBSEP); other_count[p[1] "\t" p[2]]++ }
    for (key in other_count) print key "\t" other_count[key] > (dir "/other.tsv")
    for (key in seen) {
      split(key, p, SUBSEP)
      count[p[1], p[2]]++
      peer = p[1] == "dbshift" ? "squawk" : "dbshift"
      if (has(peer, p[2], p[3])) { if (p[1] == "dbshift") matched[p[2]]++; continue }
      if (p[1] == "dbshift") only_d[p[2]]++; else only_s[p[2]]++
      why = explain(p[2], p[1], p[3])
      if (why != "") explained[p[2]]++
      print p[2] "\t" p[1] "\t" (why == "" ? "-" : why) "\t" p[3] > (dir "/diffs.tsv")
    }
    for (rule in rules) {
      printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", rule, count["dbshift", rule], count["squawk", rule],
        matched[rule], only_d[rule], only_s[rule], explained[rule] > (dir "/compare.tsv")
    }
  }' "$TMP/dbshift.tsv" "$TMP/squawk.tsv"
touch "$TMP/compare.tsv" "$TMP/diffs.tsv" "$TMP/other.tsv"
sort -o "$TMP/compare.tsv" "$TMP/compare.tsv"
sort -t$'\t' -k1,1 -k2,2 -k3,3 -k4,4n -o "$TMP/diffs.tsv" "$TMP/diffs.tsv"
sort -t$'\t' -k1,1 -k2,2 -o "$TMP/other.tsv" "$TMP/other.tsv"
UNEXPLAINED=$(awk -F'\t' '$3 == "-"' "$TMP/diffs.tsv" | wc -l)

# ------------------------------------------------------------- rounds
TIMES="$TMP/times.tsv"  # tool, round, median seconds, mean user+sys seconds
: >"$TIMES"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# shell_time round tool cmd...: RUNS timed runs (after WARMUP) without hyperfine
shell_time() {
  local round=$1 tool=$2 i t0 t1 us
  shift 2
  for ((i = 0; i < WARMUP; i++)); do "$@" >/dev/null 2>&1 || true; done
  for ((i = 0; i < RUNS; i++)); do
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    us=$((10#${t1/./} - 10#${t0/./}))
    printf '%d.%06d\n' $((us / 1000000)) $((us % 1000000))
  done | median | awk -v t="$tool" -v r="$round" '{ printf "%s\t%s\t%s\tnan\n", t, r, $1 }' >>"$TIMES"
}

for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=(dbshift squawk); else order=(squawk dbshift); fi
  log "round $round/$ROUNDS: ${order[*]}"
  if [[ -n "$HYPERFINE" ]]; then
    args=()
    for tool in "${order[@]}"; do
      if [[ $tool == dbshift ]]; then args+=(-n dbshift "$(printf '%q ' "${DBSHIFT_CMD[@]}")")
      else args+=(-n squawk "$(printf '%q ' "${SQUAWK_CMD[@]}")"); fi
    done
    # -N: no shell in between; -i: both exit non-zero on findings (checked above).
    hyperfine -N -i --style none --warmup "$WARMUP" --runs "$RUNS" \
      --export-json "$TMP/round$round.json" "${args[@]}" >"$TMP/hyperfine.log" 2>&1 ||
      { tail -20 "$TMP/hyperfine.log" >&2; die "hyperfine failed in round $round"; }
    jq -r --arg r "$round" '.results[] |
      [.command, $r, .median, ([.user, .system] | add)] | @tsv' "$TMP/round$round.json" >>"$TIMES"
  else
    for tool in "${order[@]}"; do
      if [[ $tool == dbshift ]]; then shell_time "$round" dbshift "${DBSHIFT_CMD[@]}"
      else shell_time "$round" squawk "${SQUAWK_CMD[@]}"; fi
    done
  fi
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------- report
times_of() { awk -F'\t' -v t="$1" '$1 == t { print $3 }' "$TIMES"; }
cpu_of() { awk -F'\t' -v t="$1" '$1 == t && $4 != "nan" { print $4 }' "$TIMES"; }
ratios() { # column: per round, squawk / dbshift of that column (3 wall, 4 CPU)
  awk -F'\t' -v c="$1" '$c == "nan" { next } $1 == "dbshift" { d[$2] = $c } $1 == "squawk" { s[$2] = $c }
    END { for (r in d) if (r in s && d[r] > 0) printf "%.6f\n", s[r] / d[r] }' "$TIMES"
}
range_of() { sort -g | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf f "–" f, lo, hi; else printf "–" }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }
tool_row() { # tool label findings output-bytes
  local med cpu lo_hi
  med=$(times_of "$1" | median)
  lo_hi=$(times_of "$1" | awk '{ printf "%.6f\n", $1 * 1000 }' | range_of '%.1f')
  cpu=$(cpu_of "$1" | median)
  if [[ $cpu == nan ]]; then cpu="–"; else cpu=$(ms "$cpu"); fi
  awk -v label="$2" -v m="$med" -v r="$lo_hi" -v c="$cpu" -v b="$BYTES" -v n="$N" -v f="$3" -v o="$4" 'BEGIN {
    printf "| %s | %.1f ms | %s ms | %s | %.2f MB/s | %.0f | %d | %.2f MB |\n", label, m * 1000, r, c, b / 1e6 / m, n / m, f, o / 1e6 }'
}

write_report() {
  local ratio ratio_range cpu_ratio cpu_range verdict
  ratio=$(ratios 3 | median)
  ratio_range=$(ratios 3 | range_of '%.2f')
  cpu_ratio=$(ratios 4 | median)
  cpu_range=$(ratios 4 | range_of '%.2f')
  verdict=$(awk -v v="$ratio" -v t="$TARGET" 'BEGIN { print (v >= t) ? "met" : "**not met**" }')
  echo "# dbshift lint side by side with squawk: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Produced by \`bench/lint/run.sh\` (ROUNDS=$ROUNDS, RUNS=$RUNS, WARMUP=$WARMUP, N=$N, PG_VERSION=$PG_VERSION)."
  echo "dbshift $("$DBSHIFT" --version 2>/dev/null | awk '{ print $NF }') ($DBSHIFT_NOTE) at $GIT_REV;"
  echo "$("$SQUAWK" --version) (the native binary $SQUAWK);"
  if [[ -n "$HYPERFINE" ]]; then echo "timed with $(hyperfine --version)."; else echo "timed with the shell's EPOCHREALTIME."; fi
  echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); load average"
  echo "(1/5/15 min) $LOAD_START at the start, $LOAD_END at the end."
  echo
  echo "## Workload"
  echo
  echo "\`bench/lint/gen_statements.sh $N\`: one script of $N statements, $BYTES bytes, $LINES lines (a long"
  echo "migration history concatenated; the statement mix is described in the script)."
  echo
  echo "| tool | command |"
  echo "|---|---|"
  echo "| dbshift | \`dbshift lint FILE --format json\` |"
  echo "| squawk | \`squawk --assume-in-transaction --pg-version $PG_VERSION --reporter json FILE\` |"
  echo
  echo "dbshift lints a script without \`-- dbshift:no-transaction\` as one that runs in a transaction,"
  echo "on PostgreSQL 15 when it lints files; \`--assume-in-transaction\` and \`--pg-version\` have squawk"
  echo "do the same. squawk's default terminal reporter is much slower on many findings, so both print"
  echo "JSON (to /dev/null while timed)."
  echo
  echo "## Throughput ($ROUNDS rounds; in each, $RUNS timed runs per tool after $WARMUP warm-up, order alternating)"
  echo
  echo "Time: median over rounds of the round's median wall-clock time (range over rounds). CPU: user +"
  echo "system, median over rounds of the round's mean. MB/s and statements/s from the median time."
  echo "Findings and output: one run's JSON."
  echo
  echo "| tool | time | range | CPU | throughput | statements/s | findings | output |"
  echo "|---|---|---|---|---|---|---|---|"
  tool_row dbshift "**dbshift lint**" "$D_FINDINGS" "$D_OUT_BYTES"
  tool_row squawk "squawk" "$S_FINDINGS" "$S_OUT_BYTES"
  echo
  printf '**squawk / dbshift: %.2fx** wall time (median over rounds of the ratio in the same round; range %s)' "$ratio" "$ratio_range"
  if [[ $cpu_ratio == nan ]]; then echo "."; else printf ',\n%.2fx CPU time (range %s).\n' "$cpu_ratio" "$cpu_range"; fi
  echo "Target: dbshift at least ${TARGET}x faster than squawk: $verdict."
  echo
  echo "## Findings of the rules both tools have"
  echo
  echo "One run of each on the same script. A finding counts as the pair (rule, statement): dbshift"
  echo "reports the line of the statement's first token, squawk the 0-based line of the node it is about"
  echo "(a column inside CREATE TABLE, say), which is mapped to the 1-based first line of the statement"
  echo "it falls in; several findings of one rule on one statement count once. Rules compared: the ids"
  echo "of dbshift's rules that \`squawk --exclude\` accepts. squawk reports prefer-timestamptz as"
  echo "prefer-timestamp-tz and the lock half of require-timeout-settings as require-lock-timeout."
  echo "A pair only one tool reports is *explained* when one of the known differences of meaning below"
  echo "fits it: the statement's form, what earlier statements did to its table, and, where a reason says"
  echo "so, the other tool's findings on the same statement are checked."
  echo
  echo "| rule | dbshift | squawk | both | only dbshift | only squawk | explained |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %d | %d | %d | %d | %d | %d |\n", $1, $2, $3, $4, $5, $6, $7 }' "$TMP/compare.tsv"
  awk -F'\t' '{ d += $2; s += $3; m += $4; od += $5; os += $6; e += $7 }
    END { printf "| **all** | %d | %d | %d | %d | %d | %d |\n", d, s, m, od, os, e }' "$TMP/compare.tsv"
  local shared_without
  shared_without=$(awk -F'\t' 'NR == FNR { seen[$1] = 1; next } !($1 in seen) { printf "%s%s", sep, $1; sep = ", " }' \
    "$TMP/compare.tsv" "$TMP/shared_rules")
  if [[ -n "$shared_without" ]]; then echo; echo "Shared rules with no finding from either tool: $shared_without."; fi
  echo
  if [[ "$UNEXPLAINED" -eq 0 ]]; then
    echo "**Every pair only one tool reports is explained** by a difference of meaning listed below."
  else
    echo "**$UNEXPLAINED pairs only one tool reports are unexplained** (listed after the reasons)."
  fi
  if [[ -s "$TMP/diffs.tsv" ]]; then
    echo
    echo "### Differences, by reason"
    echo
    echo "\"Right\" says which tool is right about the statement, or *by design* where the two rules mean"
    echo "different things and both are consistent with their own documentation."
    echo
    echo "| rule | only | statements | reason | right | example |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' -v sql="$TMP/statements.tsv" -v reasons="$REASONS" '
      BEGIN {
        while ((getline l < sql) > 0) { split(l, f, "\t"); text[f[1]] = f[3] }
        while ((getline l < reasons) > 0) { split(l, f, "\t"); right[f[1]] = f[2] }
      }
      $3 != "-" {
        key = $1 "\t" $2 "\t" $3
        if (!(key in total)) { order[++keys] = key; example[key] = $4 }
        total[key]++
      }
      END {
        for (i = 1; i <= keys; i++) {
          split(order[i], p, "\t")
          t = text[example[order[i]]]; if (length(t) > 90) t = substr(t, 1, 87) "..."
          printf "| %s | %s | %d | %s | %s | line %d: `%s` |\n", p[1], p[2], total[order[i]], p[3], right[p[3]], example[order[i]], t
        }
      }' "$TMP/diffs.tsv"
    echo
    echo "Reasons:"
    echo
    awk -F'\t' 'NR == FNR { if ($3 != "-") used[$3] = 1; next } ($1 in used) { printf "- **%s** (right: %s). %s\n", $1, $2, $3 }' \
      "$TMP/diffs.tsv" "$REASONS"
  fi
  if [[ "$UNEXPLAINED" -gt 0 ]]; then
    echo
    echo "### Unexplained differences (up to $EXAMPLES per rule and side)"
    echo
    awk -F'\t' -v sql="$TMP/statements.tsv" -v limit="$EXAMPLES" '
      BEGIN { while ((getline l < sql) > 0) { split(l, f, "\t"); text[f[1]] = f[3]; flags[f[1]] = f[2] } }
      $3 == "-" {
        key = $1 SUBSEP $2
        total[key]++
        if (total[key] > limit) next
        if (!(key in order)) { order[key] = ++keys; names[keys] = key }
        t = text[$4]; if (length(t) > 100) t = substr(t, 1, 97) "..."
        lines[key] = lines[key] sprintf("  - line %d: `%s`%s\n", $4, t, flags[$4] == "" ? "" : " (" flags[$4] ")")
      }
      END {
        for (i = 1; i <= keys; i++) {
          split(names[i], p, SUBSEP)
          printf "- **%s**, only %s (%d):\n%s", p[1], p[2], total[names[i]], lines[names[i]]
        }
      }' "$TMP/diffs.tsv"
  fi
  if [[ -s "$TMP/other.tsv" ]]; then
    echo
    echo "### Rules only one tool has (statements flagged)"
    echo
    echo "| tool | rule | statements |"
    echo "|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %d |\n", $1, $2, $3 }' "$TMP/other.tsv"
  fi
}

REPORT="$(write_report)"
printf '%s\n' "$REPORT"
if [[ -n "$OUT" ]]; then
  mkdir -p "$(dirname "$OUT")"
  printf '%s\n' "$REPORT" >"$OUT"
  log "report: $OUT"
fi
