// The command line itself: version, help, unknown commands and flags.
#include <string>
#include <utility>
#include <vector>

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

// A subcommand's options are defined only once it is chosen, so each help
// page is checked: it must name its own command and list its own flags.
TEST(CommandLineTest, EachCommandsHelpListsItsOwnOptions) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> pages = {
      {{"init"}, "dbshift init [OPTIONS]"},
      {{"new"}, "--undo"},
      {{"status"}, "--allow-out-of-order"},
      {{"up"}, "--single-transaction"},
      {{"up"}, "-n,--count"},
      {{"down"}, "--dry-run"},
      {{"validate"}, "--allow-out-of-order"},
      {{"repair"}, "dbshift repair [OPTIONS]"},
      {{"baseline"}, "--description"},
      {{"lock"}, "who holds the migration lock"},
      {{"lock", "status"}, "dbshift lock status [OPTIONS]"},
      {{"adopt"}, "--from"},
      {{"lint"}, "dbshift lint [OPTIONS]"},
      {{"plan"}, "dbshift plan [OPTIONS]"},
      {{"backup"}, "--jobs"},
      {{"backup", "verify"}, "FOLDER"},
      {{"restore"}, "--from"},
      {{"rehearse"}, "--copy"},
      {{"drift"}, "dbshift drift [OPTIONS]"},
  };
  for (const auto& [command, expected] : pages) {
    for (const char* flag : {"--help", "-h"}) {
      std::vector<std::string> args = command;
      args.emplace_back(flag);
      ProcessResult result = RunProcess(DbshiftBinary(), {.args = args});
      EXPECT_EQ(result.exit_code, 0) << command.back() << " " << flag;
      EXPECT_THAT(result.out, HasSubstr(expected)) << command.back() << " " << flag;
      EXPECT_THAT(result.out, HasSubstr("-h,--help")) << command.back() << " " << flag;
    }
  }
}

TEST(CommandLineTest, TopLevelHelpListsGlobalOptionsAndEveryCommand) {
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"--help"}});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* expected :
       {"-h,--help", "--version", "--url", "--lock-timeout", "status", "rehearse", "drift"}) {
    EXPECT_THAT(result.out, HasSubstr(expected));
  }
}

TEST(CommandLineTest, AGlobalOptionAfterTheCommandStillApplies) {
  ScopedTempDir dir;
  ProcessResult result = RunProcess(
      DbshiftBinary(), {.args = {"status", "--url", "sqlite:" + (dir.path() / "x.db").string(),
                                 "--dir", "/nonexistent/dbshift-folder"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("/nonexistent/dbshift-folder"));
}

}  // namespace
}  // namespace dbshift::testing
