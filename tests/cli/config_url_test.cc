// Where the target URL comes from (--url, --env, DATABASE_URL, the default),
// dbshift.toml, and the commands that write files: init and new.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

namespace fs = std::filesystem;

// The tables of an SQLite file, sorted and joined by ' '; "<no file>" when
// the file does not exist (dbshift never created it).
std::string SqliteTables(const fs::path& path) {
  if (!fs::exists(path)) return "<no file>";
  sqlite3* db = nullptr;
  std::string tables;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
                       &statement, nullptr);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
      if (!tables.empty()) tables += ' ';
      tables += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return tables;
}

std::vector<std::string> FileNames(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Each test works in work_dir() with a dbshift.toml there, the migrations
// in work_dir()/migrations (the default dir), and competing SQLite URLs.
class UrlResolutionTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  }
  fs::path Write(const std::string& relative, const std::string& content) {
    fs::path path = work_dir() / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  void WriteConfig(const std::string& target_env_line) {
    Write("dbshift.toml",
          "log_dir = \"log\"\n"
          "[env.dev]\n"
          "url = \"sqlite:./dev.db\"\n"
          "[env.target]\n" +
              target_env_line + "\n");
  }
  // dbshift <args> in work_dir(), with exactly the environment given.
  ProcessResult Dbshift(std::vector<std::string> args,
                        std::map<std::string, std::optional<std::string>> env = {}) {
    return RunBare({.args = std::move(args), .env = std::move(env)});
  }
  bool TargetMigrated() { return db().HasTable("a") && History() == "1|1\n"; }
};

TEST_P(UrlResolutionTest, UrlFlagBeatsEnvAndDatabaseUrl) {
  WriteConfig("url = \"sqlite:./from_env.db\"");
  ProcessResult up =
      Dbshift({"--url", url(), "--env", "dev", "up"}, {{"DATABASE_URL", "sqlite:./variable.db"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("(from --url)"));
  EXPECT_TRUE(TargetMigrated());
  EXPECT_EQ(SqliteTables(work_dir() / "dev.db"), "<no file>");
  EXPECT_EQ(SqliteTables(work_dir() / "variable.db"), "<no file>");
  EXPECT_EQ(SqliteTables(work_dir() / "dbshift.db"), "<no file>");
}

TEST_P(UrlResolutionTest, EnvBeatsDatabaseUrl) {
  WriteConfig("url = \"" + url() + "\"");
  ProcessResult up = Dbshift({"--env", "target", "up"}, {{"DATABASE_URL", "sqlite:./variable.db"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("(from --env target)"));
  EXPECT_TRUE(TargetMigrated());
  EXPECT_EQ(SqliteTables(work_dir() / "variable.db"), "<no file>");
  EXPECT_EQ(SqliteTables(work_dir() / "dev.db"), "<no file>");
}

TEST_P(UrlResolutionTest, EnvWithUrlEnvReadsTheNamedVariable) {
  WriteConfig("url_env = \"TARGET_DATABASE_URL\"");
  ProcessResult up = Dbshift({"--env", "target", "up"},
                             {{"TARGET_DATABASE_URL", url()}, {"DATABASE_URL", "sqlite:./v.db"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(TargetMigrated());
  EXPECT_EQ(SqliteTables(work_dir() / "v.db"), "<no file>");

  ProcessResult unset = Dbshift({"--env", "target", "status"}, {{"TARGET_DATABASE_URL", {}}});
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_THAT(unset.err, HasSubstr("TARGET_DATABASE_URL"));
}

TEST_P(UrlResolutionTest, DatabaseUrlBeatsTheDefault) {
  ProcessResult up = Dbshift({"up"}, {{"DATABASE_URL", url()}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("(from DATABASE_URL)"));
  EXPECT_TRUE(TargetMigrated());
  EXPECT_EQ(SqliteTables(work_dir() / "dbshift.db"), "<no file>");
}

TEST_P(UrlResolutionTest, UnknownEnvIsAConfigError) {
  WriteConfig("url = \"" + url() + "\"");
  ProcessResult up = Dbshift({"--env", "prodd", "up"});
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_THAT(up.err, HasSubstr("unknown environment \"prodd\""));
  EXPECT_THAT(up.err, HasSubstr("dev, target"));
  EXPECT_FALSE(db().HasTable("dbshift_history"));
}

INSTANTIATE_TEST_SUITE_P(Engines, UrlResolutionTest, ::testing::ValuesIn(kEngines), EngineName);

// The embedded default is SQLite in the current folder, whatever the engine.
TEST(DefaultUrlTest, WithoutUrlEnvOrVariableUsesDbshiftDbInTheCurrentFolder) {
  ScopedTempDir cwd;
  cwd.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult up = RunProcess(DbshiftBinary(),
                                {.args = {"up"}, .env = {{"DATABASE_URL", {}}}, .cwd = cwd.path()});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("(from default)"));
  EXPECT_EQ(SqliteTables(cwd.path() / "dbshift.db"), "a dbshift_history");
  // The run log went to the default folder in the current folder.
  EXPECT_TRUE(fs::is_directory(cwd.path() / ".dbshift" / "log"));
}

TEST(DefaultUrlTest, EmptyDatabaseUrlCountsAsUnset) {
  ScopedTempDir cwd;
  cwd.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult up = RunProcess(DbshiftBinary(),
                                {.args = {"up"}, .env = {{"DATABASE_URL", ""}}, .cwd = cwd.path()});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("(from default)"));
  EXPECT_EQ(SqliteTables(cwd.path() / "dbshift.db"), "a dbshift_history");
}

TEST(ConfigFileTest, DirAndLogDirAreRelativeToTheConfigFile) {
  ScopedTempDir cwd;
  cwd.Write("project/dbshift.toml",
            "dir = \"sql\"\n"
            "log_dir = \"logs\"\n"
            "[env.dev]\n"
            "url = \"sqlite:./dev.db\"\n");
  cwd.Write("project/sql/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult up = RunProcess(
      DbshiftBinary(),
      {.args = {"--config", "project/dbshift.toml", "--env", "dev", "up"}, .cwd = cwd.path()});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  // The URL is the operator's: relative to the current folder.
  EXPECT_EQ(SqliteTables(cwd.path() / "dev.db"), "a dbshift_history");
  EXPECT_TRUE(fs::is_directory(cwd.path() / "project" / "logs"));
  EXPECT_FALSE(fs::exists(cwd.path() / "logs"));
  EXPECT_FALSE(fs::exists(cwd.path() / ".dbshift"));
}

TEST(ConfigFileTest, MalformedTomlExitsTwoWithFileAndLine) {
  ScopedTempDir cwd;
  cwd.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  cwd.Write("dbshift.toml",
            "dir = \"migrations\"\n"
            "[env.dev]\n"
            "url = \"sqlite:./dev.db\n");
  ProcessResult up = RunProcess(DbshiftBinary(),
                                {.args = {"up"}, .env = {{"DATABASE_URL", {}}}, .cwd = cwd.path()});
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_THAT(up.err, HasSubstr("dbshift.toml:3"));
  EXPECT_FALSE(fs::exists(cwd.path() / "dbshift.db"));
  EXPECT_FALSE(fs::exists(cwd.path() / "dev.db"));
}

TEST(ConfigFileTest, UnknownKeyExitsTwoWithLineAndSuggestion) {
  ScopedTempDir cwd;
  cwd.Write("dbshift.toml",
            "# comment\n"
            "dirr = \"migrations\"\n");
  ProcessResult status = RunProcess(
      DbshiftBinary(), {.args = {"status"}, .env = {{"DATABASE_URL", {}}}, .cwd = cwd.path()});
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_THAT(status.err,
              HasSubstr("dbshift.toml:2:1: unknown key \"dirr\" (did you mean \"dir\"?)"));
}

TEST(ConfigFileTest, ExplicitConfigThatDoesNotExistExitsTwo) {
  ScopedTempDir cwd;
  ProcessResult status =
      RunProcess(DbshiftBinary(), {.args = {"--config", "nope.toml", "status"}, .cwd = cwd.path()});
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_THAT(status.err, HasSubstr("nope.toml"));
}

TEST(InitTest, WritesConfigAndFolderAndIsIdempotent) {
  ScopedTempDir cwd;
  ProcessResult init = RunProcess(DbshiftBinary(), {.args = {"init"}, .cwd = cwd.path()});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_THAT(init.out, HasSubstr("Created dbshift.toml"));
  ASSERT_TRUE(fs::is_regular_file(cwd.path() / "dbshift.toml"));
  EXPECT_TRUE(fs::is_directory(cwd.path() / "migrations"));
  EXPECT_TRUE(fs::is_empty(cwd.path() / "migrations"));
  const std::string config = ReadFile(cwd.path() / "dbshift.toml");
  EXPECT_THAT(config, HasSubstr("dir = \"migrations\""));
  EXPECT_THAT(config, HasSubstr("[env.dev]"));

  // The written config works as it is: --env dev migrates ./dev.db.
  cwd.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ProcessResult up =
      RunProcess(DbshiftBinary(), {.args = {"--env", "dev", "up"}, .cwd = cwd.path()});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(SqliteTables(cwd.path() / "dev.db"), "a dbshift_history");

  // Again: nothing is overwritten, nothing is removed.
  cwd.Write("dbshift.toml", config + "# edited by hand\n");
  ProcessResult again = RunProcess(DbshiftBinary(), {.args = {"init"}, .cwd = cwd.path()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("exists; left as it is"));
  EXPECT_EQ(ReadFile(cwd.path() / "dbshift.toml"), config + "# edited by hand\n");
  EXPECT_EQ(FileNames(cwd.path() / "migrations"), std::vector<std::string>{"V1__a.sql"});
}

TEST(NewTest, WritesTheNextVersionedFile) {
  ScopedTempDir cwd;
  ProcessResult first =
      RunProcess(DbshiftBinary(), {.args = {"new", "add", "users"}, .cwd = cwd.path()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(FileNames(cwd.path() / "migrations"), std::vector<std::string>{"V1__add_users.sql"});
  EXPECT_EQ(ReadFile(cwd.path() / "migrations" / "V1__add_users.sql"), "-- add users\n\n");

  ProcessResult second =
      RunProcess(DbshiftBinary(), {.args = {"new", "Add e-mail column!"}, .cwd = cwd.path()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(FileNames(cwd.path() / "migrations"),
            (std::vector<std::string>{"V1__add_users.sql", "V2__add_e_mail_column.sql"}));

  ProcessResult json =
      RunProcess(DbshiftBinary(),
                 {.args = {"--format", "json", "new", "--undo", "drop", "x"}, .cwd = cwd.path()});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json result = ParseJson(json.out);
  EXPECT_EQ(result["version"], "3");
  EXPECT_EQ(result["files"].size(), 2u);
  EXPECT_EQ(FileNames(cwd.path() / "migrations"),
            (std::vector<std::string>{"U3__drop_x.sql", "V1__add_users.sql",
                                      "V2__add_e_mail_column.sql", "V3__drop_x.sql"}));
  // The files form a valid folder.
  ProcessResult status = RunProcess(
      DbshiftBinary(),
      {.args = {"--url", "sqlite:" + (cwd.path() / "x.db").string(), "status"}, .cwd = cwd.path()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

TEST(NewTest, WithUndoWritesBothFiles) {
  ScopedTempDir cwd;
  ProcessResult result =
      RunProcess(DbshiftBinary(), {.args = {"new", "--undo", "add users"}, .cwd = cwd.path()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(FileNames(cwd.path() / "migrations"),
            (std::vector<std::string>{"U1__add_users.sql", "V1__add_users.sql"}));
  EXPECT_EQ(ReadFile(cwd.path() / "migrations" / "U1__add_users.sql"), "-- undo: add users\n\n");
}

TEST(NewTest, TimestampVersionsGetAFourteenDigitUtcTimestamp) {
  ScopedTempDir cwd;
  cwd.Write("migrations/V20200101120000__init.sql", "CREATE TABLE a (id INTEGER);\n");
  std::time_t before = std::time(nullptr);
  ProcessResult result =
      RunProcess(DbshiftBinary(), {.args = {"new", "add", "users"}, .cwd = cwd.path()});
  std::time_t after = std::time(nullptr);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> names = FileNames(cwd.path() / "migrations");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "V20200101120000__init.sql");
  EXPECT_THAT(names[1], MatchesRegex("V[0-9]{14}__add_users\\.sql"));
  auto stamp = [](std::time_t t) {
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &utc);
    return std::string(text);
  };
  const std::string version = names[1].substr(1, 14);
  EXPECT_GE(version, stamp(before));
  EXPECT_LE(version, stamp(after));
}

TEST(NewTest, DescriptionWithoutLettersIsAUsageError) {
  ScopedTempDir cwd;
  ProcessResult result = RunProcess(DbshiftBinary(), {.args = {"new", "!!"}, .cwd = cwd.path()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_FALSE(fs::exists(cwd.path() / "migrations" / "V1__.sql"));
}

}  // namespace
}  // namespace dbshift::testing
