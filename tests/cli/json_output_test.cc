// --format json: the documents DESIGN.md promises (status, up/down, validate),
// one document and nothing else on stdout, and exit codes unchanged.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// DESIGN.md: fields may be added, none renamed or removed.
void ExpectHasKeys(const nlohmann::json& object, const std::set<std::string>& keys) {
  ASSERT_TRUE(object.is_object()) << object.dump();
  for (const std::string& key : keys)
    EXPECT_TRUE(object.contains(key)) << key << " in " << object.dump();
}

class JsonOutputTest : public CliTest {
 protected:
  nlohmann::json Json(const ProcessResult& result, int expected_exit) {
    EXPECT_EQ(result.exit_code, expected_exit) << result.err;
    return ParseJson(result.out);
  }
};

TEST_P(JsonOutputTest, StatusDocument) {
  WriteMigration("V1__create_a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("R__view.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM a;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V1.2__add_b.sql", "CREATE TABLE b (id INTEGER);\n");

  nlohmann::json status = Json(Run("--format", "json", "status"), 0);
  // DESIGN.md's fields, and "layout" (fields may be added, never removed).
  EXPECT_EQ(Keys(status), (std::set<std::string>{"current_version", "migrations", "layout"}));
  EXPECT_EQ(status["layout"], "native");
  EXPECT_EQ(status["current_version"], "1");
  ASSERT_EQ(status["migrations"].size(), 3u) << status.dump(2);
  for (const nlohmann::json& entry : status["migrations"]) {
    ExpectHasKeys(entry, {"version", "description", "kind", "state", "checksum", "applied_at",
                          "execution_ms"});
    EXPECT_THAT(entry["checksum"].get<std::string>(), MatchesRegex("sha256:[0-9a-f]{64}"));
  }
  const nlohmann::json& applied = status["migrations"][0];
  EXPECT_EQ(applied["version"], "1");
  EXPECT_EQ(applied["description"], "create a");
  EXPECT_EQ(applied["kind"], "versioned");
  EXPECT_EQ(applied["state"], "applied");
  ASSERT_TRUE(applied["applied_at"].is_string());
  // The same form on every engine: UTC ISO 8601.
  EXPECT_THAT(applied["applied_at"].get<std::string>(),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z"));
  ASSERT_TRUE(applied["execution_ms"].is_number_integer());
  EXPECT_GE(applied["execution_ms"].get<int64_t>(), 0);

  // "1.2" is the version as written in the file name.
  const nlohmann::json& pending = status["migrations"][1];
  EXPECT_EQ(pending["version"], "1.2");
  EXPECT_EQ(pending["state"], "pending");
  EXPECT_TRUE(pending["applied_at"].is_null());
  EXPECT_TRUE(pending["execution_ms"].is_null());

  const nlohmann::json& repeatable = status["migrations"][2];
  EXPECT_TRUE(repeatable["version"].is_null());
  EXPECT_EQ(repeatable["description"], "view");
  EXPECT_EQ(repeatable["kind"], "repeatable");
  EXPECT_EQ(repeatable["state"], "applied");
}

TEST_P(JsonOutputTest, StatusOfAnEmptyDatabase) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  nlohmann::json status = Json(Run("--format", "json", "status"), 0);
  EXPECT_TRUE(status["current_version"].is_null());
  ASSERT_EQ(status["migrations"].size(), 1u);
  EXPECT_EQ(status["migrations"][0]["state"], "pending");
  // status only reads: no history table appears.
  EXPECT_FALSE(db().HasTable("dbshift_history"));
}

TEST_P(JsonOutputTest, UpAndDownDocuments) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  WriteMigration("U2__b.sql", "DROP TABLE b;\n");

  nlohmann::json up = Json(Run("--format", "json", "up"), 0);
  ExpectHasKeys(up, {"applied", "current_version", "dry_run"});
  EXPECT_FALSE(up.contains("error"));
  EXPECT_EQ(up["current_version"], "2");
  EXPECT_EQ(up["dry_run"], false);
  ASSERT_EQ(up["applied"].size(), 2u);
  for (const nlohmann::json& entry : up["applied"]) {
    ExpectHasKeys(entry, {"version", "description", "execution_ms"});
    EXPECT_TRUE(entry["execution_ms"].is_number_integer());
  }
  EXPECT_EQ(up["applied"][0]["version"], "1");
  EXPECT_EQ(up["applied"][0]["description"], "a");
  EXPECT_EQ(up["applied"][1]["version"], "2");

  nlohmann::json nothing = Json(Run("--format", "json", "up"), 0);
  EXPECT_EQ(nothing["applied"], nlohmann::json::array());
  EXPECT_EQ(nothing["current_version"], "2");

  nlohmann::json down = Json(Run("--format", "json", "--yes", "down"), 0);
  ExpectHasKeys(down, {"applied", "current_version", "dry_run"});
  ASSERT_EQ(down["applied"].size(), 1u);
  EXPECT_EQ(down["applied"][0]["version"], "2");
  EXPECT_EQ(down["current_version"], "1");
  EXPECT_EQ(down["dry_run"], false);
  EXPECT_FALSE(db().HasTable("b"));
}

TEST_P(JsonOutputTest, ValidateDocument) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);

  nlohmann::json ok = Json(Run("--format", "json", "validate"), 0);
  EXPECT_EQ(Keys(ok), (std::set<std::string>{"ok", "problems"}));
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["problems"], nlohmann::json::array());

  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER, c TEXT);\n");
  WriteMigration("V1.5__late.sql", "CREATE TABLE late (id INTEGER);\n");
  nlohmann::json bad = Json(Run("--format", "json", "validate"), 3);
  EXPECT_EQ(bad["ok"], false);
  ASSERT_EQ(bad["problems"].size(), 2u) << bad.dump(2);
  for (const nlohmann::json& problem : bad["problems"]) {
    ExpectHasKeys(problem, {"version", "state", "message"});
  }
  EXPECT_EQ(bad["problems"][0]["version"], "1.5");
  EXPECT_EQ(bad["problems"][0]["state"], "out_of_order");
  EXPECT_EQ(bad["problems"][1]["version"], "2");
  EXPECT_EQ(bad["problems"][1]["state"], "changed");
  EXPECT_THAT(bad["problems"][1]["message"].get<std::string>(), HasSubstr("V2__b.sql"));
}

TEST_P(JsonOutputTest, StdoutHoldsOnlyTheDocumentWhenNotesAndWarningsArePrinted) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__outside.sql", "-- dbshift:no-transaction\nCREATE TABLE o (id INTEGER);\n");
  // .dbshift is a file, so the default run log folder cannot be made: a warning.
  std::ofstream(work_dir() / ".dbshift") << "not a folder\n";
  ProcessSpec spec{.args = {"--url", url(), "--dir", migrations_dir().string(), "--format", "json",
                            "up", "--dry-run"}};
  ProcessResult dry = RunBare(spec);
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.err, HasSubstr("warning: no run log"));
  EXPECT_THAT(dry.err, HasSubstr("not verifiable"));
  nlohmann::json result = ParseJson(dry.out);  // throws unless stdout is one document
  EXPECT_EQ(result["dry_run"], true);

  spec.args = {"--url", url(), "--dir", migrations_dir().string(), "--format", "json", "-v", "up"};
  ProcessResult up = RunBare(spec);
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(ParseJson(up.out)["applied"].size(), 2u);
  EXPECT_THAT(up.out, Not(HasSubstr("Target:")));
}

TEST_P(JsonOutputTest, ErrorsKeepTheirExitCodesAndStdoutStaysJson) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\n");
  ASSERT_EQ(Run("up").exit_code, 0);

  // Usage: down without --yes and without a terminal.
  ProcessResult down = Run("--format", "json", "down");
  EXPECT_EQ(down.exit_code, 2);
  EXPECT_EQ(ParseJson(down.out)["error"]["exit_code"], 2);
  EXPECT_TRUE(db().HasTable("a"));

  // Validation: an edited script.
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER, b TEXT);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 3);
  nlohmann::json error = ParseJson(up.out)["error"];
  EXPECT_EQ(error["exit_code"], 3);
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("V1__a.sql"));
  EXPECT_FALSE(db().HasTable("b"));

  // Config: an unknown environment.
  ProcessResult env = RunBare({.args = {"--env", "nope", "--dir", migrations_dir().string(),
                                        "--format", "json", "status"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_EQ(ParseJson(env.out)["error"]["exit_code"], 2);

  // A bad source folder.
  WriteMigration("V3_broken.sql", "SELECT 1;\n");
  ProcessResult source = Run("--format", "json", "status");
  EXPECT_EQ(source.exit_code, 3);
  EXPECT_THAT(ParseJson(source.out)["error"]["message"].get<std::string>(),
              HasSubstr("V3_broken.sql"));
}

TEST_P(JsonOutputTest, MigrationFailureIsOneDocumentWithTheError) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__bad.sql", "CREATE TABLE b (id INTEGER);\nSELECT * FROM nowhere;\n");
  nlohmann::json result = Json(Run("--format", "json", "up"), 1);
  ExpectHasKeys(result, {"applied", "current_version", "dry_run", "error"});
  ExpectHasKeys(result["error"], {"version", "file", "line", "message"});
  EXPECT_EQ(result["error"]["version"], "2");
  EXPECT_EQ(result["error"]["file"], "V2__bad.sql");
  EXPECT_EQ(result["error"]["line"], 2);
  EXPECT_EQ(result["current_version"], "1");
}

INSTANTIATE_TEST_SUITE_P(Engines, JsonOutputTest, ::testing::ValuesIn(kEngines), EngineName);

TEST(JsonConnectErrorTest, CannotConnectExitsSixWithJson) {
  ScopedTempDir dir;
  dir.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult result = RunProcess(
      DbshiftBinary(),
      {.args = {"--url", "sqlite:" + (dir.path() / "no" / "such" / "folder" / "x.db").string(),
                "--dir", (dir.path() / "migrations").string(), "--format", "json", "status"}});
  EXPECT_EQ(result.exit_code, 6) << result.err;
  EXPECT_EQ(ParseJson(result.out)["error"]["exit_code"], 6);
}

}  // namespace
}  // namespace dbshift::testing
