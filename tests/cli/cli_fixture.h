#pragma once

// A fixture for tests that run the built dbshift binary against a fresh
// database of each engine (tests/testing/target_database.h).
//
//   class MyTest : public CliTest {};
//   TEST_P(MyTest, Something) {
//     WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
//     ProcessResult result = Run("up");
//     EXPECT_EQ(result.exit_code, 0) << result.err;
//     EXPECT_TRUE(db().HasTable("a"));
//   }
//   INSTANTIATE_TEST_SUITE_P(Engines, MyTest, ::testing::ValuesIn(kEngines), EngineName);

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dbshift/common/url.h"

#include "testing/process.h"
#include "testing/target_database.h"
#include "testing/temp_dir.h"

namespace dbshift::testing {

/// Parses `text` as exactly one JSON document (trailing whitespace only);
/// throws nlohmann::json::parse_error otherwise, which fails the test.
inline nlohmann::json ParseJson(const std::string& text) { return nlohmann::json::parse(text); }

/// Every regular file under `dir`, relative to it, sorted (run logs).
inline std::vector<std::string> FilesUnder(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path().lexically_relative(dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The JSON lines of `file` (a run log), one document per line.
inline std::vector<nlohmann::json> ReadLines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(ReadFile(file));
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

/// `status --format json` that succeeded: the database is at `version`
/// and every migration of the folder is applied.
inline void ExpectEveryMigrationAppliedAt(const ProcessResult& status, std::string_view version) {
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json plan = ParseJson(status.out);
  EXPECT_EQ(plan["current_version"], version);
  for (const nlohmann::json& migration : plan["migrations"]) {
    EXPECT_EQ(migration["state"], "applied") << migration.dump();
  }
}

/// For INSTANTIATE_TEST_SUITE_P: names the instances "sqlite", "postgres", "mysql".
inline std::string EngineName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

/// Parameterised by engine name. SetUp creates the database, or skips (fails
/// with DBSHIFT_REQUIRE_ALL_ENGINES=1) when the engine is not configured.
/// Folders, all inside db().dir() and removed with it:
///   migrations_dir()  <tmp>/migrations (created, empty)
///   log_dir()         <tmp>/log        (the --log-dir Run passes)
///   work_dir()        <tmp>/work       (the child's cwd; created, empty)
class CliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TargetDatabase>(GetParam());
    if (!db_->available()) {
      if (AllEnginesRequired()) {
        FAIL() << GetParam() << " is not configured and DBSHIFT_REQUIRE_ALL_ENGINES=1";
      }
      GTEST_SKIP() << GetParam() << " is not configured";
    }
    std::filesystem::create_directories(migrations_dir());
    std::filesystem::create_directories(work_dir());
  }

  const std::string& engine() const { return GetParam(); }
  bool postgres() const { return GetParam() == "postgres"; }
  bool sqlite() const { return GetParam() == "sqlite"; }
  bool mysql() const { return GetParam() == "mysql"; }
  /// False on MySQL / MariaDB, which commit DDL implicitly: a failing DDL
  /// migration there is recorded as failed instead of rolled back.
  bool ddl_rolls_back() const { return !mysql(); }

  TargetDatabase& db() { return *db_; }
  const std::string& url() const { return db_->url(); }
  std::filesystem::path migrations_dir() const { return db_->dir().path() / "migrations"; }
  std::filesystem::path log_dir() const { return db_->dir().path() / "log"; }
  std::filesystem::path work_dir() const { return db_->dir().path() / "work"; }

  /// Writes migrations_dir()/name; returns its path.
  std::filesystem::path WriteMigration(std::string_view name, std::string_view sql) const {
    return db_->dir().Write("migrations/" + std::string(name), sql);
  }
  void RemoveMigration(std::string_view name) const {
    std::filesystem::remove(migrations_dir() / std::string(name));
  }

  /// The options Run puts before `args`.
  std::vector<std::string> CommonArgs() const {
    return {"--url", url(), "--dir", migrations_dir().string(), "--log-dir", log_dir().string()};
  }

  /// dbshift --url <db> --dir <migrations> --log-dir <log> args..., run in
  /// work_dir() with DATABASE_URL removed from the environment.
  ProcessResult Run(std::vector<std::string> args) const { return RunWith({.args = args}); }
  template <typename... Args, typename = std::enable_if_t<
                                  (std::is_convertible_v<const Args&, std::string_view> && ...)>>
  ProcessResult Run(const Args&... args) const {
    return Run(std::vector<std::string>{std::string(std::string_view(args))...});
  }

  /// Like Run, with the caller's env/cwd/stdin; spec.args follow CommonArgs().
  ProcessResult RunWith(ProcessSpec spec) const {
    std::vector<std::string> args = CommonArgs();
    args.insert(args.end(), spec.args.begin(), spec.args.end());
    spec.args = std::move(args);
    if (spec.cwd.empty()) spec.cwd = work_dir();
    if (!spec.env.contains("DATABASE_URL")) spec.env["DATABASE_URL"] = std::nullopt;
    return RunProcess(DbshiftBinary(), spec);
  }

  /// The binary with exactly spec.args (nothing prepended), cwd work_dir()
  /// unless given, DATABASE_URL removed unless given.
  ProcessResult RunBare(ProcessSpec spec) const {
    if (spec.cwd.empty()) spec.cwd = work_dir();
    if (!spec.env.contains("DATABASE_URL")) spec.env["DATABASE_URL"] = std::nullopt;
    return RunProcess(DbshiftBinary(), spec);
  }

  /// PostgreSQL: the scratch databases (drift, rehearse) that the dbshift
  /// of process `pid` made and left, one name a line; "" when none. Their
  /// names carry the pid: other tests make theirs at the same time.
  std::string ScratchDatabasesOf(int pid) const {
    return db_->Query("SELECT datname FROM pg_database WHERE datname LIKE 'dbshift\\_scratch\\_" +
                      std::to_string(pid) + "\\_%'");
  }

  /// PostgreSQL: url() as another role.
  std::string UrlAs(std::string_view role, std::string_view password) const {
    const Url admin = Url::Parse(url());
    return "postgres://" + std::string(role) + ":" + std::string(password) + "@" + admin.host() +
           ":" + std::to_string(admin.port()) + "/" + admin.database();
  }

  /// The history as "version|success\n" rows in installed_rank order
  /// (version "" when NULL; success 1 or 0); "" when there is no history table.
  std::string History() const {
    if (!db_->HasTable("dbshift_history")) return "";
    return db_->Query(
        "SELECT coalesce(version, ''), CASE WHEN success THEN 1 ELSE 0 END "
        "FROM dbshift_history ORDER BY installed_rank");
  }

 private:
  std::unique_ptr<TargetDatabase> db_;
};

}  // namespace dbshift::testing
