// ${name} placeholders in scripts, end to end: values from dbshift.toml and
// DBSHIFT_PLACEHOLDER_* variables, an undefined one refusing the whole run
// before anything changes, the directive that keeps them literal, checksums
// of the file as written, and secret values that never reach a log.
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "testing/temp_dir.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

using Env = std::map<std::string, std::optional<std::string>>;

class PlaceholdersTest : public CliTest {
 protected:
  fs::path config_file() { return db().dir().path() / "dbshift.toml"; }

  void WriteConfig(const std::string& toml) { db().dir().Write("dbshift.toml", toml); }

  // dbshift --config <dbshift.toml> <args> with `env` on top of the environment.
  ProcessResult RunWithConfig(std::vector<std::string> args, Env env = {}) {
    args.insert(args.begin(), {"--config", config_file().string()});
    return RunWith({.args = args, .env = env});
  }

  // Every run log line written so far, all files together.
  std::string AllRunLogs() const {
    std::string text;
    if (!fs::exists(log_dir())) return text;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(log_dir())) {
      if (entry.is_regular_file()) text += ReadFile(entry.path());
    }
    return text;
  }
};

TEST_P(PlaceholdersTest, ValuesComeFromTheConfigAndVariablesWin) {
  WriteConfig(
      "[placeholders]\n"
      "table_name = \"from_file\"\n"
      "column = \"file_column\"\n");
  WriteMigration("V1__create.sql",
                 "CREATE TABLE ${table_name}_${Suffix} (id INTEGER, ${COLUMN} TEXT);\n");
  ProcessResult up = RunWithConfig({"up"}, {{"DBSHIFT_PLACEHOLDER_SUFFIX", "var"},
                                            {"DBSHIFT_PLACEHOLDER_COLUMN", "variable_column"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(db().HasTable("from_file_var"));
  // Throws (failing the test) when the column is not there.
  EXPECT_EQ(db().Query("SELECT count(variable_column) FROM from_file_var"), "0\n");
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(PlaceholdersTest, EnvironmentTableOverridesTopLevel) {
  WriteConfig(
      fmt::format("[placeholders]\n"
                  "suffix = \"top\"\n"
                  "[env.target]\n"
                  "url = \"{}\"\n"
                  "[env.target.placeholders]\n"
                  "suffix = \"env\"\n",
                  url()));
  WriteMigration("V1__create.sql", "CREATE TABLE t_${suffix} (id INTEGER);\n");
  ProcessResult up =
      RunBare({.args = {"--config", config_file().string(), "--env", "target", "--dir",
                        migrations_dir().string(), "--log-dir", log_dir().string(), "up"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(db().HasTable("t_env"));
  EXPECT_FALSE(db().HasTable("t_top"));
}

TEST_P(PlaceholdersTest, UndefinedPlaceholderRefusesTheWholeRun) {
  WriteConfig("[placeholders]\ndefined = \"x\"\n");
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql",
                 "CREATE TABLE b (id INTEGER);\n"
                 "INSERT INTO b VALUES (${missing_one});\n");
  WriteMigration("V3__c.sql", "CREATE TABLE c_${defined} (${Missing_Two} INTEGER);\n");

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"up"}, {"up", "--dry-run"}}) {
    SCOPED_TRACE(args.back());
    ProcessResult up = RunWithConfig(args);
    EXPECT_EQ(up.exit_code, 3) << up.err;
    EXPECT_THAT(up.err, HasSubstr("2 undefined placeholders"));
    EXPECT_THAT(up.err, HasSubstr("V2__b.sql:2: ${missing_one}"));
    EXPECT_THAT(up.err, HasSubstr("DBSHIFT_PLACEHOLDER_MISSING_ONE"));
    EXPECT_THAT(up.err, HasSubstr("V3__c.sql:1: ${Missing_Two}"));
    EXPECT_THAT(up.err, HasSubstr("[placeholders]"));
    // Nothing ran: not even the first migration, which is fine on its own.
    EXPECT_EQ(History(), "");
    EXPECT_FALSE(db().HasTable("a"));
    EXPECT_FALSE(db().HasTable("b"));
  }

  // JSON names the first one.
  ProcessResult json = RunWithConfig({"--format", "json", "up"});
  EXPECT_EQ(json.exit_code, 3);
  const nlohmann::json document = ParseJson(json.out);
  EXPECT_THAT(document["error"]["file"].get<std::string>(), HasSubstr("V2__b.sql"));
  EXPECT_EQ(document["error"]["line"], 2);

  // status and validate never substitute: they work with values missing.
  ProcessResult status = RunWithConfig({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  ProcessResult validate = RunWithConfig({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;

  // --to 1 selects only what is defined.
  ProcessResult first = RunWithConfig({"up", "--to", "1"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(db().HasTable("a"));

  // A placeholder still undefined in a later script stops the rest again.
  WriteMigration("V4__d.sql", "CREATE TABLE d (${missing_three} INTEGER);\n");
  ProcessResult again = RunWithConfig(
      {"up"}, {{"DBSHIFT_PLACEHOLDER_MISSING_ONE", "1"}, {"DBSHIFT_PLACEHOLDER_MISSING_TWO", "n"}});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_THAT(again.err, HasSubstr("V4__d.sql:1: ${missing_three}"));
  EXPECT_EQ(History(), "1|1\n");
  ProcessResult rest = RunWithConfig({"up"}, {{"DBSHIFT_PLACEHOLDER_MISSING_ONE", "1"},
                                              {"DBSHIFT_PLACEHOLDER_MISSING_TWO", "n"},
                                              {"DBSHIFT_PLACEHOLDER_MISSING_THREE", "m"}});
  EXPECT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(db().Query("SELECT id FROM b"), "1\n");
  EXPECT_TRUE(db().HasTable("c_x"));
}

TEST_P(PlaceholdersTest, UndefinedPlaceholderInAnUndoRefusesBeforeAsking) {
  WriteConfig("");
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "-- undo\nDROP TABLE ${table};\n");
  ASSERT_EQ(RunWithConfig({"up"}).exit_code, 0);
  ProcessResult down = RunWithConfig({"--yes", "down"});
  EXPECT_EQ(down.exit_code, 3) << down.err;
  EXPECT_THAT(down.err, HasSubstr("U1__a.sql:2: ${table}"));
  EXPECT_TRUE(db().HasTable("a"));
  ProcessResult defined = RunWithConfig({"--yes", "down"}, {{"DBSHIFT_PLACEHOLDER_TABLE", "a"}});
  EXPECT_EQ(defined.exit_code, 0) << defined.err;
  EXPECT_FALSE(db().HasTable("a"));
}

TEST_P(PlaceholdersTest, DirectiveKeepsPlaceholdersLiteral) {
  WriteConfig("[placeholders]\nx = \"substituted\"\n");
  WriteMigration("V1__literal.sql",
                 "-- dbshift:placeholders off\n"
                 "CREATE TABLE snippets (body TEXT);\n"
                 "INSERT INTO snippets VALUES ('${x}'), ('${undefined}');\n");
  WriteMigration("V2__substituted.sql", "INSERT INTO snippets VALUES ('${x}');\n");
  ProcessResult up = RunWithConfig({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT body FROM snippets ORDER BY body"),
            "${undefined}\n${x}\nsubstituted\n");
}

TEST_P(PlaceholdersTest, ChangingAValueAfterApplyIsNotAChange) {
  WriteConfig("[placeholders]\nsuffix = \"first\"\n");
  WriteMigration("V1__create.sql", "CREATE TABLE t_${suffix} (id INTEGER);\n");
  ASSERT_EQ(RunWithConfig({"up"}).exit_code, 0);
  ASSERT_TRUE(db().HasTable("t_first"));

  WriteConfig("[placeholders]\nsuffix = \"second\"\n");
  for (const Env& env : {Env{}, Env{{"DBSHIFT_PLACEHOLDER_SUFFIX", "third"}}}) {
    ProcessResult status = RunWithConfig({"--format", "json", "status"}, env);
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const nlohmann::json document = ParseJson(status.out);
    ASSERT_EQ(document["migrations"].size(), 1u);
    EXPECT_EQ(document["migrations"][0]["state"], "applied");
    EXPECT_THAT(status.out, Not(HasSubstr("changed")));
    ProcessResult validate = RunWithConfig({"validate"}, env);
    EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
    ProcessResult up = RunWithConfig({"up"}, env);
    EXPECT_EQ(up.exit_code, 0) << up.err;
  }
  EXPECT_FALSE(db().HasTable("t_second"));
  EXPECT_FALSE(db().HasTable("t_third"));
}

TEST_P(PlaceholdersTest, SecretValuesNeverReachLogsOrOutput) {
  constexpr const char* kPassword = "Zq9-pl4ceholder-pw";
  constexpr const char* kToken = "tok-7f3a9c";
  WriteConfig(
      "[placeholders]\n"
      "owner = \"visible_owner\"\n"
      "api_token = \"tok-7f3a9c\"\n");
  const Env env = {{"DBSHIFT_PLACEHOLDER_APP_PASSWORD", kPassword}};
  WriteMigration("V1__creds.sql",
                 "CREATE TABLE creds (name TEXT, secret TEXT);\n"
                 "INSERT INTO creds VALUES ('${owner}', '${app_password}');\n"
                 "INSERT INTO creds VALUES ('token', '${API_TOKEN}');\n");

  auto expect_no_secret = [&](const std::string& where, const std::string& text) {
    EXPECT_THAT(text, Not(HasSubstr(kPassword))) << "the password leaked in " << where;
    EXPECT_THAT(text, Not(HasSubstr(kToken))) << "the token leaked in " << where;
  };

  ProcessResult dry = RunWithConfig({"-v", "up", "--dry-run"}, env);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  expect_no_secret("dry-run stdout", dry.out);
  expect_no_secret("dry-run stderr", dry.err);
  EXPECT_THAT(dry.out, HasSubstr("'visible_owner', '***'"));

  ProcessResult up = RunWithConfig({"-v", "up"}, env);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  expect_no_secret("stdout", up.out);
  expect_no_secret("stderr", up.err);
  // The database got the real values.
  EXPECT_EQ(db().Query("SELECT secret FROM creds ORDER BY name"),
            std::string(kToken) + "\n" + kPassword + "\n");

  // A failing statement whose engine message quotes the value.
  WriteMigration("V2__fail.sql", "SELECT * FROM \"${app_password}\";\n");
  ProcessResult failed = RunWithConfig({"-v", "up"}, env);
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  expect_no_secret("stdout of a failure", failed.out);
  expect_no_secret("stderr of a failure", failed.err);
  ProcessResult json = RunWithConfig({"--format", "json", "up"}, env);
  EXPECT_EQ(json.exit_code, 1) << json.err;
  expect_no_secret("JSON of a failure", json.out);
  expect_no_secret("stderr of a JSON failure", json.err);

  const std::string logs = AllRunLogs();
  ASSERT_THAT(logs, HasSubstr("visible_owner"));  // the log shows the substituted SQL...
  EXPECT_THAT(logs, HasSubstr("'***'"));          // ...with secrets masked
  expect_no_secret("the run log", logs);
  if (db().HasTable("dbshift_history")) {
    expect_no_secret("the history", db().Query("SELECT coalesce(error, '') FROM dbshift_history"));
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, PlaceholdersTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
