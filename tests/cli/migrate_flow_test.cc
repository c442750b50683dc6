// The main flows of the binary on every engine: up (all, --to, -n), a
// failing migration in the middle of a batch, repeatable scripts, down,
// baseline, and folders dbshift must refuse to touch.
#include <array>
#include <pwd.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// sha256 of a file as the coreutils tool computes it: an independent check
// of the checksum dbshift stores.
std::string Sha256Of(const std::filesystem::path& file) {
  ProcessResult result = RunProcess("/usr/bin/sha256sum", {.args = {file.string()}});
  if (result.exit_code != 0) throw std::runtime_error("sha256sum failed: " + result.err);
  return "sha256:" + result.out.substr(0, 64);
}

std::string ToolVersion() {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"--version"}});
  return result.out.substr(0, result.out.find('\n'));
}

std::string UserAtHost() {
  std::string user;
  if (passwd* entry = getpwuid(geteuid()); entry != nullptr) user = entry->pw_name;
  std::array<char, 256> host{};
  gethostname(host.data(), host.size() - 1);
  return user + "@" + host.data();
}

class MigrateFlowTest : public CliTest {
 protected:
  // The state of each migration in `status --format json`, "version=state ...".
  std::string States() {
    ProcessResult result = Run("--format", "json", "status");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    nlohmann::json status = ParseJson(result.out);
    std::string states;
    for (const nlohmann::json& entry : status["migrations"]) {
      if (!states.empty()) states += ' ';
      states +=
          (entry["version"].is_null() ? std::string("R") : entry["version"].get<std::string>()) +
          "=" + entry["state"].get<std::string>();
    }
    return states;
  }

  nlohmann::json CurrentVersion() {
    ProcessResult result = Run("--format", "json", "status");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return ParseJson(result.out)["current_version"];
  }
};

TEST_P(MigrateFlowTest, UpAppliesEveryPendingMigrationInNumericVersionOrder) {
  // V10 needs V2's table and V2 needs V1.5's: any other order fails.
  WriteMigration("V1__create_steps.sql", "CREATE TABLE steps (n INTEGER, step TEXT);\n");
  WriteMigration(
      "V2__create_b.sql",
      "CREATE TABLE b (id INTEGER);\nINSERT INTO steps SELECT count(*), '2' FROM steps;\n");
  WriteMigration("V10__alter_b.sql",
                 "ALTER TABLE b ADD COLUMN extra INTEGER;\n"
                 "INSERT INTO steps SELECT count(*), '10' FROM steps;\n");
  WriteMigration("V1.5__first_step.sql", "INSERT INTO steps SELECT count(*), '1.5' FROM steps;\n");

  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("Applied 4 migrations. Database is at version 10."));
  EXPECT_EQ(db().Query("SELECT n, step FROM steps ORDER BY n"), "0|1.5\n1|2\n2|10\n");
  EXPECT_TRUE(db().HasTable("b"));

  EXPECT_EQ(db().Query("SELECT version, description, kind, script, statements_done, "
                       "statements_total, error FROM dbshift_history ORDER BY installed_rank"),
            "1|create steps|versioned|V1__create_steps.sql|1|1|NULL\n"
            "1.5|first step|versioned|V1.5__first_step.sql|1|1|NULL\n"
            "2|create b|versioned|V2__create_b.sql|2|2|NULL\n"
            "10|alter b|versioned|V10__alter_b.sql|2|2|NULL\n");
  EXPECT_EQ(History(), "1|1\n1.5|1\n2|1\n10|1\n");
  EXPECT_EQ(db().Query("SELECT checksum FROM dbshift_history ORDER BY installed_rank"),
            Sha256Of(migrations_dir() / "V1__create_steps.sql") + "\n" +
                Sha256Of(migrations_dir() / "V1.5__first_step.sql") + "\n" +
                Sha256Of(migrations_dir() / "V2__create_b.sql") + "\n" +
                Sha256Of(migrations_dir() / "V10__alter_b.sql") + "\n");
  EXPECT_EQ(db().Query("SELECT DISTINCT applied_by, tool_version FROM dbshift_history"),
            UserAtHost() + "|" + ToolVersion() + "\n");
  // One run: one run id, shared by every row.
  EXPECT_EQ(db().Query("SELECT count(DISTINCT run_id), count(run_id) FROM dbshift_history"),
            "1|4\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM dbshift_history WHERE length(run_id) < 8"), "0\n");

  // Nothing pending: nothing runs, nothing is written.
  ProcessResult again = Run("up");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to do. Database is at version 10."));
  EXPECT_EQ(History(), "1|1\n1.5|1\n2|1\n10|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM steps"), "3\n");

  EXPECT_EQ(States(), "1=applied 1.5=applied 2=applied 10=applied");
  EXPECT_EQ(CurrentVersion(), "10");
  ProcessResult status = Run("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("Current version: 10\n"));
}

TEST_P(MigrateFlowTest, UpToAndCountStopWhereTold) {
  for (int v = 1; v <= 4; ++v) {
    std::string n = std::to_string(v);
    WriteMigration("V" + n + "__t" + n + ".sql", "CREATE TABLE t" + n + " (id INTEGER);\n");
  }
  EXPECT_EQ(CurrentVersion(), nullptr);
  EXPECT_EQ(States(), "1=pending 2=pending 3=pending 4=pending");

  ProcessResult to = Run("up", "--to", "2");
  ASSERT_EQ(to.exit_code, 0) << to.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_TRUE(db().HasTable("t2"));
  EXPECT_FALSE(db().HasTable("t3"));
  EXPECT_EQ(CurrentVersion(), "2");
  EXPECT_EQ(States(), "1=applied 2=applied 3=pending 4=pending");

  ProcessResult one = Run("up", "-n", "1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
  EXPECT_TRUE(db().HasTable("t3"));
  EXPECT_FALSE(db().HasTable("t4"));
  EXPECT_EQ(CurrentVersion(), "3");

  ProcessResult typo = Run("up", "--to", "7");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("--to 7"));
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");

  ProcessResult rest = Run("up");
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n4|1\n");
  EXPECT_EQ(CurrentVersion(), "4");
}

// Regression: -n 0 is read as "no count" (cli/commands/target_flags.cc ToTarget
// skips count 0 because TargetFlags::count defaults to 0), so `up -n 0`
// applies every pending migration instead of refusing.
TEST_P(MigrateFlowTest, CountZeroIsAUsageErrorAndAppliesNothing) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  ProcessResult up = Run("up", "-n", "0");
  EXPECT_EQ(up.exit_code, 2) << up.out;
  EXPECT_THAT(up.err, HasSubstr("-n 0"));
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_EQ(History(), "");
}

// Regression: with --single-transaction a failure rolls back the whole run, but
// cli/commands/run_support.cc ReportRun always says "the migrations before it
// stay applied" (RunFailure does not say that the whole run was rolled back).
TEST_P(MigrateFlowTest, SingleTransactionFailureRollsBackEverythingAndSaysSo) {
  if (!ddl_rolls_back()) {
    // One transaction cannot hold DDL there: refused before anything runs.
    WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
    WriteMigration("V2__b.sql", "INSERT INTO nowhere VALUES (1);\n");
    ProcessResult up = Run("up", "--single-transaction");
    EXPECT_EQ(up.exit_code, 2) << up.err;
    EXPECT_THAT(up.err, HasSubstr("V1__a.sql (DDL, which mysql commits implicitly)"));
    EXPECT_THAT(up.err, Not(HasSubstr("V2__b.sql")));
    EXPECT_FALSE(db().HasTable("a"));
    EXPECT_FALSE(db().HasTable("dbshift_history"));
    return;
  }
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  WriteMigration("V3__bad.sql", "INSERT INTO nowhere VALUES (1);\n");
  ProcessResult up = Run("up", "--single-transaction");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("V3__bad.sql:1: migration 3 failed: "));
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_FALSE(db().HasTable("b"));
  EXPECT_FALSE(db().HasTable("dbshift_history")) << "it was made in the run's transaction";
  EXPECT_EQ(History(), "");
  EXPECT_THAT(up.out, HasSubstr("Applied 0 migrations. Database is at no version."));
  EXPECT_THAT(up.err, Not(HasSubstr("the migrations before it stay applied")));

  ProcessResult json = Run("--format", "json", "up", "--single-transaction");
  EXPECT_EQ(json.exit_code, 1);
  nlohmann::json result = ParseJson(json.out);
  EXPECT_EQ(result["applied"], nlohmann::json::array());
  EXPECT_TRUE(result["current_version"].is_null());
  EXPECT_EQ(result["error"]["version"], "3");
}

// In one transaction the history rows may be written together at the commit;
// a migration that reads the history must still see the ones before it, and
// every row must be there, in order, afterwards.
TEST_P(MigrateFlowTest, SingleTransactionMigrationSeesTheHistoryOfTheOnesBefore) {
  if (!ddl_rolls_back()) GTEST_SKIP() << "--single-transaction refuses DDL there";
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  WriteMigration("V3__count.sql",
                 "CREATE TABLE seen (n INTEGER);\n"
                 "INSERT INTO seen (n) SELECT COUNT(*) FROM dbshift_history;\n");
  ProcessResult up = Run("up", "--single-transaction");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT n FROM seen"), "2\n");
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

// Regression: a transactional script that ends the transaction itself (COMMIT)
// commits its first half and the statements after it run in autocommit, so
// a later failure is reported as "rolled back" while part of the script and
// its history stay. exec/script_runner.cc should reject transaction control
// (or check after each statement that the transaction is still open:
// PQtransactionStatus / sqlite3_get_autocommit) and fail the migration.
TEST_P(MigrateFlowTest, ScriptThatCommitsItsOwnTransactionLeavesNothingBehind) {
  if (!ddl_rolls_back()) {
    // Only a script of DML runs in a transaction there.
    db().Query("CREATE TABLE a (id INTEGER)");
    WriteMigration("V1__a.sql",
                   "INSERT INTO a VALUES (1);\n"
                   "COMMIT;\n"
                   "INSERT INTO a VALUES (2);\n"
                   "INSERT INTO nowhere VALUES (1);\n");
    ProcessResult up = Run("up");
    EXPECT_NE(up.exit_code, 0);
    EXPECT_EQ(db().Query("SELECT count(*) FROM a"), "0\n");
    EXPECT_EQ(History(), "");
    return;
  }
  WriteMigration("V1__a.sql",
                 "CREATE TABLE a (id INTEGER);\n"
                 "COMMIT;\n"
                 "CREATE TABLE b (id INTEGER);\n"
                 "INSERT INTO nowhere VALUES (1);\n");
  ProcessResult up = Run("up");
  EXPECT_NE(up.exit_code, 0);
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_FALSE(db().HasTable("b"));
  EXPECT_EQ(History(), "");
}

// V3 fails on its third statement (line 6) after a good one: V3 rolls back
// as a whole, V1 and V2 stay, V4 and V5 never run.
class FailingBatch : public MigrateFlowTest {
 protected:
  void WriteBatch() {
    WriteMigration("V1__one.sql", "CREATE TABLE one (id INTEGER);\n");
    WriteMigration("V2__two.sql", "CREATE TABLE two (id INTEGER);\n");
    WriteMigration("V3__three.sql",
                   "-- the third migration\n"
                   "CREATE TABLE three_first (id INTEGER);\n"
                   "INSERT INTO three_first VALUES (1);\n"
                   "\n"
                   "INSERT INTO three_first\n"
                   "  SELECT id FROM no_such_table;\n"
                   "CREATE TABLE three_last (id INTEGER);\n");
    WriteMigration("V4__four.sql", "CREATE TABLE four (id INTEGER);\n");
    WriteMigration("V5__five.sql", "CREATE TABLE five (id INTEGER);\n");
  }
  std::string ServerMessage() const {
    if (mysql()) return "no_such_table' doesn't exist";
    return sqlite() ? "no such table: no_such_table" : "relation \"no_such_table\" does not exist";
  }
  // The statement starts on line 5; PostgreSQL points at no_such_table on line 6.
  int FailingLine() const { return postgres() ? 6 : 5; }
  // Where DDL rolls back, V3 leaves nothing; on MySQL its first two
  // statements stay and V3 is recorded as failed at its third.
  void ExpectOnlyOneAndTwoApplied() {
    EXPECT_TRUE(db().HasTable("one"));
    EXPECT_TRUE(db().HasTable("two"));
    EXPECT_EQ(db().HasTable("three_first"), !ddl_rolls_back());
    EXPECT_FALSE(db().HasTable("three_last"));
    EXPECT_FALSE(db().HasTable("four"));
    EXPECT_FALSE(db().HasTable("five"));
    if (ddl_rolls_back()) {
      EXPECT_EQ(History(), "1|1\n2|1\n");
    } else {
      EXPECT_EQ(db().Query("SELECT count(*) FROM three_first"), "1\n");
      EXPECT_EQ(History(), "1|1\n2|1\n3|0\n");
      EXPECT_EQ(db().Query("SELECT statements_done, statements_total FROM dbshift_history WHERE "
                           "version = '3'"),
                "2|4\n");
    }
  }
};

TEST_P(FailingBatch, StopsAtTheFailingMigrationAndRollsItBack) {
  WriteBatch();
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  const std::string where = fmt::format("V3__three.sql:{}", FailingLine());
  EXPECT_THAT(up.err, HasSubstr(where + ": migration 3 failed: "));
  EXPECT_THAT(up.err, HasSubstr(ServerMessage()));
  ExpectOnlyOneAndTwoApplied();
  if (ddl_rolls_back()) {
    EXPECT_THAT(up.err, HasSubstr("rolled back"));
    EXPECT_EQ(States(), "1=applied 2=applied 3=pending 4=pending 5=pending");
    return;
  }
  EXPECT_THAT(up.err, Not(HasSubstr("rolled back")));
  EXPECT_THAT(up.err, HasSubstr("recorded as failed at statement 3 of 4"));
  EXPECT_THAT(up.err, HasSubstr("2 statements before it stay applied:\n"
                                "    1. line 2: CREATE TABLE three_first (id INTEGER)\n"
                                "    2. line 3: INSERT INTO three_first VALUES (1)\n"));
  EXPECT_THAT(up.err, HasSubstr("dbshift up --resume"));
  EXPECT_EQ(States(), "1=applied 2=applied 3=failed 4=pending 5=pending");
}

TEST_P(FailingBatch, JsonNamesTheAppliedOnesAndTheError) {
  WriteBatch();
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  nlohmann::json result = ParseJson(up.out);
  ASSERT_EQ(result["applied"].size(), 2u) << up.out;
  EXPECT_EQ(result["applied"][0]["version"], "1");
  EXPECT_EQ(result["applied"][0]["description"], "one");
  EXPECT_EQ(result["applied"][1]["version"], "2");
  EXPECT_EQ(result["current_version"], "2");
  EXPECT_EQ(result["dry_run"], false);
  EXPECT_EQ(result["error"]["version"], "3");
  EXPECT_EQ(result["error"]["file"], "V3__three.sql");
  EXPECT_EQ(result["error"]["line"], FailingLine());
  EXPECT_THAT(result["error"]["message"].get<std::string>(), HasSubstr(ServerMessage()));
  EXPECT_EQ(result["error"]["rolled_back"], ddl_rolls_back());
  EXPECT_EQ(result["error"]["statement_index"], 3);
  EXPECT_EQ(result["error"]["statements_total"], 4);
  const nlohmann::json& applied = result["error"]["applied_statements"];
  if (ddl_rolls_back()) {
    EXPECT_EQ(applied, nlohmann::json::array());
  } else {
    ASSERT_EQ(applied.size(), 2u) << up.out;
    EXPECT_EQ(applied[0]["index"], 1);
    EXPECT_EQ(applied[0]["line"], 2);
    EXPECT_EQ(applied[0]["statement"], "CREATE TABLE three_first (id INTEGER)");
    EXPECT_EQ(applied[1]["line"], 3);
  }
  ExpectOnlyOneAndTwoApplied();
}

TEST_P(MigrateFlowTest, RepeatableRunsAfterVersionedAndAgainOnlyWhenChanged) {
  // R__ sorts before V in a folder listing; it needs V2's table.
  WriteMigration("V1__runs.sql", "CREATE TABLE runs (what TEXT);\n");
  WriteMigration("V2__items.sql", "CREATE TABLE items (id INTEGER);\n");
  const std::string view_v1 =
      "DROP VIEW IF EXISTS item_ids;\n"
      "CREATE VIEW item_ids AS SELECT id FROM items;\n"
      "INSERT INTO runs VALUES ('view 1');\n";
  WriteMigration("R__item_view.sql", view_v1);

  ProcessResult first = Run("up");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(db().HasTable("item_ids"));
  EXPECT_EQ(db().Query("SELECT coalesce(version, 'NULL'), kind, script FROM dbshift_history "
                       "ORDER BY installed_rank"),
            "1|versioned|V1__runs.sql\n2|versioned|V2__items.sql\n"
            "NULL|repeatable|R__item_view.sql\n");
  EXPECT_EQ(States(), "1=applied 2=applied R=applied");

  ProcessResult unchanged = Run("up");
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.err;
  EXPECT_THAT(unchanged.out, HasSubstr("Nothing to do."));
  EXPECT_EQ(db().Query("SELECT what FROM runs"), "view 1\n");

  // A new versioned migration runs; the unchanged repeatable does not.
  WriteMigration("V3__more.sql", "ALTER TABLE items ADD COLUMN name TEXT;\n");
  ProcessResult versioned_only = Run("up");
  ASSERT_EQ(versioned_only.exit_code, 0) << versioned_only.err;
  EXPECT_EQ(db().Query("SELECT what FROM runs"), "view 1\n");

  WriteMigration("R__item_view.sql",
                 "DROP VIEW IF EXISTS item_ids;\n"
                 "CREATE VIEW item_ids AS SELECT id, name FROM items;\n"
                 "INSERT INTO runs VALUES ('view 2');\n");
  EXPECT_EQ(States(), "1=applied 2=applied 3=applied R=pending");
  ProcessResult changed = Run("up");
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(db().Query("SELECT what FROM runs ORDER BY what"), "view 1\nview 2\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM dbshift_history WHERE kind = 'repeatable'"), "2\n");
  EXPECT_EQ(db().Query("SELECT checksum FROM dbshift_history ORDER BY installed_rank DESC LIMIT 1"),
            Sha256Of(migrations_dir() / "R__item_view.sql") + "\n");
  EXPECT_EQ(States(), "1=applied 2=applied 3=applied R=applied");
}

class DownTest : public MigrateFlowTest {
 protected:
  void WriteThree() {
    for (const char* n : {"1", "2", "3"}) {
      std::string v(n);
      WriteMigration("V" + v + "__t" + v + ".sql", "CREATE TABLE t" + v + " (id INTEGER);\n");
      WriteMigration("U" + v + "__t" + v + ".sql",
                     "DROP TABLE t" + v + ";\nINSERT INTO undone VALUES ('" + v + "');\n");
    }
    // The undo scripts leave a trace, so the test sees that they ran.
    WriteMigration("V0__undone.sql", "CREATE TABLE undone (v TEXT);\n");
  }
  std::string Kinds() {
    return db().Query(
        "SELECT version, kind, CASE WHEN success THEN 1 ELSE 0 END FROM dbshift_history "
        "ORDER BY installed_rank");
  }
};

TEST_P(DownTest, RefusesWithoutATerminalOrYes) {
  WriteThree();
  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult down = Run("down");
  EXPECT_EQ(down.exit_code, 2);
  EXPECT_THAT(down.err, HasSubstr("--yes"));
  EXPECT_TRUE(db().HasTable("t3"));
  EXPECT_EQ(History(), "0|1\n1|1\n2|1\n3|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM undone"), "0\n");
}

TEST_P(DownTest, UndoesTheLastOneThenToAVersionThenACount) {
  WriteThree();
  ASSERT_EQ(Run("up").exit_code, 0);

  ProcessResult last = Run("--yes", "down");
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_THAT(last.out, HasSubstr("Undid 1 migration. Database is at version 2."));
  EXPECT_FALSE(db().HasTable("t3"));
  EXPECT_TRUE(db().HasTable("t2"));
  EXPECT_EQ(db().Query("SELECT v FROM undone"), "3\n");
  EXPECT_EQ(Kinds(), "0|versioned|1\n1|versioned|1\n2|versioned|1\n3|versioned|1\n3|undo|1\n");
  EXPECT_EQ(db().Query("SELECT script FROM dbshift_history WHERE kind = 'undo'"), "U3__t3.sql\n");
  EXPECT_EQ(States(), "0=applied 1=applied 2=applied 3=pending");
  EXPECT_EQ(CurrentVersion(), "2");

  ProcessResult reapply = Run("up");
  ASSERT_EQ(reapply.exit_code, 0) << reapply.err;
  EXPECT_TRUE(db().HasTable("t3"));
  EXPECT_EQ(States(), "0=applied 1=applied 2=applied 3=applied");
  EXPECT_EQ(CurrentVersion(), "3");

  ProcessResult to = Run("--yes", "down", "--to", "1");
  ASSERT_EQ(to.exit_code, 0) << to.err;
  EXPECT_FALSE(db().HasTable("t3"));
  EXPECT_FALSE(db().HasTable("t2"));
  EXPECT_TRUE(db().HasTable("t1"));
  EXPECT_EQ(db().Query("SELECT v FROM undone"), "3\n3\n2\n");
  EXPECT_EQ(CurrentVersion(), "1");
  EXPECT_EQ(States(), "0=applied 1=applied 2=pending 3=pending");

  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult count = Run("--yes", "down", "-n", "2");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_THAT(count.out, HasSubstr("Undid 2 migrations. Database is at version 1."));
  EXPECT_FALSE(db().HasTable("t2"));
  EXPECT_TRUE(db().HasTable("t1"));
  EXPECT_EQ(db().Query("SELECT v FROM undone"), "3\n3\n2\n3\n2\n");
  EXPECT_EQ(Kinds(),
            "0|versioned|1\n1|versioned|1\n2|versioned|1\n3|versioned|1\n3|undo|1\n"
            "3|versioned|1\n3|undo|1\n2|undo|1\n2|versioned|1\n3|versioned|1\n3|undo|1\n"
            "2|undo|1\n");
}

TEST_P(DownTest, VersionWithoutUndoScriptExitsThreeAndNamesIt) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);

  ProcessResult down = Run("--yes", "down");
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_THAT(down.err, HasSubstr("version 2 (V2__b.sql) has no undo script"));
  EXPECT_TRUE(db().HasTable("b"));
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

TEST_P(DownTest, FailingUndoRollsBackAndKeepsTheVersionApplied) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\nDROP TABLE not_there;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult down = Run("--yes", "down");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, HasSubstr("U1__a.sql:2: migration 1 failed: "));
  EXPECT_THAT(down.err, HasSubstr("not_there"));
  if (!ddl_rolls_back()) {
    // The DROP TABLE stayed: the undo is recorded as failed, never silent.
    EXPECT_FALSE(db().HasTable("a"));
    EXPECT_EQ(Kinds(), "1|versioned|1\n1|undo|0\n");
    EXPECT_EQ(States(), "1=failed");
    EXPECT_THAT(down.err, HasSubstr("1. line 1: DROP TABLE a"));
    return;
  }
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(Kinds(), "1|versioned|1\n");
  EXPECT_EQ(States(), "1=applied");
  EXPECT_EQ(CurrentVersion(), "1");
}

TEST_P(DownTest, NoTransactionUndoFailureIsRecordedUntilRepaired) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\nCREATE TABLE keep (id INTEGER);\n");
  WriteMigration("U1__a.sql",
                 "-- dbshift:no-transaction\n"
                 "DROP TABLE a;\n"
                 "DROP TABLE not_there;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult down = Run("--yes", "down");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, HasSubstr("U1__a.sql:3: migration 1 failed: "));
  EXPECT_THAT(down.err, HasSubstr("recorded as failed"));
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_EQ(Kinds(), "1|versioned|1\n1|undo|0\n");
  EXPECT_EQ(States(), "1=failed");
  EXPECT_EQ(Run("validate").exit_code, 3);
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_THAT(up.err, HasSubstr("undo of version 1 (U1__a.sql) failed after 1 of 2 statements"));

  ProcessResult repair = Run("--yes", "repair");
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(Kinds(), "1|versioned|1\n");
  EXPECT_EQ(States(), "1=applied");
}

TEST_P(MigrateFlowTest, BaselineSkipsEverythingUpToItsVersion) {
  // The database already has what V1..V3 would create: running them would fail.
  db().Query("CREATE TABLE t1 (id INTEGER)");
  db().Query("CREATE TABLE t2 (id INTEGER)");
  db().Query("CREATE TABLE t3 (id INTEGER)");
  for (int v = 1; v <= 5; ++v) {
    std::string n = std::to_string(v);
    WriteMigration("V" + n + "__t" + n + ".sql", "CREATE TABLE t" + n + " (id INTEGER);\n");
  }
  ProcessResult baseline = Run("baseline", "--version", "3");
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  EXPECT_EQ(db().Query("SELECT version, kind FROM dbshift_history"), "3|baseline\n");
  EXPECT_EQ(States(), "1=ignored 2=ignored 3=baseline 4=pending 5=pending");
  EXPECT_EQ(CurrentVersion(), "3");

  ProcessResult up = Run("--format", "json", "up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  nlohmann::json applied = ParseJson(up.out)["applied"];
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0]["version"], "4");
  EXPECT_EQ(applied[1]["version"], "5");
  EXPECT_TRUE(db().HasTable("t5"));
  EXPECT_EQ(History(), "3|1\n4|1\n5|1\n");
  EXPECT_EQ(States(), "1=ignored 2=ignored 3=baseline 4=applied 5=applied");

  ProcessResult below = Run("--yes", "down", "--to", "2");
  EXPECT_EQ(below.exit_code, 2);
  EXPECT_THAT(below.err, HasSubstr("below the baseline version 3"));

  ProcessResult twice = Run("baseline", "--version", "3");
  EXPECT_EQ(twice.exit_code, 3);
  EXPECT_THAT(twice.err, HasSubstr("baseline refused"));
  EXPECT_EQ(History(), "3|1\n4|1\n5|1\n");
}

// Folders dbshift must refuse before it touches the database.
class BadSourceTest : public MigrateFlowTest {
 protected:
  void ExpectRefused(const std::vector<std::string>& names) {
    for (const char* command : {"up", "status", "validate"}) {
      ProcessResult result = Run(command);
      EXPECT_EQ(result.exit_code, 3) << command << ": " << result.err;
      for (const std::string& name : names) EXPECT_THAT(result.err, HasSubstr(name)) << command;
      EXPECT_EQ(result.out, "") << command;
    }
    EXPECT_FALSE(db().HasTable("dbshift_history"));
    EXPECT_FALSE(db().HasTable("a"));
  }
};

TEST_P(BadSourceTest, BrokenFileName) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2_x.sql", "CREATE TABLE x (id INTEGER);\n");
  ExpectRefused({"V2_x.sql", "not a migration file name"});
}

TEST_P(BadSourceTest, DuplicateVersions) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V1.0__b.sql", "CREATE TABLE b (id INTEGER);\n");
  ExpectRefused({"V1__a.sql", "V1.0__b.sql", "share version"});
}

TEST_P(BadSourceTest, UndoWithoutVersioned) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U2__b.sql", "DROP TABLE b;\n");
  ExpectRefused({"U2__b.sql", "without a versioned migration"});
}

TEST_P(BadSourceTest, MixedLayouts) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("2_b.up.sql", "CREATE TABLE b (id INTEGER);\n");
  ExpectRefused({"V1__a.sql", "2_b.up.sql", "mixed"});
}

TEST_P(BadSourceTest, UnknownDirectiveNamesFileAndLine) {
  WriteMigration("V1__a.sql",
                 "-- a comment first\n"
                 "-- dbshift:no-transactoin\n"
                 "CREATE TABLE a (id INTEGER);\n");
  ExpectRefused({"V1__a.sql:2", "unknown directive \"dbshift:no-transactoin\""});
}

TEST_P(BadSourceTest, MissingFolderIsAUsageError) {
  ProcessResult result =
      RunBare({.args = {"--url", url(), "--dir", (work_dir() / "nowhere").string(), "--log-dir",
                        log_dir().string(), "up"}});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("nowhere"));
  EXPECT_FALSE(db().HasTable("dbshift_history"));
}

INSTANTIATE_TEST_SUITE_P(Engines, MigrateFlowTest, ::testing::ValuesIn(kEngines), EngineName);
INSTANTIATE_TEST_SUITE_P(Engines, FailingBatch, ::testing::ValuesIn(kEngines), EngineName);
INSTANTIATE_TEST_SUITE_P(Engines, DownTest, ::testing::ValuesIn(kEngines), EngineName);
INSTANTIATE_TEST_SUITE_P(Engines, BadSourceTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
