// up lints the scripts it is about to run on PostgreSQL and refuses (exit 5,
// nothing applied) while one has an error finding that is not allowed.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kBlockingIndex[] = "CREATE INDEX users_name ON users (name);\n";

class LintGateTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    WriteMigration("V1__users.sql", "CREATE TABLE users (id bigint, name text);\n");
    ASSERT_EQ(Run("up").exit_code, 0);
  }
};

TEST_P(LintGateTest, ErrorFindingBlocksUpAndDryRunBeforeAnythingRuns) {
  WriteMigration("V2__index.sql", kBlockingIndex);
  WriteMigration("V3__more.sql", "CREATE TABLE more (id bigint);\n");
  ProcessResult up = Run("up");
  if (engine() != "postgres") {
    // The rules read PostgreSQL's grammar; other engines are not gated.
    EXPECT_EQ(up.exit_code, 0) << up.err;
    return;
  }
  EXPECT_EQ(up.exit_code, 5) << up.err;
  EXPECT_THAT(up.err, HasSubstr("blocked by lint: 1 error"));
  EXPECT_THAT(up.err, HasSubstr("V2__index.sql:1:1: [require-concurrent-index-creation]"));
  EXPECT_THAT(up.err, HasSubstr("nothing was applied"));
  EXPECT_EQ(History(), "1|1\n") << "V3, which is clean, does not run either";
  EXPECT_FALSE(db().HasTable("more"));
  EXPECT_EQ(db().Query("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name'"), "0\n");

  EXPECT_EQ(Run("up", "--dry-run").exit_code, 5);
  ProcessResult json = Run("--format", "json", "up");
  EXPECT_EQ(json.exit_code, 5);
  nlohmann::json result = ParseJson(json.out);
  EXPECT_THAT(result["error"]["message"].get<std::string>(),
              HasSubstr("require-concurrent-index-creation"));

  // Accepted in the script: it runs.
  WriteMigration(
      "V2__index.sql",
      std::string("-- dbshift:allow require-concurrent-index-creation\n") + kBlockingIndex);
  ProcessResult allowed = Run("up");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

TEST_P(LintGateTest, SeverityLoweredInTheConfigLetsItRun) {
  if (engine() != "postgres") GTEST_SKIP() << "lint gates PostgreSQL targets only";
  WriteMigration("V2__rename.sql", "ALTER TABLE users RENAME COLUMN name TO full_name;\n");
  ProcessResult blocked = Run("up");
  EXPECT_EQ(blocked.exit_code, 5);
  EXPECT_THAT(blocked.err, HasSubstr("[renaming-column] (breaking)"));
  const std::string config =
      db().dir().Write("dbshift.toml", "[lint.severity]\nrenaming-column = \"warning\"\n").string();
  ProcessResult up = Run("--config", config, "up");
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, LintGateTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
