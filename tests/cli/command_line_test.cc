// The command line itself: version, help, unknown commands and flags.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/process.h"
#include "testing/temp_dir.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

TEST(CommandLineTest, VersionPrintsTheVersionAndExitsZero) {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"--version"}});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST(CommandLineTest, MistypedCommandExitsTwoAndSuggestsTheRightOne) {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"stauts"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("did you mean `status`?"));
  EXPECT_EQ(result.out, "");
}

TEST(CommandLineTest, MissingCommandExitsTwo) {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {}});
  EXPECT_EQ(result.exit_code, 2);
}

TEST(CommandLineTest, BadFormatValueExitsTwo) {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"--format", "xml", "status"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--format"));
}

TEST(CommandLineTest, BadLockTimeoutNamesTheFlag) {
  ScopedTempDir dir;
  dir.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult result =
      RunProcess(DbshiftBinary(),
                 {.args = {"--url", "sqlite:" + (dir.path() / "x.db").string(), "--dir",
                           (dir.path() / "migrations").string(), "--lock-timeout", "5x", "up"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--lock-timeout"));
}

}  // namespace
}  // namespace dbshift::testing
