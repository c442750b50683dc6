// The lock analysis behind `dbshift plan`: the mode each kind of statement
// takes and on what, the strongest of an ALTER TABLE's commands, rewrites and
// scans, new tables, and what a transaction holds until it commits.

#include "dbshift/lint/lock_plan.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/lint/linter.h"

namespace dbshift::lint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ScriptPlan PlanSql(const std::string& sql, bool in_transaction = true, int server_version = 150000,
                   std::set<std::string>* new_tables = nullptr) {
  LintInput input;
  input.file = "V1__x.sql";
  input.sql = sql;
  input.in_transaction = in_transaction;
  input.new_tables = new_tables;
  LintOptions options;
  options.server_version = server_version;
  return PlanLocks(input, options);
}

// "MODE object:name[ new]" for each lock of the only statement of `sql`.
std::vector<std::string> LocksOf(const StatementPlan& statement) {
  std::vector<std::string> locks;
  for (const Lock& lock : statement.locks) {
    std::string text = std::string(LockModeName(lock.mode)) + " ";
    if (lock.object != LockObject::kRelation)
      text += std::string(LockObjectName(lock.object)) + ":";
    text += lock.QualifiedName();
    if (lock.new_table) text += " new";
    locks.push_back(text);
  }
  return locks;
}

std::vector<std::string> LocksOf(const std::string& sql) {
  const ScriptPlan plan = PlanSql(sql);
  EXPECT_EQ(plan.statements.size(), 1u) << sql;
  if (plan.statements.empty()) return {};
  EXPECT_TRUE(plan.statements[0].analyzed) << plan.statements[0].note;
  return LocksOf(plan.statements[0]);
}

struct LockCase {
  const char* sql;
  std::vector<std::string> locks;
};

TEST(LockPlan, ModePerStatementKind) {
  const LockCase cases[] = {
      {"SELECT * FROM users u JOIN orders o ON o.user_id = u.id",
       {"ACCESS SHARE users", "ACCESS SHARE orders"}},
      {"SELECT * FROM users FOR UPDATE", {"ROW SHARE users"}},
      {"WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", {"ACCESS SHARE orders"}},
      {"INSERT INTO audit SELECT * FROM users", {"ROW EXCLUSIVE audit", "ACCESS SHARE users"}},
      {"UPDATE users SET name = 'x' WHERE id = 1", {"ROW EXCLUSIVE users"}},
      {"DELETE FROM app.users WHERE id IN (SELECT user_id FROM bans)",
       {"ROW EXCLUSIVE app.users", "ACCESS SHARE bans"}},
      {"COPY users FROM STDIN", {"ROW EXCLUSIVE users"}},
      {"CREATE INDEX users_name ON users (name)", {"SHARE users"}},
      {"CREATE INDEX CONCURRENTLY users_name ON users (name)", {"SHARE UPDATE EXCLUSIVE users"}},
      {"CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()",
       {"SHARE ROW EXCLUSIVE users"}},
      {"DROP TABLE users, orders", {"ACCESS EXCLUSIVE users", "ACCESS EXCLUSIVE orders"}},
      {"DROP INDEX users_name", {"ACCESS EXCLUSIVE table_of_index:users_name"}},
      {"DROP INDEX CONCURRENTLY users_name", {"SHARE UPDATE EXCLUSIVE table_of_index:users_name"}},
      {"DROP TRIGGER t ON app.users", {"ACCESS EXCLUSIVE app.users"}},
      {"TRUNCATE users", {"ACCESS EXCLUSIVE users"}},
      {"ALTER TABLE users RENAME TO people", {"ACCESS EXCLUSIVE users"}},
      {"ALTER TABLE users RENAME COLUMN name TO full_name", {"ACCESS EXCLUSIVE users"}},
      {"ALTER INDEX users_name RENAME TO users_full_name",
       {"SHARE UPDATE EXCLUSIVE index:users_name"}},
      {"LOCK TABLE users IN SHARE MODE", {"SHARE users"}},
      {"LOCK TABLE users", {"ACCESS EXCLUSIVE users"}},
      {"VACUUM users", {"SHARE UPDATE EXCLUSIVE users"}},
      {"VACUUM FULL users", {"ACCESS EXCLUSIVE users"}},
      {"ANALYZE users", {"SHARE UPDATE EXCLUSIVE users"}},
      {"CLUSTER users USING users_pkey", {"ACCESS EXCLUSIVE users"}},
      {"REINDEX TABLE users", {"SHARE users", "ACCESS EXCLUSIVE indexes_of:users"}},
      {"REINDEX INDEX users_name",
       {"SHARE table_of_index:users_name", "ACCESS EXCLUSIVE index:users_name"}},
      {"REINDEX TABLE CONCURRENTLY users",
       {"SHARE UPDATE EXCLUSIVE users", "SHARE UPDATE EXCLUSIVE indexes_of:users"}},
      {"REFRESH MATERIALIZED VIEW totals", {"ACCESS EXCLUSIVE totals"}},
      {"REFRESH MATERIALIZED VIEW CONCURRENTLY totals", {"EXCLUSIVE totals"}},
      {"COMMENT ON COLUMN users.name IS 'x'", {"SHARE UPDATE EXCLUSIVE users"}},
      {"CREATE POLICY p ON users USING (true)", {"ACCESS EXCLUSIVE users"}},
      {"ALTER SEQUENCE users_id_seq RESTART 1", {"SHARE ROW EXCLUSIVE users_id_seq"}},
      {"ALTER TABLE users SET SCHEMA archive", {"ACCESS EXCLUSIVE users"}},
      {"CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id))",
       {"ACCESS EXCLUSIVE orders new", "SHARE ROW EXCLUSIVE users"}},
      {"CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES IN (2024)",
       {"ACCESS EXCLUSIVE orders_2024 new", "ACCESS EXCLUSIVE orders"}},
      {"CREATE TABLE totals AS SELECT count(*) FROM orders",
       {"ACCESS EXCLUSIVE totals new", "ACCESS SHARE orders"}},
      {"CREATE VIEW v AS SELECT * FROM users", {"ACCESS EXCLUSIVE v new", "ACCESS SHARE users"}},
      {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", {}},
      {"SET lock_timeout = '2s'", {}},
  };
  for (const LockCase& test : cases) {
    EXPECT_EQ(LocksOf(test.sql), test.locks) << test.sql;
  }
}

TEST(LockPlan, AlterTableTakesTheStrongestModeOfItsCommands) {
  const LockCase cases[] = {
      {"ALTER TABLE users ALTER COLUMN name SET STATISTICS 500", {"SHARE UPDATE EXCLUSIVE users"}},
      {"ALTER TABLE users VALIDATE CONSTRAINT users_age", {"SHARE UPDATE EXCLUSIVE users"}},
      {"ALTER TABLE users SET (fillfactor = 70)", {"SHARE UPDATE EXCLUSIVE users"}},
      {"ALTER TABLE users CLUSTER ON users_pkey", {"SHARE UPDATE EXCLUSIVE users"}},
      {"ALTER TABLE users DISABLE TRIGGER ALL", {"SHARE ROW EXCLUSIVE users"}},
      {"ALTER TABLE users ADD COLUMN note text", {"ACCESS EXCLUSIVE users"}},
      {"ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x'", {"ACCESS EXCLUSIVE users"}},
      {"ALTER TABLE users ALTER COLUMN name SET STATISTICS 10, DISABLE TRIGGER t",
       {"SHARE ROW EXCLUSIVE users"}},
      {"ALTER TABLE users VALIDATE CONSTRAINT c, ADD COLUMN note text", {"ACCESS EXCLUSIVE users"}},
      {"ALTER TABLE orders DETACH PARTITION orders_2020 CONCURRENTLY",
       {"SHARE UPDATE EXCLUSIVE orders", "SHARE UPDATE EXCLUSIVE orders_2020"}},
      {"ALTER TABLE orders ATTACH PARTITION orders_2025 FOR VALUES IN (2025)",
       {"SHARE UPDATE EXCLUSIVE orders", "ACCESS EXCLUSIVE orders_2025"}},
  };
  for (const LockCase& test : cases) {
    EXPECT_EQ(LocksOf(test.sql), test.locks) << test.sql;
  }
}

TEST(LockPlan, ForeignKeyLocksTheReferencedTableToo) {
  EXPECT_EQ(
      LocksOf("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) "
              "REFERENCES app.users (id)"),
      (std::vector<std::string>{"SHARE ROW EXCLUSIVE orders", "SHARE ROW EXCLUSIVE app.users"}));
  EXPECT_EQ(LocksOf("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) "
                    "REFERENCES users (id) NOT VALID, ADD COLUMN note text"),
            (std::vector<std::string>{"ACCESS EXCLUSIVE orders", "SHARE ROW EXCLUSIVE users"}));
  EXPECT_EQ(LocksOf("ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users"),
            (std::vector<std::string>{"ACCESS EXCLUSIVE orders", "SHARE ROW EXCLUSIVE users"}));
}

// "rewrite:<relation>" / "scan:<relation>" for each effect.
std::vector<std::string> EffectsOf(const std::string& sql, int server_version = 150000) {
  const ScriptPlan plan = PlanSql(sql, true, server_version);
  std::vector<std::string> effects;
  for (const StatementPlan& statement : plan.statements) {
    for (const Effect& effect : statement.effects) {
      effects.push_back(std::string(effect.kind == EffectKind::kRewrite ? "rewrite:" : "scan:") +
                        effect.relation);
    }
  }
  return effects;
}

TEST(LockPlan, RewritesAndScans) {
  const LockCase cases[] = {
      {"ALTER TABLE users ALTER COLUMN age TYPE bigint", {"rewrite:users"}},
      {"ALTER TABLE users ADD COLUMN id2 uuid DEFAULT gen_random_uuid()", {"rewrite:users"}},
      {"ALTER TABLE users ADD COLUMN n bigserial", {"rewrite:users"}},
      {"ALTER TABLE users ADD COLUMN flag boolean DEFAULT false", {}},
      {"ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()", {}},
      {"ALTER TABLE users SET TABLESPACE fast", {"rewrite:users"}},
      {"ALTER TABLE users SET LOGGED", {"rewrite:users"}},
      {"ALTER TABLE users SET UNLOGGED", {"rewrite:users"}},
      {"VACUUM FULL users", {"rewrite:users"}},
      {"CLUSTER users USING users_pkey", {"rewrite:users"}},
      {"ALTER TABLE users ADD CONSTRAINT adult CHECK (age >= 18)", {"scan:users"}},
      {"ALTER TABLE users ADD CONSTRAINT adult CHECK (age >= 18) NOT VALID", {}},
      {"ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)",
       {"scan:orders"}},
      {"ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) "
       "NOT VALID",
       {}},
      {"ALTER TABLE users ALTER COLUMN email SET NOT NULL", {"scan:users"}},
      {"ALTER TABLE users VALIDATE CONSTRAINT adult", {"scan:users"}},
      {"ALTER TABLE users ADD PRIMARY KEY (id)", {"scan:users"}},
      {"ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id", {}},
      {"CREATE INDEX users_name ON users (name)", {"scan:users"}},
      {"UPDATE users SET active = true", {"scan:users"}},
      {"UPDATE users SET active = true WHERE id < 100", {}},
      {"DELETE FROM users", {"scan:users"}},
      {"ALTER TABLE users ADD COLUMN note text, DROP COLUMN legacy", {}},
      {"DROP TABLE users", {}},
  };
  for (const LockCase& test : cases) {
    EXPECT_EQ(EffectsOf(test.sql), test.locks) << test.sql;
  }
  // Before PostgreSQL 11 any DEFAULT rewrote the table.
  EXPECT_THAT(EffectsOf("ALTER TABLE users ADD COLUMN flag boolean DEFAULT false", 100000),
              ElementsAre("rewrite:users"));
  const ScriptPlan type_change = PlanSql("ALTER TABLE users ALTER COLUMN name TYPE text");
  ASSERT_EQ(type_change.statements.size(), 1u);
  EXPECT_TRUE(type_change.statements[0].rewrites());
  EXPECT_FALSE(type_change.statements[0].scans());
  EXPECT_THAT(type_change.statements[0].effects[0].why, HasSubstr("binary-coercible"));
}

TEST(LockPlan, TablesCreatedEarlierInTheRunAreNew) {
  const ScriptPlan plan = PlanSql(
      "CREATE TABLE events (id bigint, payload text);\n"
      "CREATE INDEX events_id ON events (id);\n"
      "ALTER TABLE events ALTER COLUMN payload TYPE jsonb USING payload::jsonb;\n"
      "ALTER TABLE users ADD COLUMN last_event bigint;\n");
  ASSERT_EQ(plan.statements.size(), 4u);
  EXPECT_THAT(LocksOf(plan.statements[1]), ElementsAre("SHARE events new"));
  EXPECT_THAT(plan.statements[1].effects, IsEmpty()) << "a new table is empty: nothing to scan";
  EXPECT_THAT(LocksOf(plan.statements[2]), ElementsAre("ACCESS EXCLUSIVE events new"));
  EXPECT_FALSE(plan.statements[2].rewrites());
  EXPECT_THAT(LocksOf(plan.statements[3]), ElementsAre("ACCESS EXCLUSIVE users"));

  // Across the scripts of one run: the set carries what earlier ones created.
  std::set<std::string> new_tables;
  PlanSql("CREATE TABLE events (id bigint);\n", true, 150000, &new_tables);
  EXPECT_THAT(new_tables, ElementsAre("events"));
  const ScriptPlan second =
      PlanSql("CREATE INDEX events_id ON events (id);\n", true, 150000, &new_tables);
  EXPECT_THAT(LocksOf(second.statements[0]), ElementsAre("SHARE events new"));
}

TEST(LockPlan, HeldUntilCommitIsTheStrongestLockPerExistingTable) {
  const ScriptPlan plan = PlanSql(
      "SELECT count(*) FROM users;\n"
      "CREATE TABLE audit (id bigint REFERENCES users);\n"
      "UPDATE orders SET total = 0 WHERE id = 1;\n"
      "ALTER TABLE users ADD COLUMN note text;\n"
      "ALTER TABLE orders ALTER COLUMN total SET STATISTICS 100;\n"
      "DROP INDEX orders_total;\n"
      "INSERT INTO audit VALUES (1);\n");
  ASSERT_EQ(plan.statements.size(), 7u);
  std::vector<std::string> held;
  for (const HeldLock& entry : plan.held_until_commit) {
    held.push_back(std::string(LockModeName(entry.lock.mode)) + " " + entry.lock.QualifiedName() +
                   " line " + std::to_string(entry.line));
  }
  EXPECT_THAT(held,
              ElementsAre("ACCESS EXCLUSIVE users line 4", "SHARE UPDATE EXCLUSIVE orders line 5",
                          "ACCESS EXCLUSIVE orders_total line 6"))
      << "audit is new; users rose from ACCESS SHARE (1) and SHARE ROW EXCLUSIVE (2)";

  // Knowing the index's table, DROP INDEX counts as a lock on that table.
  Lock orders;
  orders.name = "orders";
  const std::vector<HeldLock> resolved =
      HeldUntilCommit(plan.statements, {{"orders_total", orders}});
  ASSERT_EQ(resolved.size(), 2u);
  EXPECT_EQ(resolved[1].lock.QualifiedName(), "orders");
  EXPECT_EQ(resolved[1].lock.mode, LockMode::kAccessExclusive);
  EXPECT_EQ(resolved[1].line, 6);
  EXPECT_EQ(resolved[1].statement, 5u);

  // Outside a transaction each statement's locks end with it.
  EXPECT_THAT(PlanSql("CREATE INDEX CONCURRENTLY i ON users (name);\n", false).held_until_commit,
              IsEmpty());
}

TEST(LockPlan, PositionsMatchTheLintsAndBadStatementsAreListedNotAnalysed) {
  const std::string sql =
      "-- add a column\n"
      "ALTER TABLE users ADD COLUMN note text;\n"
      "\n"
      "  /* the index */ CREATE INDEX users_note_idx\n"
      "    ON users (note);\n"
      "SELECT 'é'; /* ü */ DROP INDEX i;\n"
      "ALTER TABLE users ADDD COLUMN x int;\n";
  const ScriptPlan plan = PlanSql(sql);
  ASSERT_EQ(plan.statements.size(), 5u);
  EXPECT_EQ(plan.statements[0].line, 2);
  EXPECT_EQ(plan.statements[0].column, 1);
  EXPECT_EQ(plan.statements[1].line, 4);
  EXPECT_EQ(plan.statements[1].column, 19);
  EXPECT_EQ(plan.statements[3].line, 6);
  EXPECT_EQ(plan.statements[3].column, 21);
  EXPECT_THAT(plan.statements[1].text, HasSubstr("CREATE INDEX users_note_idx"));
  EXPECT_FALSE(plan.statements[4].analyzed);
  EXPECT_THAT(plan.statements[4].note, HasSubstr("syntax error"));
  EXPECT_THAT(plan.statements[4].locks, IsEmpty());

  // The lint's finding on the index is at the same line and column.
  LintInput input;
  input.sql =
      "-- add a column\n"
      "ALTER TABLE users ADD COLUMN note text;\n"
      "\n"
      "  /* the index */ CREATE INDEX users_note_idx\n"
      "    ON users (note);\n";
  const std::vector<Finding> findings = Lint(input, LintOptions{});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].line, plan.statements[1].line);
  EXPECT_EQ(findings[0].column, plan.statements[1].column);
}

TEST(LockPlan, CopyDataIsNotAStatement) {
  const ScriptPlan plan = PlanSql(
      "COPY users (id, name) FROM STDIN;\n"
      "1\tALTER TABLE x\n"
      "\\.\n"
      "UPDATE users SET name = 'y' WHERE id = 1;\n");
  ASSERT_EQ(plan.statements.size(), 2u);
  EXPECT_THAT(LocksOf(plan.statements[0]), ElementsAre("ROW EXCLUSIVE users"));
  EXPECT_EQ(plan.statements[1].line, 4);
}

TEST(LockPlan, ListStatementsMarksEveryStatementNotAnalysed) {
  const ScriptPlan plan = ListStatements("CREATE TABLE a (id INTEGER);\nDROP TABLE b;\n",
                                         Dialect::kSqlite, true, "not PostgreSQL");
  ASSERT_EQ(plan.statements.size(), 2u);
  EXPECT_FALSE(plan.statements[1].analyzed);
  EXPECT_EQ(plan.statements[1].line, 2);
  EXPECT_EQ(plan.statements[1].note, "not PostgreSQL");
  EXPECT_THAT(plan.held_until_commit, IsEmpty());
}

TEST(LockPlan, NotesWhatItDoesNotSee) {
  EXPECT_THAT(PlanSql("DO $$ BEGIN PERFORM 1; END $$;\n").statements[0].note,
              HasSubstr("DO block"));
  EXPECT_THAT(PlanSql("VACUUM users;\n").statements[0].note,
              HasSubstr("cannot run inside a transaction"));
  EXPECT_EQ(PlanSql("VACUUM users;\n", false).statements[0].note, "");
}

TEST(LockPlan, ModeNamesAndWhatTheyBlock) {
  EXPECT_STREQ(LockModeName(LockMode::kShareUpdateExclusive), "SHARE UPDATE EXCLUSIVE");
  EXPECT_STREQ(LockModeBlocks(LockMode::kAccessExclusive), "reads and writes");
  EXPECT_STREQ(LockModeBlocks(LockMode::kShare), "writes");
  EXPECT_STREQ(LockModeBlocks(LockMode::kExclusive), "writes");
  EXPECT_STREQ(LockModeBlocks(LockMode::kRowExclusive), "schema changes");
  EXPECT_LT(LockMode::kShareRowExclusive, LockMode::kExclusive);
}

}  // namespace
}  // namespace dbshift::lint
