// The migration lock seen from the command line: --lock-timeout, exit code 4
// naming the holder, `lock status`, waiting for a release, and no lock for a
// run with nothing to do. The test holds the lock through its own Driver, as
// another runner would.
#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

// "pid 1234" for this test process: how a holder names itself.
std::string ThisPid() { return fmt::format("pid {}", getpid()); }

bool IsIso8601Utc(const std::string& text) {
  static const std::regex kPattern(
      R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z)");
  return std::regex_match(text, kPattern);
}

class LockTest : public CliTest {
 protected:
  // A second connection to the target that takes the lock like a runner.
  std::unique_ptr<Driver> Holder() const { return OpenDriver(Url::Parse(url()), {}); }

  ProcessSpec Spec(const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.args = CommonArgs();
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.cwd = work_dir();
    spec.env["DATABASE_URL"] = std::nullopt;
    return spec;
  }

  // Rows of the history, or 0 when the table does not exist.
  int HistoryRows() {
    if (!db().HasTable("dbshift_history")) return 0;
    return std::stoi(db().Query("SELECT count(*) FROM dbshift_history"));
  }
};

TEST_P(LockTest, UpGivesUpWithExitFourNamingTheHolderAndAppliesNothing) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  const Clock::time_point start = Clock::now();
  ProcessResult result = Run("--lock-timeout", "300ms", "up");
  const auto elapsed = Clock::now() - start;

  EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_THAT(result.err, HasSubstr("the migration lock on"));
  EXPECT_THAT(result.err, HasSubstr(ThisPid()));
  EXPECT_THAT(result.err, HasSubstr("gave up after"));
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_EQ(HistoryRows(), 0);

  holder->Unlock();
  ProcessResult after = Run("up");
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("Applied 1 migration. Database is at version 1."));
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(LockTest, LockTimeoutInJsonIsAnErrorDocumentWithExitCodeFour) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  ProcessResult result = Run("--format", "json", "--lock-timeout", "200ms", "up");
  EXPECT_EQ(result.exit_code, 4) << result.err;
  nlohmann::json document = ParseJson(result.out);
  EXPECT_EQ(document["error"]["exit_code"], 4);
  EXPECT_THAT(document["error"]["message"].get<std::string>(), HasSubstr(ThisPid()));
  EXPECT_FALSE(db().HasTable("a"));
}

TEST_P(LockTest, DownAlsoGivesUpWithExitFour) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteMigration("U1__a.sql", "DROP TABLE a;\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  ProcessResult result = Run("--yes", "--lock-timeout", "300ms", "down");
  EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
  EXPECT_THAT(result.err, HasSubstr(ThisPid()));
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(LockTest, StatusSaysFreeWhenNobodyHoldsIt) {
  ProcessResult text = Run("lock", "status");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("is free."));
  EXPECT_THAT(text.out, Not(HasSubstr("held by")));

  ProcessResult json = Run("--format", "json", "lock", "status");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(ParseJson(json.out),
            nlohmann::json::parse(R"({"held": false, "holder": null, "since": null})"));
}

TEST_P(LockTest, StatusNamesTheHolderWhileHeld) {
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  ProcessResult text = Run("lock", "status");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("is held by"));
  EXPECT_THAT(text.out, HasSubstr(ThisPid()));
  EXPECT_THAT(text.out, HasSubstr(" since "));

  ProcessResult json = Run("--format", "json", "lock", "status");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json document = ParseJson(json.out);
  EXPECT_EQ(document["held"], true);
  ASSERT_TRUE(document["holder"].is_string()) << json.out;
  EXPECT_THAT(document["holder"].get<std::string>(), HasSubstr(ThisPid()));
  ASSERT_TRUE(document["since"].is_string()) << json.out;
  EXPECT_TRUE(IsIso8601Utc(document["since"].get<std::string>())) << document["since"];

  // `lock status` only looks: the holder keeps the lock.
  std::unique_ptr<Driver> other = Holder();
  EXPECT_FALSE(other->TryLock());

  holder->Unlock();
  ProcessResult released = Run("--format", "json", "lock", "status");
  EXPECT_EQ(ParseJson(released.out)["held"], false) << released.out;
  EXPECT_TRUE(other->TryLock());
  other->Unlock();
}

TEST_P(LockTest, WaitingRunnerAppliesOnceTheLockIsReleased) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  // A long timeout: the runner must still be waiting when the lock goes,
  // however slowly a loaded machine starts it.
  BackgroundProcess runner(DbshiftBinary(), Spec({"--lock-timeout", "60s", "up"}));
  ASSERT_TRUE(
      runner.WaitForStderr("waiting for the migration lock held by", std::chrono::seconds(30)))
      << "the runner never reported waiting for the lock";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a few polls while held
  EXPECT_FALSE(db().HasTable("a")) << "applied while the lock was held";
  const Clock::time_point released = Clock::now();
  holder->Unlock();

  std::optional<ProcessResult> result = runner.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(result.has_value()) << "the waiting runner did not finish";
  EXPECT_EQ(result->exit_code, 0) << result->err;
  // It follows the release by polling, not by running into its timeout.
  EXPECT_LT(Clock::now() - released, std::chrono::seconds(20));
  EXPECT_THAT(result->err, HasSubstr(ThisPid()));
  EXPECT_THAT(result->out, HasSubstr("Applied 1 migration. Database is at version 1."));
  EXPECT_TRUE(db().HasTable("a"));
  EXPECT_EQ(History(), "1|1\n");
}

// With nothing pending, `up` neither takes nor waits for the lock: a deploy
// whose database is current must not block behind someone else's run.
TEST_P(LockTest, NothingPendingNeedsNoLock) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  // Waiting for the lock would take the full 10 s and end in exit 4.
  const Clock::time_point start = Clock::now();
  ProcessResult result = Run("--lock-timeout", "10s", "up");
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_THAT(result.out, HasSubstr("Nothing to do. Database is at version 1."));
  EXPECT_THAT(result.err, Not(HasSubstr("waiting for the migration lock")));
  EXPECT_EQ(History(), "1|1\n");

  ProcessResult json = Run("--format", "json", "--lock-timeout", "10s", "up");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(ParseJson(json.out),
            nlohmann::json::parse(R"({"applied": [], "current_version": "1", "dry_run": false})"));
}

// `up --to V` with V already applied is a no-op too, while later versions
// are pending.
TEST_P(LockTest, NothingPendingUpToTargetNeedsNoLock) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());

  ProcessResult result = Run("--lock-timeout", "10s", "up", "--to", "1");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Nothing to do. Database is at version 1."));
  EXPECT_FALSE(db().HasTable("b"));

  ProcessResult pending = Run("--lock-timeout", "200ms", "up");
  EXPECT_EQ(pending.exit_code, 4) << pending.err;
  EXPECT_FALSE(db().HasTable("b"));
}

// The lock of a runner is released when it finishes, so the next run does
// not wait at all.
TEST_P(LockTest, FinishedRunReleasesTheLock) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  ProcessResult status = Run("--format", "json", "lock", "status");
  EXPECT_EQ(ParseJson(status.out)["held"], false) << status.out;
  std::unique_ptr<Driver> holder = Holder();
  EXPECT_TRUE(holder->TryLock());
}

INSTANTIATE_TEST_SUITE_P(Lock, LockTest, ::testing::ValuesIn(kEngines), EngineName);

// SQLite only: the holder is in the middle of a large write. A runner whose
// migration writes more than SQLite's page cache holds the database file's
// EXCLUSIVE lock until it commits (journal_mode=DELETE), which the test
// stands in for with BEGIN EXCLUSIVE on a connection of its own.
class SqliteLockTest : public LockTest {
 protected:
  // An open SQLite connection to the target, closed (rolling back) on exit.
  struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
  };
  std::string TargetPath() { return url().substr(std::string("sqlite:").size()); }
};

// While a runner holds the database file's EXCLUSIVE lock, `lock status`
// still names it and a second `up` waits for the migration lock for its whole
// --lock-timeout (both failed with exit 6 "database is locked" after SQLite's
// 5 s busy timeout while the driver's open check waited on the busy file).
TEST_P(SqliteLockTest, StatusAndWaitingRunnerWorkWhileTheHolderWritesALargeTransaction) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();
  ASSERT_TRUE(holder->TryLock());
  Connection writer;
  ASSERT_EQ(sqlite3_open(TargetPath().c_str(), &writer.db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer.db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);

  ProcessResult status = Run("--format", "json", "lock", "status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  if (status.exit_code == 0) {
    EXPECT_THAT(ParseJson(status.out)["holder"].get<std::string>(), HasSubstr(ThisPid()));
  }

  const Clock::time_point start = Clock::now();
  BackgroundProcess runner(DbshiftBinary(), Spec({"--lock-timeout", "30s", "up"}));
  // Longer than SQLite's busy timeout of 5 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(6500));
  std::optional<ProcessResult> early = runner.Wait(std::chrono::milliseconds(1));
  EXPECT_FALSE(early.has_value())
      << "the runner stopped waiting for the lock after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()
      << " ms at most, exit " << early->exit_code << ": " << early->err;
  sqlite3_exec(writer.db, "ROLLBACK", nullptr, nullptr, nullptr);
  holder->Unlock();

  std::optional<ProcessResult> result = early ? early : runner.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(result.has_value()) << "the waiting runner did not finish";
  EXPECT_EQ(result->exit_code, 0) << result->err;
  EXPECT_THAT(result->out, HasSubstr("Applied 1 migration. Database is at version 2."));
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

// Regression: the lock file is named after the path as written (LockFilePath in
// src/dbshift/driver/sqlite/sqlite_lock.cc: database path + ".dbshift-lock"),
// so two runners that reach one database through different names (a symlinked
// file, e.g. Capistrano's shared/linked files, or a hard link) lock different
// files and both run. Fix: derive the lock file from the canonical path
// (std::filesystem::canonical / realpath of the database once it exists) or
// flock the database file itself (SQLite uses fcntl locks, which are
// independent of flock on Linux).
TEST_P(SqliteLockTest, ADatabaseReachedThroughASymlinkSharesTheLock) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  std::unique_ptr<Driver> holder = Holder();  // creates the database file
  ASSERT_TRUE(holder->TryLock());
  const std::filesystem::path link = db().dir().path() / "link.db";
  std::filesystem::create_symlink(TargetPath(), link);
  const std::string link_url = "sqlite:" + link.string();

  auto through_link = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {
        "--url", link_url, "--dir", migrations_dir().string(), "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = all});
  };
  ProcessResult status = through_link({"--format", "json", "lock", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(ParseJson(status.out)["held"], true) << status.out;

  ProcessResult up = through_link({"--lock-timeout", "300ms", "up"});
  EXPECT_EQ(up.exit_code, 4) << up.out << up.err;
  EXPECT_FALSE(db().HasTable("a")) << "applied while another runner held the lock";
}

INSTANTIATE_TEST_SUITE_P(Lock, SqliteLockTest, ::testing::Values("sqlite"), EngineName);

}  // namespace
}  // namespace dbshift::testing
