// Many `dbshift up` processes started at once on one database: the migration
// lock and the re-read of the history under it make every migration run
// exactly once, and every runner succeeds.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr int kMigrations = 20;
constexpr int kRunners = 16;
constexpr std::chrono::seconds kRunnerTimeout{90};

struct RaceResult {
  std::vector<ProcessResult> results;  // in start order; exit_code -1 if it hung
  std::chrono::milliseconds elapsed{0};
};

class ConcurrencyTest : public CliTest {
 protected:
  // A statement that takes a little time, so runners overlap for real.
  std::string SlowStatement() const {
    if (postgres()) return "SELECT pg_sleep(0.05);\n";
    // A recursive CTE is not slow on MariaDB (max_recursive_iterations).
    if (mysql()) return "SELECT SLEEP(0.05);\n";
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) "
           "SELECT count(*) FROM c;\n";
  }

  // V1..V20, each creating table t<i> with one row; every fourth one is slow.
  void WriteMigrations() const {
    for (int i = 1; i <= kMigrations; ++i) {
      std::string sql = fmt::format(
          "CREATE TABLE t{0} (id INTEGER PRIMARY KEY);\nINSERT INTO t{0} (id) VALUES ({0});\n", i);
      if (i % 4 == 0) sql += SlowStatement();
      WriteMigration(fmt::format("V{}__step_{}.sql", i, i), sql);
    }
  }

  // dbshift --url <target> --dir <migrations> --log-dir <log> args..., like Run().
  ProcessSpec Spec(const TargetDatabase& target, const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.args = {"--url",     target.url(),      "--dir", migrations_dir().string(),
                 "--log-dir", log_dir().string()};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.cwd = work_dir();
    spec.env["DATABASE_URL"] = std::nullopt;
    return spec;
  }

  // Spawns one process per entry of `args` (all before waiting on any), then
  // waits for each with a timeout; a hung runner is killed and reported.
  RaceResult Race(const TargetDatabase& target,
                  const std::vector<std::vector<std::string>>& args) const {
    RaceResult race;
    std::vector<std::unique_ptr<BackgroundProcess>> runners;
    const Clock::time_point start = Clock::now();
    for (const std::vector<std::string>& one : args) {
      runners.push_back(std::make_unique<BackgroundProcess>(DbshiftBinary(), Spec(target, one)));
    }
    const Clock::time_point deadline = start + kRunnerTimeout;
    for (std::size_t i = 0; i < runners.size(); ++i) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      std::optional<ProcessResult> result =
          runners[i]->Wait(std::max(left, std::chrono::milliseconds(1)));
      if (!result) {
        ADD_FAILURE() << "runner " << i << " did not finish within " << kRunnerTimeout.count()
                      << " s";
        runners[i]->Kill(SIGKILL);
        result = runners[i]->Wait(std::chrono::seconds(5));
      }
      race.results.push_back(result.value_or(ProcessResult{}));
    }
    race.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return race;
  }

  // Exactly one successful versioned row per version, ranks 1..N, no gaps.
  static void ExpectAppliedOnce(const TargetDatabase& target) {
    std::string expected;
    for (int i = 1; i <= kMigrations; ++i) expected += fmt::format("{0}|{0}|versioned|1\n", i);
    EXPECT_EQ(target.Query("SELECT installed_rank, version, kind, CASE WHEN success THEN 1 ELSE 0 "
                           "END FROM dbshift_history ORDER BY installed_rank"),
              expected);
    for (int i = 1; i <= kMigrations; ++i) {
      EXPECT_EQ(target.Query(fmt::format("SELECT count(*), min(id) FROM t{}", i)),
                fmt::format("1|{}\n", i))
          << "table t" << i;
    }
  }

  void Report(const std::string& what, const RaceResult& race) {
    std::cout << "[  race    ] " << engine() << " " << what << ": " << race.results.size()
              << " runners in " << race.elapsed.count() << " ms\n";
    RecordProperty(what + "_ms", static_cast<int>(race.elapsed.count()));
  }
};

// The race of the brief: 16 plain `up` at once, three times on fresh databases.
// On MySQL / MariaDB each of these scripts has DDL and so runs outside a
// transaction, with its row written first as "started, not finished": the
// other runners must wait for the lock rather than take that row for a
// failure, and ExpectAppliedOnce finds no such row left.
TEST_P(ConcurrencyTest, SixteenRunnersApplyEachMigrationExactlyOnce) {
  WriteMigrations();
  for (int round = 1; round <= 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // The fixture's database in round 1, a fresh one of the same engine after.
    std::unique_ptr<TargetDatabase> fresh;
    if (round > 1) {
      fresh = std::make_unique<TargetDatabase>(engine());
      ASSERT_TRUE(fresh->available());
    }
    const TargetDatabase& target = round == 1 ? db() : *fresh;
    RaceResult race = Race(
        target, std::vector<std::vector<std::string>>(kRunners, {"--lock-timeout", "60s", "up"}));
    Report(fmt::format("race_round_{}", round), race);

    int applied_all = 0;
    int nothing_to_do = 0;
    for (std::size_t i = 0; i < race.results.size(); ++i) {
      const ProcessResult& result = race.results[i];
      EXPECT_EQ(result.exit_code, 0) << "runner " << i << "\nstdout:\n"
                                     << result.out << "\nstderr:\n"
                                     << result.err;
      EXPECT_THAT(result.err, ::testing::Not(HasSubstr("error"))) << "runner " << i;
      if (result.out.find("Applied 20 migrations. Database is at version 20.") !=
          std::string::npos) {
        ++applied_all;
      } else if (result.out.find("Nothing to do. Database is at version 20.") !=
                 std::string::npos) {
        ++nothing_to_do;
      } else {
        ADD_FAILURE() << "runner " << i << " printed neither outcome:\n" << result.out;
      }
    }
    EXPECT_EQ(applied_all, 1);
    EXPECT_EQ(nothing_to_do, kRunners - 1);
    ExpectAppliedOnce(target);
  }
}

// Half the runners stop at version 10, half go to the end: each version is
// applied by exactly one runner, `--to 10` runners never go past 10, and
// every runner applies a contiguous, ascending run of versions. A `--to 10`
// runner that finds nothing pending reports what the history says at that
// moment: any version from 10 to 20, e.g. 16 while a full runner is mid-way.
TEST_P(ConcurrencyTest, MixedTargetsApplyEachMigrationExactlyOnce) {
  WriteMigrations();
  std::vector<std::vector<std::string>> args;
  for (int i = 0; i < kRunners; ++i) {
    if (i % 2 == 0) {
      args.push_back({"--format", "json", "--lock-timeout", "60s", "up", "--to", "10"});
    } else {
      args.push_back({"--format", "json", "--lock-timeout", "60s", "up"});
    }
  }
  RaceResult race = Race(db(), args);
  Report("mixed_targets", race);

  std::multiset<int> applied;
  for (std::size_t i = 0; i < race.results.size(); ++i) {
    const ProcessResult& result = race.results[i];
    const bool to_ten = i % 2 == 0;
    ASSERT_EQ(result.exit_code, 0) << "runner " << i << "\nstdout:\n"
                                   << result.out << "\nstderr:\n"
                                   << result.err;
    nlohmann::json document = ParseJson(result.out);
    ASSERT_TRUE(document["applied"].is_array()) << result.out;
    std::vector<int> mine;
    for (const nlohmann::json& item : document["applied"]) {
      mine.push_back(std::stoi(item["version"].get<std::string>()));
    }
    for (std::size_t k = 1; k < mine.size(); ++k) {
      EXPECT_EQ(mine[k], mine[k - 1] + 1) << "runner " << i << " applied out of order";
    }
    ASSERT_TRUE(document["current_version"].is_string()) << result.out;
    const std::string current = document["current_version"].get<std::string>();
    if (to_ten) {
      for (int version : mine) EXPECT_LE(version, 10) << "runner " << i << " went past --to 10";
      if (!mine.empty()) {
        EXPECT_EQ(current, "10") << "runner " << i;
      }
      EXPECT_GE(std::stoi(current), 10) << "runner " << i;
      EXPECT_LE(std::stoi(current), kMigrations) << "runner " << i;
    } else {
      EXPECT_EQ(current, "20") << "runner " << i;
      if (!mine.empty()) {
        EXPECT_EQ(mine.back(), 20) << "runner " << i;
      }
    }
    EXPECT_FALSE(document.contains("error")) << result.out;
    applied.insert(mine.begin(), mine.end());
  }
  std::multiset<int> every;
  for (int i = 1; i <= kMigrations; ++i) every.insert(i);
  EXPECT_EQ(applied, every);
  ExpectAppliedOnce(db());
}

// All runners queue behind a lock the test holds, then rush it at once when
// it is released: still exactly one applies, the others find nothing to do.
TEST_P(ConcurrencyTest, RunnersQueuedBehindAHeldLockApplyOnce) {
  WriteMigrations();
  std::unique_ptr<Driver> holder = OpenDriver(Url::Parse(url()), {});
  ASSERT_TRUE(holder->TryLock());

  std::vector<std::unique_ptr<BackgroundProcess>> runners;
  for (int i = 0; i < kRunners; ++i) {
    runners.push_back(std::make_unique<BackgroundProcess>(
        DbshiftBinary(), Spec(db(), {"--lock-timeout", "60s", "up"})));
  }
  // Every runner has passed its quick check and is polling the held lock.
  for (int i = 0; i < kRunners; ++i) {
    ASSERT_TRUE(runners[i]->WaitForStderr("waiting for the migration lock held by", kRunnerTimeout))
        << "runner " << i << " never waited for the lock";
  }
  EXPECT_EQ(db().HasTable("t1"), false) << "a runner applied while the test held the lock";
  holder->Unlock();

  int applied_all = 0;
  for (int i = 0; i < kRunners; ++i) {
    std::optional<ProcessResult> result = runners[i]->Wait(kRunnerTimeout);
    ASSERT_TRUE(result.has_value()) << "runner " << i << " hung";
    EXPECT_EQ(result->exit_code, 0) << result->err;
    EXPECT_THAT(result->err, HasSubstr("waiting for the migration lock held by"));
    if (result->out.find("Applied 20 migrations.") != std::string::npos) {
      ++applied_all;
    } else {
      EXPECT_THAT(result->out, HasSubstr("Nothing to do. Database is at version 20."));
    }
  }
  EXPECT_EQ(applied_all, 1);
  ExpectAppliedOnce(db());
}

// The "started, not finished" row of a no-transaction script that another
// runner is executing right now is not a failed migration: a second runner
// waits for the lock instead of exiting 3 (it did, while up checked for
// problems before taking the lock).
TEST_P(ConcurrencyTest, RunnerStartedDuringANoTransactionScriptWaitsInsteadOfFailing) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  std::string slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE "
      "x < 3000000) SELECT count(*) FROM c;\n";
  if (postgres()) slow = "SELECT pg_sleep(2);\n";
  // A recursive CTE is not slow on MariaDB: without a real pause the first
  // runner could finish V2 before this test sees it inside.
  if (mysql()) slow = "SELECT SLEEP(2);\n";
  WriteMigration("V2__slow.sql",
                 "-- dbshift:no-transaction\nCREATE TABLE b (id INTEGER);\n" + slow);
  WriteMigration("V3__c.sql", "CREATE TABLE c (id INTEGER);\n");
  BackgroundProcess first(DbshiftBinary(), Spec(db(), {"up"}));

  // Wait until the first runner is inside V2: its row is there, not yet done.
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(20);
  bool inside = false;
  while (!inside && Clock::now() < deadline) {
    try {
      inside = History() == "1|1\n2|0\n";
    } catch (const std::runtime_error&) {
      // SQLite busy while the first runner commits: look again.
    }
    if (!inside) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(inside) << "the first runner never reached V2";

  ProcessResult second = RunWith({.args = {"--lock-timeout", "60s", "up"}});
  std::optional<ProcessResult> done = first.Wait(kRunnerTimeout);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 0) << done->err;
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("Nothing to do. Database is at version 3."));
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

INSTANTIATE_TEST_SUITE_P(Concurrency, ConcurrencyTest, ::testing::ValuesIn(kEngines), EngineName);

class PostgresConcurrencyTest : public ConcurrencyTest {
 protected:
  // Waits (up to 10 s) until a session of this database runs a query that
  // starts with `prefix`.
  bool WaitUntilRunning(const std::string& prefix) {
    const std::string count = fmt::format(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND query LIKE '{}%' AND pid <> pg_backend_pid()",
        prefix);
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      if (db().Query(count) == "1\n") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

// Regression: the advisory lock lives on an idle connection of its own
// (PostgresDriver::LockConnection, src/dbshift/driver/postgres/postgres_lock.cc)
// that nothing keeps alive or re-checks. A server with idle_session_timeout
// (or a proxy's idle timeout, or pg_terminate_backend) closes it during a long
// migration; the server drops the lock, `lock status` says "free", and a second
// runner takes the lock, does not see the first runner's uncommitted row and
// applies the same migration again (here: V2 twice, two rows in "counter").
// Fix: SET idle_session_timeout = 0 (PostgreSQL >= 14) and TCP keepalives on the
// lock connection. A lock connection that the server ends anyway is the next
// test's case.
TEST_P(PostgresConcurrencyTest, IdleSessionTimeoutDoesNotLetASecondRunnerReapply) {
  db().Query(fmt::format("ALTER DATABASE \"{}\" SET idle_session_timeout = '500ms'",
                         Url::Parse(url()).database()));
  WriteMigration("V1__counter.sql", "CREATE TABLE counter (id INTEGER);\n");
  WriteMigration("V2__count.sql", "INSERT INTO counter (id) VALUES (1);\nSELECT pg_sleep(3);\n");
  BackgroundProcess first(DbshiftBinary(), Spec(db(), {"up"}));

  ASSERT_TRUE(WaitUntilRunning("SELECT pg_sleep(3)")) << "the first runner never reached V2";
  // Well past the server's idle timeout of the first runner's lock connection.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));

  ProcessResult status = Run("--format", "json", "lock", "status");
  EXPECT_EQ(ParseJson(status.out)["held"], true) << "the lock vanished during the run";
  ProcessResult second = RunWith({.args = {"--lock-timeout", "30s", "up"}});
  std::optional<ProcessResult> done = first.Wait(kRunnerTimeout);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 0) << done->err;
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("Nothing to do. Database is at version 2."));
  EXPECT_EQ(db().Query("SELECT count(*) FROM counter"), "1\n") << "V2 ran twice";
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

// The server ends the lock's connection in the middle of a migration (a
// reaper of idle sessions, pg_terminate_backend): the lock is gone and a
// second runner takes it and applies the same migration. The first must not
// commit its copy as well: it notices before its commit and rolls back.
TEST_P(PostgresConcurrencyTest, RunnerThatLostTheLockRollsBackInsteadOfCommittingTwice) {
  WriteMigration("V1__counter.sql", "CREATE TABLE counter (id INTEGER);\n");
  WriteMigration("V2__count.sql", "INSERT INTO counter (id) VALUES (1);\nSELECT pg_sleep(3);\n");
  BackgroundProcess first(DbshiftBinary(), Spec(db(), {"up"}));

  ASSERT_TRUE(WaitUntilRunning("SELECT pg_sleep(3)")) << "the first runner never reached V2";
  // The holder announces itself as "dbshift <user>@<host> pid <pid> since ...".
  EXPECT_EQ(
      db().Query("SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_stat_activity"
                 " WHERE datname = current_database() AND application_name LIKE 'dbshift % pid %'"),
      "1\n");

  ProcessResult second = RunWith({.args = {"--lock-timeout", "30s", "up"}});
  std::optional<ProcessResult> done = first.Wait(kRunnerTimeout);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 6) << done->out << done->err;
  EXPECT_THAT(done->err, HasSubstr("lost the migration lock"));
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("Applied 1 migration."));
  EXPECT_EQ(db().Query("SELECT count(*) FROM counter"), "1\n") << "V2 committed twice";
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

INSTANTIATE_TEST_SUITE_P(Concurrency, PostgresConcurrencyTest, ::testing::Values("postgres"),
                         EngineName);

}  // namespace
}  // namespace dbshift::testing
