// The lock_timeout migrations run with on PostgreSQL: 5s by default, the
// script's directive when it has one, and back to the default after it.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

class TimeoutsTest : public CliTest {};

TEST_P(TimeoutsTest, MigrationsRunWithADefaultLockTimeoutThatADirectiveOverrides) {
  if (engine() != "postgres") GTEST_SKIP() << "the default lock_timeout is PostgreSQL's";
  WriteMigration(
      "V1__default.sql",
      "CREATE TABLE seen AS SELECT 1 AS version, current_setting('lock_timeout') AS v;\n");
  WriteMigration("V2__directive.sql",
                 "-- dbshift:lock-timeout 0\n"
                 "INSERT INTO seen SELECT 2, current_setting('lock_timeout');\n");
  WriteMigration("V3__after.sql", "INSERT INTO seen SELECT 3, current_setting('lock_timeout');\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT version, v FROM seen ORDER BY version"), "1|5s\n2|0\n3|5s\n");
}

TEST_P(TimeoutsTest, LintReportsADirectiveThatTurnsTheLockTimeoutOff) {
  const std::string file = WriteMigration("V1__off.sql",
                                          "-- dbshift:lock-timeout 0\n"
                                          "ALTER TABLE users ADD COLUMN note text;\n")
                               .string();
  ProcessResult lint = Run("lint", file);
  EXPECT_EQ(lint.exit_code, 5);
  EXPECT_THAT(lint.out, ::testing::HasSubstr(file + ":2:1: error [require-timeout-settings]"));
  const std::string kept =
      WriteMigration("V2__on.sql", "ALTER TABLE users ADD COLUMN note text;\n").string();
  EXPECT_EQ(Run("lint", kept).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, TimeoutsTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
