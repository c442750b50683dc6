// `up --dry-run` and `down --dry-run`: print every statement, execute them in
// a transaction that is rolled back, and leave the database exactly as it was.
//
// MySQL / MariaDB commit DDL implicitly, so there a dry-run executes (and rolls
// back) only scripts of DML; a script with DDL is listed, not executed, and so
// is every script after it (it may depend on the one skipped). The mysql
// branches below check that honest outcome, and use DML-only scripts where the
// point of a test is the executed-and-rolled-back path.
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class DryRunTest : public CliTest {
 protected:
  // Schema and history together; equal before and after means "unchanged".
  std::string Everything() {
    std::string history = db().HasTable("dbshift_history")
                              ? db().Query("SELECT * FROM dbshift_history ORDER BY installed_rank")
                              : "<no history table>";
    return db().SchemaSnapshot() + "--\n" + history;
  }

  // How the dry-run prints a statement it did not execute.
  static std::string Listed(const std::string& script, int line, const std::string& statement) {
    return fmt::format("-- {}:{}  (listed, not executed)\n    {}", script, line, statement);
  }

  // What MySQL's dry-run says of a script with DDL.
  static std::string DdlNotVerifiable(const std::string& script) {
    return script +
           ": not verifiable in a dry-run (mysql commits DDL as it runs it, so a dry-run cannot "
           "execute it without applying it); its statements are listed, not executed";
  }
};

TEST_P(DryRunTest, UpOnAFreshDatabasePrintsEveryStatementAndChangesNothing) {
  WriteMigration("V1__users.sql",
                 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
                 "CREATE INDEX users_name ON users (name);\n");
  WriteMigration("V2__seed.sql", "INSERT INTO users (id, name) VALUES (1, 'ann');\n");
  const std::string before = Everything();

  ProcessResult dry = Run("up", "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  if (mysql()) {
    // V1 is DDL, which MySQL would commit: listed, not executed; V2 may depend
    // on V1, so it is listed too. Every statement is still printed.
    EXPECT_THAT(dry.out,
                HasSubstr(Listed("V1__users.sql", 1,
                                 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")));
    EXPECT_THAT(dry.out,
                HasSubstr(Listed("V1__users.sql", 2, "CREATE INDEX users_name ON users (name);")));
    EXPECT_THAT(dry.out, HasSubstr(Listed("V2__seed.sql", 1,
                                          "INSERT INTO users (id, name) VALUES (1, 'ann');")));
    EXPECT_THAT(dry.out, HasSubstr("Dry run: 0 migrations executed and rolled back, 2 listed "
                                   "without executing (a real run would apply them all). "
                                   "Database remains at no version.\n"
                                   "  not verifiable (listed, not executed): V1__users.sql\n"
                                   "  not verifiable (listed, not executed): V2__seed.sql"));
    EXPECT_THAT(dry.err, HasSubstr(DdlNotVerifiable("V1__users.sql")));
    EXPECT_THAT(dry.err, HasSubstr("V2__seed.sql: not verifiable in a dry-run (it may depend on "
                                   "V1__users.sql, which this dry-run could not execute)"));
  } else {
    EXPECT_THAT(dry.out, HasSubstr("-- V1__users.sql:1\n    CREATE TABLE users (id INTEGER PRIMARY "
                                   "KEY, name TEXT);"));
    EXPECT_THAT(dry.out,
                HasSubstr("-- V1__users.sql:2\n    CREATE INDEX users_name ON users (name);"));
    EXPECT_THAT(
        dry.out,
        HasSubstr("-- V2__seed.sql:1\n    INSERT INTO users (id, name) VALUES (1, 'ann');"));
    EXPECT_THAT(dry.out, HasSubstr("Dry run: 2 migrations would be applied; everything was rolled "
                                   "back. Database remains at no version."));
    EXPECT_THAT(dry.out, Not(HasSubstr("not verifiable")));
  }

  EXPECT_EQ(Everything(), before);
  EXPECT_FALSE(db().HasTable("dbshift_history"));
  EXPECT_FALSE(db().HasTable("users"));

  // The real run afterwards applies both: the dry run left nothing behind.
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT id, name FROM users"), "1|ann\n");
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

TEST_P(DryRunTest, UpWithHistoryLeavesSchemaAndHistoryByteIdentical) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  if (mysql()) {
    // DML only, which MySQL can execute and roll back (DDL is listed instead:
    // see the tests above and below).
    WriteMigration("V2__b.sql", "INSERT INTO a VALUES (7);\nINSERT INTO a VALUES (8);\n");
    WriteMigration("V3__c.sql", "DELETE FROM a WHERE id = 8;\n");
  } else {
    WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\nINSERT INTO a VALUES (7);\n");
    WriteMigration("V3__c.sql", "ALTER TABLE b ADD COLUMN c TEXT;\n");
  }
  const std::string before = Everything();

  ProcessResult dry = Run("--format", "json", "up", "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  nlohmann::json result = ParseJson(dry.out);
  EXPECT_EQ(result["dry_run"], true);
  EXPECT_EQ(result["current_version"], "1");
  ASSERT_EQ(result["applied"].size(), 2u);
  EXPECT_EQ(result["applied"][0]["version"], "2");
  EXPECT_EQ(result["applied"][1]["version"], "3");
  EXPECT_EQ(result["not_verifiable"], nlohmann::json::array());

  EXPECT_EQ(Everything(), before);
  EXPECT_FALSE(db().HasTable("b"));
  EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "0\n");
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(DryRunTest, FailingStatementIsReportedAndNothingChanges) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__bad.sql",
                 "CREATE TABLE b (id INTEGER);\n"
                 "\n"
                 "INSERT INTO missing_table VALUES (1);\n");
  if (mysql()) {
    // Both scripts have DDL: MySQL's dry-run lists them without executing
    // anything, so it cannot find the failure, and says so.
    const std::string fresh = Everything();
    ProcessResult listed = Run("--format", "json", "up", "--dry-run");
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    nlohmann::json result = ParseJson(listed.out);
    EXPECT_EQ(result["not_verifiable"], nlohmann::json::array({"V1__a.sql", "V2__bad.sql"}));
    EXPECT_EQ(result["applied"], nlohmann::json::array());
    EXPECT_FALSE(result.contains("error")) << listed.out;
    EXPECT_THAT(listed.err, HasSubstr(DdlNotVerifiable("V2__bad.sql")));
    EXPECT_EQ(Everything(), fresh);
    EXPECT_FALSE(db().HasTable("dbshift_history"));

    // What it does execute: DML. V1 applied for real; V2 made DML only.
    ASSERT_EQ(Run("up", "--to", "1").exit_code, 0);
    WriteMigration("V2__bad.sql",
                   "INSERT INTO a VALUES (1);\n"
                   "\n"
                   "INSERT INTO missing_table VALUES (1);\n");
  }
  const std::string before = Everything();

  ProcessResult dry = Run("up", "--dry-run");
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_THAT(dry.err, HasSubstr("V2__bad.sql:3: migration 2 failed: "));
  EXPECT_THAT(dry.err, HasSubstr("missing_table"));
  EXPECT_EQ(Everything(), before);
  if (mysql()) {
    EXPECT_EQ(History(), "1|1\n");
    EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "0\n")
        << "the INSERT before was not rolled back";
  } else {
    EXPECT_FALSE(db().HasTable("dbshift_history"));
  }

  ProcessResult json = Run("--format", "json", "up", "--dry-run");
  EXPECT_EQ(json.exit_code, 1) << json.err;
  nlohmann::json result = ParseJson(json.out);
  EXPECT_EQ(result["dry_run"], true);
  EXPECT_EQ(result["error"]["file"], "V2__bad.sql");
  EXPECT_EQ(result["error"]["line"], 3);
  EXPECT_EQ(result["error"]["version"], "2");
  EXPECT_EQ(result["error"]["rolled_back"], true);
  EXPECT_EQ(result["not_verifiable"], nlohmann::json::array());
  EXPECT_EQ(Everything(), before);
}

// Regression (PostgreSQL): after a failing statement inside the dry run's single
// transaction, Executor::RunOne (exec/executor.cc) calls ResetDirectives(),
// whose SET lock_timeout fails in the aborted transaction; that SqlError
// replaces the migration failure, so the output is only "current transaction
// is aborted" with no file, line or server message. Same with
// --single-transaction. Fix: skip or defer the reset until the outer
// transaction is rolled back (or use SET LOCAL inside a transaction).
// On MySQL the script is DML only (a script with DDL is not executed by a
// dry-run there), after a real V1 that creates its table.
TEST_P(DryRunTest, FailingStatementInAScriptWithTimeoutDirectivesIsReported) {
  const std::string script = mysql() ? "V2__a.sql" : "V1__a.sql";
  if (mysql()) {
    WriteMigration("V1__table.sql", "CREATE TABLE a (id INTEGER);\n");
    ASSERT_EQ(Run("up").exit_code, 0);
  }
  WriteMigration(script, std::string("-- dbshift:lock-timeout 5s\n"
                                     "-- dbshift:statement-timeout 1m\n") +
                             (mysql() ? "INSERT INTO a (id) VALUES (1);\n"
                                      : "CREATE TABLE a (id INTEGER);\n") +
                             "INSERT INTO missing_table VALUES (1);\n");
  const std::string before = Everything();
  ProcessResult dry = Run("--format", "json", "up", "--dry-run");
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  nlohmann::json result = ParseJson(dry.out);
  EXPECT_EQ(result["error"]["file"], script) << dry.out;
  EXPECT_EQ(result["error"]["line"], 4);
  EXPECT_THAT(result["error"]["message"].dump(), HasSubstr("missing_table"));
  EXPECT_EQ(result["not_verifiable"], nlohmann::json::array());
  EXPECT_EQ(Everything(), before);
  if (mysql()) {
    EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "0\n");
  }
}

TEST_P(DryRunTest, NoTransactionScriptIsListedAsNotVerifiableAndNotExecuted) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__outside.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE TABLE outside (id INTEGER);\n");
  const std::string before = Everything();

  ProcessResult dry = Run("up", "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("not verifiable (listed, not executed): V2__outside.sql"));
  EXPECT_THAT(dry.err,
              HasSubstr("V2__outside.sql: not verifiable in a dry-run (marked no-transaction)"));
  EXPECT_EQ(Everything(), before);
  EXPECT_FALSE(db().HasTable("outside"));
  EXPECT_FALSE(db().HasTable("a"));

  ProcessResult json = Run("--format", "json", "up", "--dry-run");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json result = ParseJson(json.out);
  if (mysql()) {
    // V1's CREATE TABLE would commit on MySQL: it is listed, not executed, too.
    EXPECT_EQ(result["not_verifiable"], nlohmann::json::array({"V1__a.sql", "V2__outside.sql"}));
    EXPECT_EQ(result["applied"], nlohmann::json::array());
    EXPECT_THAT(dry.err, HasSubstr(DdlNotVerifiable("V1__a.sql")));
  } else {
    EXPECT_EQ(result["not_verifiable"], nlohmann::json::array({"V2__outside.sql"}));
    ASSERT_EQ(result["applied"].size(), 1u);
    EXPECT_EQ(result["applied"][0]["version"], "1");
  }
  EXPECT_EQ(Everything(), before);
}

// Regression: DESIGN.md says --dry-run "prints the plan and every statement"; the
// executor skips scripts it cannot verify before splitting them, so their
// statements are never shown (exec/executor.cc, Executor::Up/Down).
TEST_P(DryRunTest, NoTransactionScriptStatementsAreStillPrinted) {
  WriteMigration("V1__outside.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE TABLE outside (id INTEGER);\n");
  ProcessResult dry = Run("up", "--dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("CREATE TABLE outside (id INTEGER)"));
  EXPECT_FALSE(db().HasTable("outside"));
}

// Regression: a COMMIT in a script ends the dry run's transaction, so everything
// before it, everything after it and the history row are really applied,
// while dbshift prints "everything was rolled back" and exits 0
// (exec/executor.cc Up: the outer transaction is not checked to be still
// open after each statement; exec/script_runner.cc should refuse
// transaction control in a transactional script).
// On MySQL that script has DDL and is only listed; the COMMIT is checked in a
// script of DML only, which the dry-run does execute there.
TEST_P(DryRunTest, ScriptThatCommitsCannotEscapeTheDryRun) {
  WriteMigration("V1__a.sql",
                 "CREATE TABLE a (id INTEGER);\n"
                 "COMMIT;\n"
                 "CREATE TABLE b (id INTEGER);\n");
  if (mysql()) {
    const std::string fresh = Everything();
    ProcessResult listed = Run("up", "--dry-run");
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_THAT(listed.err, HasSubstr(DdlNotVerifiable("V1__a.sql")));
    EXPECT_THAT(listed.out, HasSubstr(Listed("V1__a.sql", 2, "COMMIT;")));
    EXPECT_EQ(Everything(), fresh);
    EXPECT_FALSE(db().HasTable("a"));
    EXPECT_FALSE(db().HasTable("b"));
    EXPECT_FALSE(db().HasTable("dbshift_history"));

    WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
    ASSERT_EQ(Run("up").exit_code, 0);
    WriteMigration("V2__commits.sql",
                   "INSERT INTO a (id) VALUES (1);\n"
                   "COMMIT;\n"
                   "INSERT INTO a (id) VALUES (2);\n");
    const std::string before = Everything();
    ProcessResult dry = Run("up", "--dry-run");
    EXPECT_NE(dry.exit_code, 0) << dry.out;
    EXPECT_THAT(dry.err, HasSubstr("V2__commits.sql:2"));
    EXPECT_EQ(Everything(), before);
    EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "0\n");
    EXPECT_EQ(History(), "1|1\n");
    return;
  }
  const std::string before = Everything();
  ProcessResult dry = Run("up", "--dry-run");
  EXPECT_NE(dry.exit_code, 0) << dry.out;
  EXPECT_THAT(dry.err, HasSubstr("V1__a.sql:2"));
  EXPECT_EQ(Everything(), before);
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_FALSE(db().HasTable("dbshift_history"));
}

// On MySQL U2 is DML only, so that the dry-run executes it (and rolls it back)
// there too; U1's DROP TABLE would commit, so it is listed, not executed.
TEST_P(DryRunTest, DownPrintsTheUndoStatementsAndChangesNothing) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\nINSERT INTO b VALUES (1);\n");
  WriteMigration("U2__b.sql", mysql() ? "DELETE FROM b;\n" : "DELETE FROM b;\nDROP TABLE b;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  const std::string before = Everything();

  // No --yes and no terminal: a dry run asks nothing.
  ProcessResult dry = Run("down", "--dry-run", "-n", "2");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("-- U2__b.sql:1\n    DELETE FROM b;"));
  if (mysql()) {
    EXPECT_THAT(dry.out, HasSubstr(Listed("U1__a.sql", 1, "DROP TABLE a;")));
    EXPECT_THAT(dry.out, HasSubstr("Dry run: 1 migration executed and rolled back, 1 listed "
                                   "without executing (a real run would undo them all). "
                                   "Database remains at version 2.\n"
                                   "  not verifiable (listed, not executed): U1__a.sql"));
    EXPECT_THAT(dry.err, HasSubstr(DdlNotVerifiable("U1__a.sql")));
  } else {
    EXPECT_THAT(dry.out, HasSubstr("-- U2__b.sql:2\n    DROP TABLE b;"));
    EXPECT_THAT(dry.out, HasSubstr("-- U1__a.sql:1\n    DROP TABLE a;"));
    EXPECT_THAT(dry.out, HasSubstr("Dry run: 2 migrations would be undone; everything was rolled "
                                   "back. Database remains at version 2."));
  }
  EXPECT_EQ(Everything(), before);
  EXPECT_EQ(db().Query("SELECT id FROM b"), "1\n");

  ProcessResult json = Run("--format", "json", "down", "--dry-run");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json result = ParseJson(json.out);
  EXPECT_EQ(result["dry_run"], true);
  EXPECT_EQ(result["current_version"], "2");
  ASSERT_EQ(result["applied"].size(), 1u);
  EXPECT_EQ(result["applied"][0]["version"], "2");
  EXPECT_EQ(result["not_verifiable"], nlohmann::json::array());
  EXPECT_EQ(Everything(), before);
  EXPECT_EQ(db().Query("SELECT id FROM b"), "1\n");
}

TEST_P(DryRunTest, FailingUndoIsReportedAndNothingChanges) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\nINSERT INTO a (id) VALUES (1);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\nDROP TABLE not_there;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  if (mysql()) {
    // DROP TABLE would commit: the undo is listed, not executed, and its
    // failure cannot be found by a dry-run on MySQL.
    const std::string applied = Everything();
    ProcessResult listed = Run("down", "--dry-run");
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_THAT(listed.err, HasSubstr(DdlNotVerifiable("U1__a.sql")));
    EXPECT_THAT(listed.out, HasSubstr(Listed("U1__a.sql", 2, "DROP TABLE not_there;")));
    EXPECT_EQ(Everything(), applied);
    EXPECT_TRUE(db().HasTable("a"));

    // An undo of DML only is executed, fails and is rolled back.
    WriteMigration("U1__a.sql", "DELETE FROM a;\nDELETE FROM not_there;\n");
  }
  const std::string before = Everything();

  ProcessResult dry = Run("down", "--dry-run");
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_THAT(dry.err, HasSubstr("U1__a.sql:2: migration 1 failed: "));
  EXPECT_THAT(dry.err, HasSubstr("not_there"));
  EXPECT_THAT(dry.out, Not(HasSubstr("Undid")));
  EXPECT_EQ(Everything(), before);
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, DryRunTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
