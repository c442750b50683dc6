// dbshift lint as users run it: on the pending migrations of a target, on
// named files, on the whole folder; text, JSON and SARIF; exit codes;
// suppression and severities from dbshift.toml.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSafeTable[] = "CREATE TABLE users (id bigint, name text);\n";
constexpr char kBlockingIndex[] = "-- the index\nCREATE INDEX users_name ON users (name);\n";

class LintTest : public CliTest {};

TEST_P(LintTest, LintsThePendingMigrationsOfAPostgresTarget) {
  WriteMigration("V1__users.sql",
                 "CREATE TABLE users (id bigint, name text);\n"
                 "CREATE INDEX users_id ON users (id);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__index.sql", kBlockingIndex);
  WriteMigration("V3__note.sql", "ALTER TABLE users ADD COLUMN note text;\n");
  ProcessResult lint = Run("--format", "json", "lint");
  if (engine() != "postgres") {
    // The rules are PostgreSQL's: a SQLite or MySQL target is not linted silently.
    EXPECT_EQ(lint.exit_code, 2) << lint.err;
    EXPECT_THAT(lint.err, HasSubstr("PostgreSQL"));
    EXPECT_THAT(lint.err, HasSubstr("--all"));
    return;
  }
  EXPECT_EQ(lint.exit_code, 5) << lint.err;
  nlohmann::json result = ParseJson(lint.out);
  EXPECT_EQ(result["files"], 2) << "V1 is applied: only V2 and V3 are pending";
  ASSERT_EQ(result["findings"].size(), 1u) << lint.out;
  const nlohmann::json& finding = result["findings"][0];
  EXPECT_EQ(finding["rule"], "require-concurrent-index-creation");
  EXPECT_EQ(finding["severity"], "error");
  EXPECT_THAT(finding["file"].get<std::string>(), HasSubstr("V2__index.sql"));
  EXPECT_EQ(finding["line"], 2);
  EXPECT_EQ(finding["column"], 1);
  EXPECT_EQ(finding["breaking"], false);
  EXPECT_THAT(finding["message"].get<std::string>(), HasSubstr("CONCURRENTLY"));

  // Nothing pending, nothing to say.
  RemoveMigration("V2__index.sql");
  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult clean = Run("lint");
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_THAT(clean.out, HasSubstr("No findings in 0 files."));
}

INSTANTIATE_TEST_SUITE_P(Engines, LintTest, ::testing::ValuesIn(kEngines), EngineName);

// Named files and --all need no database.
class LintFilesTest : public CliTest {};

TEST_P(LintFilesTest, NamedFileInTextJsonAndSarif) {
  const std::string file = WriteMigration("V2__index.sql", kBlockingIndex).string();
  ProcessResult text = Run("lint", file);
  EXPECT_EQ(text.exit_code, 5);
  EXPECT_THAT(text.out, HasSubstr(file + ":2:1: error [require-concurrent-index-creation] "));
  EXPECT_THAT(text.out, HasSubstr("1 error, 0 warnings in 1 file."));

  nlohmann::json json = ParseJson(Run("--format", "json", "lint", file).out);
  ASSERT_EQ(json["findings"].size(), 1u);
  for (const char* field : {"rule", "severity", "file", "line", "column", "message"}) {
    EXPECT_TRUE(json["findings"][0].contains(field)) << field;
  }

  ProcessResult sarif = Run("--format", "sarif", "lint", file);
  EXPECT_EQ(sarif.exit_code, 5);
  nlohmann::json log = ParseJson(sarif.out);
  EXPECT_EQ(log["version"], "2.1.0");
  const nlohmann::json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "dbshift");
  EXPECT_GE(run["tool"]["driver"]["rules"].size(), 25u);
  ASSERT_EQ(run["results"].size(), 1u);
  const nlohmann::json& result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "require-concurrent-index-creation");
  EXPECT_EQ(result["level"], "error");
  const nlohmann::json& region = result["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 2);
  EXPECT_EQ(region["startColumn"], 1);
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], file);
}

TEST_P(LintFilesTest, WarningsAloneExitZeroAndBreakingChangesSaySo) {
  const std::string warn = WriteMigration("V1__t.sql", "CREATE TABLE t (id int);\n").string();
  ProcessResult warning = Run("lint", warn);
  EXPECT_EQ(warning.exit_code, 0) << warning.out;
  EXPECT_THAT(warning.out, HasSubstr("warning [prefer-bigint-over-int]"));

  const std::string rename =
      WriteMigration("V2__r.sql", "ALTER TABLE users RENAME COLUMN name TO full_name;\n").string();
  ProcessResult breaking = Run("lint", rename);
  EXPECT_EQ(breaking.exit_code, 5);
  EXPECT_THAT(breaking.out, HasSubstr("error [renaming-column] (breaking)"));
  EXPECT_THAT(breaking.out, HasSubstr("Expand:"));
}

TEST_P(LintFilesTest, AllLintsEveryScriptOfTheFolderWithoutConnecting) {
  WriteMigration("V1__users.sql", kSafeTable);
  WriteMigration("V2__index.sql", kBlockingIndex);
  WriteMigration("U2__index.sql", "DROP INDEX users_name;\n");
  // A target that cannot be reached: --all must not need it.
  ProcessResult all = RunProcess(
      DbshiftBinary(), {.args = {"--url", "postgres://nobody@127.0.0.1:1/none", "--dir",
                                 migrations_dir().string(), "--format", "json", "lint", "--all"}});
  EXPECT_EQ(all.exit_code, 5) << all.err;
  nlohmann::json result = ParseJson(all.out);
  EXPECT_EQ(result["files"], 3);
  std::vector<std::string> rules;
  for (const auto& finding : result["findings"]) rules.push_back(finding["rule"]);
  EXPECT_THAT(rules, ::testing::UnorderedElementsAre("require-concurrent-index-creation",
                                                     "require-concurrent-index-deletion"));
}

TEST_P(LintFilesTest, AllowDirectivesSilenceARuleForTheScriptOrOneStatement) {
  const std::string whole = WriteMigration("V1__a.sql",
                                           "-- dbshift:allow require-concurrent-index-creation\n"
                                           "CREATE INDEX a ON users (name);\n"
                                           "CREATE INDEX b ON users (email);\n")
                                .string();
  EXPECT_EQ(Run("lint", whole).exit_code, 0);
  const std::string one = WriteMigration("V2__b.sql",
                                         "SELECT 1;\n"
                                         "-- dbshift:allow require-concurrent-index-creation\n"
                                         "CREATE INDEX a ON users (name);\n"
                                         "CREATE INDEX b ON users (email);\n")
                              .string();
  ProcessResult partly = Run("lint", one);
  EXPECT_EQ(partly.exit_code, 5);
  EXPECT_THAT(partly.out, HasSubstr(one + ":4:1: error"));
  EXPECT_THAT(partly.out, Not(HasSubstr(one + ":3:1:")));
}

TEST_P(LintFilesTest, SeverityFromTheConfigFile) {
  const std::string file = WriteMigration("V2__index.sql", kBlockingIndex).string();
  const std::string config = db().dir()
                                 .Write("dbshift.toml",
                                        "[lint.severity]\n"
                                        "require-concurrent-index-creation = \"warning\"\n")
                                 .string();
  ProcessResult lowered = Run("--config", config, "lint", file);
  EXPECT_EQ(lowered.exit_code, 0) << lowered.err;
  EXPECT_THAT(lowered.out, HasSubstr("warning [require-concurrent-index-creation]"));

  db().dir().Write("dbshift.toml", "[lint.severity]\nrequire-concurent-index-creation = \"off\"\n");
  ProcessResult typo = Run("--config", config, "lint", file);
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("dbshift.toml:2:"));
  EXPECT_THAT(typo.err, HasSubstr("did you mean \"require-concurrent-index-creation\""));

  db().dir().Write("dbshift.toml", "[lint.severity]\nban-drop-table = \"fatal\"\n");
  ProcessResult level = Run("--config", config, "lint", file);
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_THAT(level.err, HasSubstr("expected \"off\", \"warning\" or \"error\""));
}

TEST_P(LintFilesTest, SyntaxErrorIsAnErrorFindingAtItsLine) {
  const std::string file =
      WriteMigration("V3__bad.sql",
                     "CREATE TABLE a (id bigint);\nALTER TABLE a ADDD COLUMN b int;\n")
          .string();
  ProcessResult lint = Run("lint", file);
  EXPECT_EQ(lint.exit_code, 5);
  EXPECT_THAT(lint.out, HasSubstr(file + ":2:15: error [syntax-error] syntax error at or near"));
}

TEST_P(LintFilesTest, BadInputIsAUsageError) {
  ProcessResult missing = Run("lint", (migrations_dir() / "V9__nope.sql").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("V9__nope.sql"));
  ProcessResult sarif = Run("--format", "sarif", "status");
  EXPECT_EQ(sarif.exit_code, 2);
  EXPECT_THAT(sarif.err, HasSubstr("sarif is for lint only"));
}

INSTANTIATE_TEST_SUITE_P(Files, LintFilesTest, ::testing::Values("sqlite"), EngineName);

}  // namespace
}  // namespace dbshift::testing
