// What only MySQL / MariaDB needs: DDL commits implicitly, so a failing
// migration is recorded as failed at its statement (never silently half
// applied), `up --resume` continues it, `repair` asks whether its applied
// statements were undone, scripts of DML only still roll back, DELIMITER
// blocks run, and a dry-run says what it cannot execute.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// V1 is fine; V2 fails at its third statement after two DDL statements.
constexpr const char* kV2Broken =
    "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n"
    "ALTER TABLE orders ADD COLUMN total INTEGER;\n"
    "INSERT INTO orders (id, totl) VALUES (1, 10);\n"
    "CREATE INDEX orders_total ON orders (total);\n";
constexpr const char* kV2Fixed =
    "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n"
    "ALTER TABLE orders ADD COLUMN total INTEGER;\n"
    "INSERT INTO orders (id, total) VALUES (1, 10);\n"
    "CREATE INDEX orders_total ON orders (total);\n";

class MysqlTest : public CliTest {
 protected:
  void WriteBatch() {
    WriteMigration("V1__customers.sql", "CREATE TABLE customers (id INTEGER PRIMARY KEY);\n");
    WriteMigration("V2__orders.sql", kV2Broken);
    WriteMigration("V3__later.sql", "CREATE TABLE later (id INTEGER);\n");
  }

  // Every event of every run log written so far, in order.
  std::vector<nlohmann::json> LogEvents() const {
    std::vector<nlohmann::json> events;
    for (const std::string& file : FilesUnder(log_dir())) {
      for (nlohmann::json& event : ReadLines(log_dir() / file)) events.push_back(std::move(event));
    }
    return events;
  }
};

TEST_P(MysqlTest, FailingDdlMigrationIsRecordedFailedAtItsStatementAndBlocksUp) {
  WriteBatch();
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_THAT(up.err, HasSubstr("V2__orders.sql:3: migration 2 failed: ERROR 1054 (42S22)"));
  EXPECT_THAT(up.err, HasSubstr("recorded as failed at statement 3 of 4"));
  EXPECT_THAT(up.err, HasSubstr("2 statements before it stay applied:\n"
                                "    1. line 1: CREATE TABLE orders (id INTEGER PRIMARY KEY)\n"
                                "    2. line 2: ALTER TABLE orders ADD COLUMN total INTEGER\n"));
  EXPECT_TRUE(db().HasTable("orders"));
  EXPECT_FALSE(db().HasTable("later"));
  EXPECT_EQ(db().Query("SELECT version, success, statements_done, statements_total, "
                       "statements_checksum LIKE 'sha256:%', error LIKE '%totl%' "
                       "FROM dbshift_history ORDER BY installed_rank"),
            "1|1|1|1|NULL|NULL\n2|0|2|4|1|1\n");

  // The run log lists the two applied statements and the failing one.
  std::vector<std::string> outcomes;
  for (const nlohmann::json& event : LogEvents()) {
    if (event["event"] != "statement_finished" || event.value("version", "") != "2") continue;
    outcomes.push_back(std::to_string(event["statement_index"].get<int>()) + ":" +
                       (event["ok"].get<bool>() ? "ok" : "failed"));
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"1:ok", "2:ok", "3:failed"}));

  ProcessResult again = Run("up");
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_THAT(again.err, HasSubstr("failed after 2 of 4 statements"));
  EXPECT_THAT(again.err, HasSubstr("dbshift up --resume"));
  EXPECT_FALSE(db().HasTable("later"));
}

TEST_P(MysqlTest, ResumeContinuesFromTheFailingStatementOnceFixed) {
  WriteBatch();
  ASSERT_EQ(Run("up").exit_code, 1);
  WriteMigration("V2__orders.sql", kV2Fixed);

  ProcessResult resume = Run("--format", "json", "up", "--resume");
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  const nlohmann::json result = ParseJson(resume.out);
  ASSERT_EQ(result["applied"].size(), 2u) << resume.out;
  EXPECT_EQ(result["applied"][0]["version"], "2");
  EXPECT_EQ(result["applied"][1]["version"], "3");
  EXPECT_EQ(result["current_version"], "3");
  // Statements 1 and 2 did not run again (they would have failed: the table
  // and the column exist); 3 and 4 did.
  EXPECT_EQ(db().Query("SELECT id, total FROM orders"), "1|10\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM information_schema.statistics WHERE table_schema = "
                       "DATABASE() AND index_name = 'orders_total'"),
            "1\n");
  // The same history row, now successful, with the fixed file's checksum.
  EXPECT_EQ(db().Query("SELECT version, success, statements_done, statements_checksum IS NULL "
                       "FROM dbshift_history ORDER BY installed_rank"),
            "1|1|1|1\n2|1|4|1\n3|1|1|1\n");
  ProcessResult validate = Run("validate");
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
}

TEST_P(MysqlTest, ResumeRefusesWhenTheAppliedStatementsChanged) {
  WriteBatch();
  ASSERT_EQ(Run("up").exit_code, 1);
  const std::string history = db().Query("SELECT * FROM dbshift_history ORDER BY installed_rank");
  WriteMigration("V2__orders.sql",
                 "CREATE TABLE orders (id BIGINT PRIMARY KEY);\n"
                 "ALTER TABLE orders ADD COLUMN total INTEGER;\n"
                 "INSERT INTO orders (id, total) VALUES (1, 10);\n");
  ProcessResult resume = Run("up", "--resume");
  EXPECT_EQ(resume.exit_code, 3) << resume.err;
  EXPECT_THAT(resume.err, HasSubstr("V2__orders.sql: cannot resume: its first 2 statements"));
  EXPECT_EQ(db().Query("SELECT * FROM dbshift_history ORDER BY installed_rank"), history);
  EXPECT_EQ(db().Query("SELECT count(*) FROM orders"), "0\n");
  EXPECT_FALSE(db().HasTable("later"));
}

TEST_P(MysqlTest, RepairAsksWhetherTheAppliedStatementsWereUndone) {
  WriteBatch();
  ASSERT_EQ(Run("up").exit_code, 1);
  ProcessResult refused = Run("repair");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_THAT(refused.out + refused.err, HasSubstr("2 of its 4 statements had been applied"));
  EXPECT_THAT(refused.err, HasSubstr("--yes"));
  EXPECT_EQ(History(), "1|1\n2|0\n");

  // Undone by hand, then confirmed: V2 runs again from its first statement.
  db().Query("DROP TABLE orders");
  ProcessResult repaired = Run("--yes", "repair");
  ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_EQ(History(), "1|1\n");
  WriteMigration("V2__orders.sql", kV2Fixed);
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

TEST_P(MysqlTest, DmlOnlyMigrationStillRollsBack) {
  WriteMigration("V1__table.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n");
  WriteMigration("V2__rows.sql",
                 "INSERT INTO items VALUES (1);\n"
                 "INSERT INTO items VALUES (2);\n"
                 "INSERT INTO items VALUES (1);\n");
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  const nlohmann::json result = ParseJson(up.out);
  EXPECT_EQ(result["error"]["rolled_back"], true);
  EXPECT_EQ(result["error"]["line"], 3);
  EXPECT_EQ(db().Query("SELECT count(*) FROM items"), "0\n");
  EXPECT_EQ(History(), "1|1\n") << "nothing of V2 is recorded: it rolled back";
  EXPECT_THAT(up.err, HasSubstr("its transaction was rolled back"));
}

TEST_P(MysqlTest, DelimiterTriggerAndProcedureRun) {
  WriteMigration("V1__audit.sql",
                 "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER);\n"
                 "CREATE TABLE audit (account INTEGER, note TEXT);\n"
                 "\n"
                 "DELIMITER $$\n"
                 "CREATE TRIGGER accounts_audit AFTER INSERT ON accounts\n"
                 "FOR EACH ROW\n"
                 "BEGIN\n"
                 "  INSERT INTO audit VALUES (NEW.id, 'opened; with a semicolon');\n"
                 "  INSERT INTO audit VALUES (NEW.id, 'second');\n"
                 "END$$\n"
                 "CREATE PROCEDURE open_account(IN account INTEGER)\n"
                 "BEGIN\n"
                 "  INSERT INTO accounts VALUES (account, 0);\n"
                 "END $$\n"
                 "DELIMITER ;\n"
                 "CALL open_account(7);\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT account, note FROM audit ORDER BY note"),
            "7|opened; with a semicolon\n7|second\n");
  EXPECT_EQ(db().Query("SELECT statements_total FROM dbshift_history"), "5\n");
}

TEST_P(MysqlTest, DryRunSaysItCannotExecuteDdlAndChangesNothing) {
  WriteMigration("V1__table.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__rows.sql", "INSERT INTO items VALUES (1);\n");
  WriteMigration("V3__column.sql", "ALTER TABLE items ADD COLUMN name TEXT;\n");
  WriteMigration("V4__more_rows.sql", "UPDATE items SET name = 'x';\n");
  const std::string schema = db().SchemaSnapshot();

  ProcessResult dry = Run("--format", "json", "up", "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const nlohmann::json result = ParseJson(dry.out);
  EXPECT_EQ(result["not_verifiable"],
            nlohmann::json::array({"V3__column.sql", "V4__more_rows.sql"}));
  EXPECT_THAT(dry.err, HasSubstr("V3__column.sql: not verifiable in a dry-run (mysql commits DDL "
                                 "as it runs it, so a dry-run cannot execute it without applying "
                                 "it)"));
  EXPECT_THAT(dry.err, HasSubstr("V4__more_rows.sql: not verifiable in a dry-run (it may depend "
                                 "on V3__column.sql"));
  // V2 (DML only) ran in a transaction that was rolled back.
  EXPECT_EQ(db().Query("SELECT count(*) FROM items"), "0\n");
  EXPECT_EQ(db().SchemaSnapshot(), schema);
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(MysqlTest, WrongPasswordAndUnknownParameterAreClearAndSecretFree) {
  WriteMigration("V1__table.sql", "CREATE TABLE items (id INTEGER);\n");
  std::string bad = url();
  bad.replace(bad.find(":dbshift-test-pw@"), 17, ":Wr0ng-Secret@");
  ProcessResult wrong = RunBare({.args = {"--url", bad, "--dir", migrations_dir().string(), "up"}});
  EXPECT_EQ(wrong.exit_code, 6) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("Access denied"));
  EXPECT_THAT(wrong.out + wrong.err, Not(HasSubstr("Wr0ng-Secret")));

  ProcessResult unknown = RunBare(
      {.args = {"--url", url() + "?sslmod=require", "--dir", migrations_dir().string(), "up"}});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("unknown parameter 'sslmod'"));
  EXPECT_THAT(unknown.out + unknown.err, Not(HasSubstr("dbshift-test-pw")));

  // TLS demanded of a server without it: refused, not silently plain.
  ProcessResult tls = RunBare(
      {.args = {"--url", url() + "?sslmode=require", "--dir", migrations_dir().string(), "up"}});
  EXPECT_EQ(tls.exit_code, 6) << tls.err;
  EXPECT_FALSE(db().HasTable("items"));
}

INSTANTIATE_TEST_SUITE_P(Mysql, MysqlTest, ::testing::Values(std::string("mysql")), EngineName);

}  // namespace
}  // namespace dbshift::testing
