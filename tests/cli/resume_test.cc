// `up --resume` on every engine: a script that ran outside a transaction
// (here marked no-transaction) and failed continues from its failing
// statement once fixed; with nothing to resume it is a plain `up`.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

class ResumeTest : public CliTest {};

TEST_P(ResumeTest, NoTransactionScriptResumesFromItsFailingStatement) {
  WriteMigration("V1__base.sql", "CREATE TABLE base (id INTEGER);\n");
  WriteMigration("V2__fill.sql",
                 "-- dbshift:no-transaction\n"
                 "INSERT INTO base VALUES (1);\n"
                 "INSERT INTO missing_table VALUES (2);\n"
                 "INSERT INTO base VALUES (3);\n");
  ProcessResult failed = Run("up");
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_THAT(failed.err, HasSubstr("1. line 2: INSERT INTO base VALUES (1)"));
  EXPECT_EQ(History(), "1|1\n2|0\n");

  // Without --resume, up refuses and says how to go on.
  ProcessResult refused = Run("up");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, HasSubstr("dbshift up --resume"));

  WriteMigration("V2__fill.sql",
                 "-- dbshift:no-transaction\n"
                 "INSERT INTO base VALUES (1);\n"
                 "INSERT INTO base VALUES (2);\n"
                 "INSERT INTO base VALUES (3);\n");
  ProcessResult resumed = Run("up", "--resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // Row 1 once: the first statement did not run again.
  EXPECT_EQ(db().Query("SELECT id FROM base ORDER BY id"), "1\n2\n3\n");
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(Run("validate").exit_code, 0);

  ProcessResult again = Run("up", "--resume");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to do."));
}

TEST_P(ResumeTest, InterruptedRunWithoutAStatementRecordIsNotResumedBlind) {
  WriteMigration("V1__base.sql", "CREATE TABLE base (id INTEGER);\n");
  WriteMigration("V2__fill.sql", "-- dbshift:no-transaction\nINSERT INTO base VALUES (1);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  // What a crash in the middle of V2 leaves: its row says started, 1 done, no checksum.
  db().Query("UPDATE dbshift_history SET success = " + std::string(postgres() ? "false" : "0") +
             ", statements_done = 1, error = 'started, not finished' WHERE version = '2'");
  ProcessResult resume = Run("up", "--resume");
  EXPECT_EQ(resume.exit_code, 3) << resume.err;
  EXPECT_THAT(resume.err, HasSubstr("cannot resume"));
  EXPECT_THAT(resume.err, HasSubstr("it was interrupted"));
  EXPECT_EQ(db().Query("SELECT count(*) FROM base"), "1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, ResumeTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
