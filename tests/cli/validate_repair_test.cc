// Scripts outside a transaction (-- dbshift:no-transaction), the states that
// make `up` refuse (failed, changed, missing, out_of_order), `validate`, and
// `repair`.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

class ValidateRepairTest : public CliTest {
 protected:
  // "version=state" of every migration in `status --format json`.
  std::string States() {
    ProcessResult result = Run("--format", "json", "status");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string states;
    const nlohmann::json status = ParseJson(result.out);
    for (const nlohmann::json& entry : status["migrations"]) {
      if (!states.empty()) states += ' ';
      states +=
          (entry["version"].is_null() ? std::string("R") : entry["version"].get<std::string>()) +
          "=" + entry["state"].get<std::string>();
    }
    return states;
  }

  // `validate --format json` as "version:state" of each problem; checks the exit code.
  std::string Problems(int expected_exit) {
    ProcessResult result = Run("--format", "json", "validate");
    EXPECT_EQ(result.exit_code, expected_exit) << result.err;
    nlohmann::json report = ParseJson(result.out);
    EXPECT_EQ(report["ok"], expected_exit == 0);
    std::string problems;
    for (const nlohmann::json& problem : report["problems"]) {
      if (!problems.empty()) problems += ' ';
      problems += problem["version"].get<std::string>() + ":" + problem["state"].get<std::string>();
    }
    return problems;
  }

  void WriteTwoAndApply() {
    WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
    WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
    ProcessResult up = Run("up");
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }
};

TEST_P(ValidateRepairTest, NoTransactionFailureIsRecordedBlocksUpAndRepairClearsIt) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__outside.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE TABLE nt_first (id INTEGER);\n"
                 "INSERT INTO nt_missing VALUES (1);\n"
                 "CREATE TABLE nt_last (id INTEGER);\n");
  WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);\n");

  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_THAT(up.err, HasSubstr("V2__outside.sql:3: migration 2 failed: "));
  EXPECT_THAT(up.err, HasSubstr("recorded as failed"));
  // Outside a transaction the first statement stays; the rest never ran.
  EXPECT_TRUE(db().HasTable("nt_first"));
  EXPECT_FALSE(db().HasTable("nt_last"));
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(History(), "1|1\n2|0\n");
  EXPECT_EQ(db().Query("SELECT statements_done, statements_total FROM dbshift_history "
                       "WHERE version = '2'"),
            "1|3\n");
  EXPECT_THAT(db().Query("SELECT error FROM dbshift_history WHERE version = '2'"),
              HasSubstr("nt_missing"));

  ProcessResult refused = Run("up");
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("version 2 (V2__outside.sql) failed after 1 of 3 statements"));
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(States(), "1=applied 2=failed 3=pending");
  EXPECT_EQ(Problems(3), "2:failed");
  ProcessResult text_validate = Run("validate");
  EXPECT_EQ(text_validate.exit_code, 3);
  EXPECT_THAT(text_validate.err, HasSubstr("V2__outside.sql"));

  ProcessResult unconfirmed = Run("repair");
  EXPECT_EQ(unconfirmed.exit_code, 2);
  EXPECT_EQ(History(), "1|1\n2|0\n");

  ProcessResult repair = Run("--yes", "repair");
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_THAT(repair.out, HasSubstr("Repaired 1 entry."));
  EXPECT_EQ(History(), "1|1\n");
  EXPECT_EQ(States(), "1=applied 2=pending 3=pending");

  // The operator cleans up by hand and fixes the script; up runs it again.
  WriteMigration("V2__outside.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE TABLE IF NOT EXISTS nt_first (id INTEGER);\n"
                 "CREATE TABLE nt_missing (id INTEGER);\n"
                 "INSERT INTO nt_missing VALUES (1);\n"
                 "CREATE TABLE nt_last (id INTEGER);\n");
  ProcessResult again = Run("up");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
  EXPECT_EQ(db().Query("SELECT id FROM nt_missing"), "1\n");
  EXPECT_EQ(db().Query("SELECT statements_done, statements_total, coalesce(error, 'none') "
                       "FROM dbshift_history WHERE version = '2'"),
            "4|4|none\n");
  EXPECT_EQ(Problems(0), "");
}

TEST_P(ValidateRepairTest, NoTransactionScriptSucceeds) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__outside.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE INDEX a_id ON a (id);\n"
                 "INSERT INTO a VALUES (1);\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(db().Query("SELECT statements_done, statements_total, coalesce(error, 'none') "
                       "FROM dbshift_history WHERE version = '2'"),
            "2|2|none\n");
  EXPECT_EQ(db().Query("SELECT id FROM a"), "1\n");
}

TEST_P(ValidateRepairTest, EditedScriptIsChangedUntilRepaired) {
  WriteTwoAndApply();
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER, name TEXT);\n");
  WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);\n");

  ProcessResult validate = Run("validate");
  EXPECT_EQ(validate.exit_code, 3);
  EXPECT_THAT(validate.err, HasSubstr("V1__a.sql was changed after it was applied"));
  EXPECT_EQ(Problems(3), "1:changed");
  EXPECT_EQ(States(), "1=changed 2=applied 3=pending");

  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_THAT(up.err, HasSubstr("V1__a.sql"));
  EXPECT_THAT(up.err, HasSubstr("changed"));
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(History(), "1|1\n2|1\n");

  ProcessResult repair = Run("--yes", "repair");
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");
  ProcessResult sum =
      RunProcess("/usr/bin/sha256sum", {.args = {(migrations_dir() / "V1__a.sql").string()}});
  EXPECT_EQ(db().Query("SELECT checksum FROM dbshift_history WHERE version = '1'"),
            "sha256:" + sum.out.substr(0, 64) + "\n");
  EXPECT_EQ(Run("validate").exit_code, 0);
  EXPECT_EQ(Problems(0), "");
  // Repair accepts the edit; it does not run the script again.
  EXPECT_EQ(db().Query(sqlite()  ? "SELECT count(*) FROM pragma_table_info('a')"
                       : mysql() ? "SELECT count(*) FROM information_schema.columns "
                                   "WHERE table_name = 'a' AND table_schema = DATABASE()"
                                 : "SELECT count(*) FROM information_schema.columns "
                                   "WHERE table_name = 'a'"),
            "1\n");

  ProcessResult after = Run("up");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_TRUE(db().HasTable("c"));
}

TEST_P(ValidateRepairTest, CrlfOnlyEditIsNotAChange) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES (1);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\r\nINSERT INTO a VALUES (1);\r\n");
  EXPECT_EQ(Problems(0), "");
}

TEST_P(ValidateRepairTest, DeletedScriptIsMissing) {
  WriteTwoAndApply();
  RemoveMigration("V1__a.sql");

  ProcessResult validate = Run("validate");
  EXPECT_EQ(validate.exit_code, 3);
  EXPECT_THAT(validate.err, HasSubstr("version 1 was applied (V1__a.sql) but its file is gone"));
  EXPECT_EQ(Problems(3), "1:missing");
  EXPECT_EQ(States(), "1=missing 2=applied");

  WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_THAT(up.err, HasSubstr("V1__a.sql"));
  EXPECT_FALSE(db().HasTable("c"));

  // repair forgets the entry; the table it created stays.
  ProcessResult repair = Run("--yes", "repair");
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(History(), "2|1\n");
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(Problems(0), "");
  ASSERT_EQ(Run("up").exit_code, 0);
  EXPECT_TRUE(db().HasTable("c"));
}

TEST_P(ValidateRepairTest, LowerVersionAddedLaterIsOutOfOrder) {
  WriteTwoAndApply();
  WriteMigration("V1.5__between.sql", "CREATE TABLE between_ab (id INTEGER);\n");
  WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);\n");

  EXPECT_EQ(States(), "1=applied 1.5=out_of_order 2=applied 3=pending");
  EXPECT_EQ(Problems(3), "1.5:out_of_order");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_THAT(up.err, HasSubstr("--allow-out-of-order"));
  EXPECT_FALSE(db().HasTable("between_ab"));
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(History(), "1|1\n2|1\n");

  ProcessResult allowed = Run("--format", "json", "up", "--allow-out-of-order");
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  nlohmann::json result = ParseJson(allowed.out);
  ASSERT_EQ(result["applied"].size(), 2u);
  EXPECT_EQ(result["applied"][0]["version"], "1.5");
  EXPECT_EQ(result["applied"][1]["version"], "3");
  EXPECT_EQ(result["current_version"], "3");
  EXPECT_TRUE(db().HasTable("between_ab"));
  EXPECT_EQ(History(), "1|1\n2|1\n1.5|1\n3|1\n");
  EXPECT_EQ(States(), "1=applied 1.5=applied 2=applied 3=applied");
  EXPECT_EQ(Problems(0), "");
}

TEST_P(ValidateRepairTest, RepairWithNothingToDoSaysSo) {
  WriteTwoAndApply();
  ProcessResult repair = Run("repair");
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_THAT(repair.out, HasSubstr("Nothing to repair."));
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, ValidateRepairTest, ::testing::ValuesIn(kEngines), EngineName);

// CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
class PostgresNoTransactionTest : public CliTest {};

TEST_P(PostgresNoTransactionTest, CreateIndexConcurrentlyRunsOutsideATransaction) {
  WriteMigration("V1__t.sql", "CREATE TABLE t (id integer);\nINSERT INTO t VALUES (1), (2);\n");
  WriteMigration("V2__index.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT indexname FROM pg_indexes WHERE tablename = 't'"), "t_id\n");
  EXPECT_EQ(db().Query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass"),
            "t\n");
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

TEST_P(PostgresNoTransactionTest, WithoutTheDirectiveConcurrentlyFailsAndRollsBack) {
  WriteMigration("V1__t.sql", "CREATE TABLE t (id integer);\n");
  WriteMigration("V2__index.sql",
                 "CREATE TABLE u (id integer);\n"
                 "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  // The lint sees it first.
  ProcessResult linted = Run("up");
  EXPECT_EQ(linted.exit_code, 5);
  EXPECT_THAT(linted.err,
              HasSubstr("V2__index.sql:2:1: [ban-concurrent-index-creation-in-transaction]"));
  EXPECT_EQ(History(), "");
  // Allowed anyway, it fails at run time and rolls back.
  WriteMigration("V2__index.sql",
                 "-- dbshift:allow ban-concurrent-index-creation-in-transaction\n"
                 "CREATE TABLE u (id integer);\n"
                 "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("V2__index.sql:3"));
  EXPECT_THAT(up.err, HasSubstr("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"));
  EXPECT_FALSE(db().HasTable("u"));
  EXPECT_EQ(History(), "1|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, PostgresNoTransactionTest, ::testing::Values("postgres"),
                         EngineName);

// VACUUM cannot run inside a transaction either.
class SqliteNoTransactionTest : public CliTest {};

TEST_P(SqliteNoTransactionTest, VacuumRunsOnlyOutsideATransaction) {
  WriteMigration("V1__t.sql", "CREATE TABLE t (id INTEGER);\n");
  WriteMigration("V2__vacuum.sql", "VACUUM;\n");
  ProcessResult inside = Run("up");
  EXPECT_EQ(inside.exit_code, 1);
  EXPECT_THAT(inside.err, HasSubstr("V2__vacuum.sql:1"));
  EXPECT_THAT(inside.err, HasSubstr("cannot VACUUM from within a transaction"));
  EXPECT_EQ(History(), "1|1\n");

  WriteMigration("V2__vacuum.sql", "-- dbshift:no-transaction\nVACUUM;\n");
  ProcessResult outside = Run("up");
  ASSERT_EQ(outside.exit_code, 0) << outside.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, SqliteNoTransactionTest, ::testing::Values("sqlite"), EngineName);

}  // namespace
}  // namespace dbshift::testing
