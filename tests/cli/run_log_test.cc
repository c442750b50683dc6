// The run log: one JSON line per event in <log_dir>/YYYY/MM/DD/, naming who
// ran what where (no password), every statement with its outcome.
#include <algorithm>
#include <array>
#include <ctime>
#include <filesystem>
#include <pwd.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

namespace fs = std::filesystem;

std::string UtcFolder(std::time_t t) {
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y/%m/%d", &utc);
  return text;
}

std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& events, const char* type) {
  std::vector<nlohmann::json> found;
  for (const nlohmann::json& event : events) {
    if (event["event"] == type) found.push_back(event);
  }
  return found;
}

class RunLogTest : public CliTest {
 protected:
  // The one log file of the one run so far; fails when there is not exactly one.
  std::vector<nlohmann::json> OnlyRunLog(std::time_t before, std::time_t after) {
    std::vector<std::string> files = FilesUnder(log_dir());
    EXPECT_EQ(files.size(), 1u) << ::testing::PrintToString(files);
    if (files.size() != 1) return {};
    const std::string& file = files.front();
    const std::string folder = file.substr(0, 10);
    EXPECT_TRUE(folder == UtcFolder(before) || folder == UtcFolder(after)) << file;
    EXPECT_THAT(file, MatchesRegex("[0-9]{4}/[0-9]{2}/[0-9]{2}/[^/]+\\.jsonl"));
    return ReadLines(log_dir() / file);
  }
  std::string PasswordUrl() const {
    if (!postgres()) return url();
    // The test server trusts local connections, so any password works.
    std::string with = url();
    with.replace(with.find("@"), 1, ":s3cret-Pw@");
    return with;
  }
};

TEST_P(RunLogTest, UpWritesOneJsonLinesFileForTodayWithEveryEvent) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES (1);\n");
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  const std::time_t before = std::time(nullptr);
  ProcessResult up = RunBare({.args = {"--url", PasswordUrl(), "--dir", migrations_dir().string(),
                                       "--log-dir", log_dir().string(), "up"}});
  const std::time_t after = std::time(nullptr);
  ASSERT_EQ(up.exit_code, 0) << up.err;

  std::vector<nlohmann::json> events = OnlyRunLog(before, after);
  ASSERT_FALSE(events.empty());
  const std::string log_text = ReadFile(log_dir() / FilesUnder(log_dir()).front());
  EXPECT_THAT(log_text, Not(HasSubstr("s3cret-Pw")));
  EXPECT_THAT(log_text, Not(HasSubstr("dbshift-test-pw")));

  std::vector<std::string> types;
  for (const nlohmann::json& event : events) types.push_back(event["event"]);
  EXPECT_EQ(types, (std::vector<std::string>{
                       "run_started", "migration_started", "statement_finished",
                       "statement_finished", "migration_finished", "migration_started",
                       "statement_finished", "migration_finished", "run_finished"}));

  const std::string run_id = events.front()["run_id"];
  EXPECT_FALSE(run_id.empty());
  EXPECT_THAT(FilesUnder(log_dir()).front(), HasSubstr(run_id));
  for (const nlohmann::json& event : events) {
    EXPECT_EQ(event["run_id"], run_id) << event.dump();
    EXPECT_EQ(event["command"], "up") << event.dump();
    EXPECT_TRUE(event["time"].is_string()) << event.dump();
  }

  const nlohmann::json& started = events.front();
  passwd* entry = getpwuid(geteuid());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(started["user"], entry->pw_name);
  std::array<char, 256> host{};
  gethostname(host.data(), host.size() - 1);
  EXPECT_EQ(started["host"], host.data());
  ASSERT_TRUE(started["target"].is_string());
  if (sqlite()) {
    EXPECT_THAT(started["target"].get<std::string>(), HasSubstr("target.db"));
  } else {
    // host:port/database of the server the test runs against.
    const std::string at = url().substr(url().find('@') + 1);
    EXPECT_THAT(started["target"].get<std::string>(), HasSubstr(at));
    EXPECT_THAT(started["target"].get<std::string>(), HasSubstr(":***@"));
  }

  std::vector<nlohmann::json> statements = OfType(events, "statement_finished");
  ASSERT_EQ(statements.size(), 3u);
  for (const nlohmann::json& statement : statements) {
    EXPECT_EQ(statement["ok"], true);
    EXPECT_TRUE(statement["duration_ms"].is_number()) << statement.dump();
    EXPECT_GE(statement["duration_ms"].get<double>(), 0.0);
  }
  EXPECT_EQ(statements[0]["statement"], "CREATE TABLE a (id INTEGER)");
  EXPECT_EQ(statements[0]["version"], "1");
  EXPECT_EQ(statements[0]["script"], "V1__a.sql");
  EXPECT_EQ(statements[0]["line"], 1);
  EXPECT_EQ(statements[0]["ddl"], true);
  EXPECT_EQ(statements[1]["line"], 2);
  EXPECT_NE(statements[1].value("ddl", false), true) << "an INSERT is not DDL";
  EXPECT_EQ(statements[2]["ddl"], true);
  EXPECT_EQ(statements[2]["version"], "2");

  std::vector<nlohmann::json> migrations = OfType(events, "migration_finished");
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0]["version"], "1");
  EXPECT_EQ(migrations[0]["ok"], true);
  EXPECT_EQ(migrations[1]["version"], "2");
  EXPECT_EQ(migrations[1]["script"], "V2__b.sql");

  const nlohmann::json& finished = events.back();
  EXPECT_EQ(finished["ok"], true);
  EXPECT_EQ(finished["applied_count"], 2);
  EXPECT_EQ(finished["current_version"], "2");
  EXPECT_FALSE(finished.contains("error"));
}

TEST_P(RunLogTest, FailedRunLogsTheFailingStatementAndItsError) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("V2__bad.sql", "CREATE TABLE b (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n");
  const std::time_t before = std::time(nullptr);
  ProcessResult up = Run("up");
  const std::time_t after = std::time(nullptr);
  ASSERT_EQ(up.exit_code, 1) << up.err;

  std::vector<nlohmann::json> events = OnlyRunLog(before, after);
  std::vector<nlohmann::json> statements = OfType(events, "statement_finished");
  ASSERT_EQ(statements.size(), 3u);
  const nlohmann::json& failing = statements.back();
  EXPECT_EQ(failing["ok"], false);
  EXPECT_EQ(failing["version"], "2");
  EXPECT_EQ(failing["line"], 2);
  EXPECT_EQ(failing["statement"], "INSERT INTO nowhere VALUES (1)");
  ASSERT_TRUE(failing["error"].is_string()) << failing.dump();
  EXPECT_THAT(failing["error"].get<std::string>(), HasSubstr("nowhere"));
  EXPECT_TRUE(failing["duration_ms"].is_number());

  std::vector<nlohmann::json> migrations = OfType(events, "migration_finished");
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0]["ok"], true);
  EXPECT_EQ(migrations[1]["ok"], false);
  EXPECT_THAT(migrations[1]["error"].get<std::string>(), HasSubstr("nowhere"));

  ASSERT_EQ(events.back()["event"], "run_finished");
  EXPECT_EQ(events.back()["ok"], false);
  EXPECT_EQ(events.back()["applied_count"], 1);
  EXPECT_THAT(events.back()["error"].get<std::string>(), HasSubstr("nowhere"));
}

TEST_P(RunLogTest, RefusedRunIsLoggedAsNotOk) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  fs::remove_all(log_dir());
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER, b TEXT);\n");
  const std::time_t before = std::time(nullptr);
  ProcessResult up = Run("up");
  const std::time_t after = std::time(nullptr);
  ASSERT_EQ(up.exit_code, 3);
  std::vector<nlohmann::json> events = OnlyRunLog(before, after);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front()["event"], "run_started");
  EXPECT_EQ(events.back()["event"], "run_finished");
  EXPECT_EQ(events.back()["ok"], false);
  EXPECT_THAT(events.back()["error"].get<std::string>(), HasSubstr("V1__a.sql"));
}

TEST_P(RunLogTest, DryRunEventsAreMarked) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  const std::time_t before = std::time(nullptr);
  ProcessResult dry = Run("up", "--dry-run");
  const std::time_t after = std::time(nullptr);
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  std::vector<nlohmann::json> events = OnlyRunLog(before, after);
  // MySQL cannot execute the DDL in a dry-run: the migration is listed (no
  // migration events), its statement marked not executed.
  ASSERT_EQ(events.size(), ddl_rolls_back() ? 5u : 4u);
  for (const nlohmann::json& event : events) EXPECT_EQ(event["dry_run"], true) << event.dump();
  const nlohmann::json statement = OfType(events, "statement_finished").at(0);
  EXPECT_EQ(statement["statement"], "CREATE TABLE a (id INTEGER)");
  EXPECT_EQ(statement.value("executed", true), ddl_rolls_back()) << statement.dump();
  EXPECT_FALSE(events.back().contains("current_version"));
}

TEST_P(RunLogTest, ReadOnlyCommandsWriteNoRunLog) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  EXPECT_EQ(Run("status").exit_code, 0);
  EXPECT_EQ(Run("validate").exit_code, 0);
  EXPECT_EQ(FilesUnder(log_dir()), std::vector<std::string>{});
}

TEST_P(RunLogTest, EachRunGetsItsOwnFile) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  ASSERT_EQ(Run("--yes", "down").exit_code, 0);
  std::vector<std::string> files = FilesUnder(log_dir());
  ASSERT_EQ(files.size(), 2u);
  std::vector<std::string> commands;
  for (const std::string& file : files) {
    commands.push_back(ReadLines(log_dir() / file).front()["command"]);
  }
  std::sort(commands.begin(), commands.end());
  EXPECT_EQ(commands, (std::vector<std::string>{"down", "up"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, RunLogTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
