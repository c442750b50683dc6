// kill -9 of a running `dbshift up`: the lock is released by the OS or the
// server, a transactional migration leaves nothing behind, and a
// no-transaction script stays recorded as failed until `repair`.
//
// MySQL / MariaDB commit DDL implicitly, so there a script with DDL runs like
// a no-transaction script (its row is written first as "started, not
// finished"); only a script of DML runs in a transaction. The server keeps
// running a killed runner's statement (SELECT SLEEP(30)) until it ends, but
// the GET_LOCK connection dies with the runner, so the lock is free at once.
#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

class CrashTest : public CliTest {
 protected:
  // A statement that runs far longer than any test waits.
  std::string LongStatement() const {
    if (postgres()) return "SELECT pg_sleep(30);\n";
    // A recursive CTE is not long on MariaDB (max_recursive_iterations).
    if (mysql()) return "SELECT SLEEP(30);\n";
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) "
           "SELECT count(*) FROM c;\n";
  }

  ProcessSpec Spec(const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.args = CommonArgs();
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.cwd = work_dir();
    spec.env["DATABASE_URL"] = std::nullopt;
    return spec;
  }

  // What `dbshift lock status --format json` says; nullopt if it failed.
  std::optional<bool> LockHeld() const {
    ProcessResult result = Run("--format", "json", "lock", "status");
    if (result.exit_code != 0) return std::nullopt;
    try {
      return ParseJson(result.out).at("held").get<bool>();
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  // History() that treats a busy SQLite file (a writer committing) as "not yet".
  std::optional<std::string> HistoryNow() const {
    try {
      return History();
    } catch (const std::runtime_error&) {
      return std::nullopt;
    }
  }

  // True once the long statement is running: PostgreSQL shows it in
  // pg_stat_activity, MySQL in information_schema.processlist; SQLite
  // cannot, so there the caller's history condition plus a short pause
  // stands in.
  bool LongStatementRunning() {
    if (postgres()) {
      return db().Query(
                 "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'") == "1\n";
    }
    if (mysql()) return !SleepingConnections().empty();
    return true;
  }

  // MySQL: the ids of this database's connections running SELECT SLEEP(30),
  // one per line.
  std::string SleepingConnections() {
    return db().Query(
        "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
        "AND command = 'Query' AND info LIKE 'SELECT SLEEP(30)%'");
  }

  // A killed runner's SLEEP(30) goes on on the MySQL server, in a
  // transaction if the script was DML, whose metadata locks would hold up the
  // fixture's DROP DATABASE for the rest of the 30 s: end it.
  void TearDown() override {
    if (mysql() && db().available()) {
      try {
        std::istringstream ids(SleepingConnections());
        for (std::string id; std::getline(ids, id);) {
          try {
            db().Query("KILL " + id);
          } catch (const std::runtime_error&) {
            // It ended meanwhile.
          }
        }
      } catch (const std::runtime_error&) {
        // Cleanup only: the database is dropped anyway, only later.
      }
    }
    CliTest::TearDown();
  }

  // Starts `dbshift up`, waits until it holds the lock and `ready` holds and
  // the long statement runs, then kills it with SIGKILL.
  void StartAndKillUp(const std::function<bool()>& ready) {
    BackgroundProcess runner(DbshiftBinary(), Spec({"up"}));
    ASSERT_TRUE(WaitUntil([&] { return LockHeld() == true; }, std::chrono::seconds(10)))
        << "the runner never held the lock";
    ASSERT_TRUE(
        WaitUntil([&] { return ready() && LongStatementRunning(); }, std::chrono::seconds(10)))
        << "the long migration never started";
    if (sqlite()) std::this_thread::sleep_for(std::chrono::milliseconds(300));

    runner.Kill(SIGKILL);
    std::optional<ProcessResult> killed = runner.Wait(std::chrono::seconds(5));
    ASSERT_TRUE(killed.has_value());
    EXPECT_EQ(killed->signal, SIGKILL)
        << "it ended before the kill: " << killed->out << killed->err;
  }

  // `dbshift up` with a bound on how long it may take.
  ProcessResult UpWithin(std::chrono::seconds timeout) const {
    BackgroundProcess runner(DbshiftBinary(), Spec({"--lock-timeout", "5s", "up"}));
    std::optional<ProcessResult> result = runner.Wait(timeout);
    if (!result) {
      ADD_FAILURE() << "`dbshift up` did not finish within " << timeout.count() << " s";
      return ProcessResult{};
    }
    return *result;
  }
};

// Regression (postgres): after kill -9 the server keeps running the killed runner's
// statement (pg_sleep here; a long ALTER or CREATE INDEX in real life) with
// its transaction and locks until the statement ends, because nothing makes
// the backend check its client while a query runs. The migration lock is
// free, but the next `up` blocks behind the orphan's lock on "victim" for the
// rest of its 30 s. Fix: on the migration connection of PostgreSQL >= 14, set
// client_connection_check_interval (e.g. '1s') after connecting, in
// src/dbshift/driver/postgres/connection.cc or PostgresDriver's constructor
// (checked by hand: with it the next `up` applies within 0.1 s).
//
// On MySQL a CREATE TABLE would commit, so there V1 creates "victim" and V2 is
// DML only, which runs in a transaction (for the killed DDL script on MySQL,
// see KilledFirstRunOnAFreshDatabaseRecovers).
TEST_P(CrashTest, KilledTransactionalMigrationLeavesNothingAndTheLockIsFree) {
  const std::string create_victim = "CREATE TABLE victim (id INTEGER);\n";
  WriteMigration("V1__before.sql",
                 "CREATE TABLE before_crash (id INTEGER);\n" + (mysql() ? create_victim : ""));
  const std::string victim =
      (mysql() ? "" : create_victim) + "INSERT INTO victim (id) VALUES (1);\n";
  WriteMigration("V2__victim.sql", victim + LongStatement());

  StartAndKillUp([&] { return HistoryNow() == "1|1\n"; });
  if (HasFatalFailure()) return;

  EXPECT_TRUE(WaitUntil([&] { return LockHeld() == false; }, std::chrono::seconds(10)))
      << "the lock stayed held after the holder was killed";
  EXPECT_TRUE(db().HasTable("before_crash"));
  if (mysql()) {
    EXPECT_EQ(db().Query("SELECT count(*) FROM victim"), "0\n") << "the killed INSERT stayed";
  } else {
    EXPECT_FALSE(db().HasTable("victim"));
  }
  EXPECT_EQ(History(), "1|1\n");

  // Changing a pending script is fine: it was never recorded.
  WriteMigration("V2__victim.sql", victim);
  ProcessResult result = UpWithin(std::chrono::seconds(15));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("Applied 1 migration. Database is at version 2."));
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM victim"), "1\n");
}

// The first migration of a fresh database: the history table itself is
// created under the lock, and a killed first run must not break the next.
// Regression (postgres): as above, the orphaned backend keeps its lock on "victim".
//
// On MySQL the script's CREATE TABLE commits as it runs, so the script runs
// outside a transaction: the killed run leaves its row as "started, not
// finished" and the table it created; `up` refuses until `repair`, and the
// script, fixed by hand to expect the table, then applies.
TEST_P(CrashTest, KilledFirstRunOnAFreshDatabaseRecovers) {
  WriteMigration("V1__victim.sql", "CREATE TABLE victim (id INTEGER);\n" + LongStatement());

  if (mysql()) {
    StartAndKillUp([&] { return HistoryNow() == "1|0\n"; });
  } else {
    StartAndKillUp([] { return true; });
  }
  if (HasFatalFailure()) return;

  EXPECT_TRUE(WaitUntil([&] { return LockHeld() == false; }, std::chrono::seconds(10)));
  if (mysql()) {
    EXPECT_EQ(History(), "1|0\n");
    EXPECT_EQ(db().Query("SELECT error FROM dbshift_history WHERE version = '1'"),
              "started, not finished\n");
    EXPECT_TRUE(db().HasTable("victim"));

    ProcessResult up = Run("up");
    EXPECT_EQ(up.exit_code, 3) << up.out << up.err;
    EXPECT_THAT(up.err, HasSubstr("version 1 (V1__victim.sql) failed"));
    EXPECT_THAT(up.err, HasSubstr("started, not finished"));
    EXPECT_EQ(History(), "1|0\n");

    ProcessResult repair = Run("--yes", "repair");
    EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
    EXPECT_THAT(repair.out, HasSubstr("Repaired 1 entry."));
    EXPECT_EQ(History(), "");
    WriteMigration("V1__victim.sql", "CREATE TABLE IF NOT EXISTS victim (id INTEGER);\n");
  } else {
    EXPECT_FALSE(db().HasTable("victim"));
    EXPECT_EQ(History(), "");
    WriteMigration("V1__victim.sql", "CREATE TABLE victim (id INTEGER);\n");
  }
  ProcessResult result = UpWithin(std::chrono::seconds(15));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(History(), "1|1\n");
  EXPECT_TRUE(db().HasTable("victim"));
}

TEST_P(CrashTest, KilledNoTransactionScriptStaysFailedUntilRepair) {
  WriteMigration("V1__base.sql", "CREATE TABLE base (id INTEGER);\n");
  const std::string header =
      "-- dbshift:no-transaction\nCREATE TABLE IF NOT EXISTS nt (id INTEGER);\n";
  WriteMigration("V2__nt.sql", header + LongStatement());

  // The row is written, as failed, before the script starts.
  StartAndKillUp([&] { return HistoryNow() == "1|1\n2|0\n"; });
  if (HasFatalFailure()) return;

  EXPECT_TRUE(WaitUntil([&] { return LockHeld() == false; }, std::chrono::seconds(10)));
  EXPECT_EQ(History(), "1|1\n2|0\n");
  EXPECT_EQ(db().Query("SELECT error FROM dbshift_history WHERE version = '2'"),
            "started, not finished\n");
  // Outside a transaction the script's first statement stayed.
  EXPECT_TRUE(db().HasTable("nt"));

  ProcessResult status = Run("--format", "json", "status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  nlohmann::json migrations = ParseJson(status.out)["migrations"];
  ASSERT_EQ(migrations.size(), 2u) << status.out;
  EXPECT_EQ(migrations[0]["state"], "applied");
  EXPECT_EQ(migrations[1]["state"], "failed");

  for (int attempt = 0; attempt < 2; ++attempt) {
    ProcessResult up = Run("up");
    EXPECT_EQ(up.exit_code, 3) << up.out << up.err;
    EXPECT_THAT(up.err, HasSubstr("version 2 (V2__nt.sql) failed"));
    EXPECT_THAT(up.err, HasSubstr("started, not finished"));
    EXPECT_THAT(up.err, HasSubstr("dbshift repair"));
  }
  ProcessResult validate = Run("validate");
  EXPECT_EQ(validate.exit_code, 3) << validate.out << validate.err;
  EXPECT_EQ(History(), "1|1\n2|0\n");

  ProcessResult repair = Run("--yes", "repair");
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_THAT(repair.out, HasSubstr("Repaired 1 entry."));
  EXPECT_EQ(History(), "1|1\n");

  // Fixed by hand: the script now finishes.
  WriteMigration("V2__nt.sql", header + "INSERT INTO nt (id) VALUES (2);\n");
  ProcessResult result = UpWithin(std::chrono::seconds(15));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("Applied 1 migration. Database is at version 2."));
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM nt"), "1\n");
  EXPECT_EQ(Run("validate").exit_code, 0);
}

// A runner killed while it only waits for the lock does not disturb the
// holder, and the holder's run completes.
TEST_P(CrashTest, KilledWaiterDoesNotDisturbTheHolder) {
  std::string slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE "
      "x < 1500000) SELECT count(*) FROM c;\n";
  if (postgres()) slow = "SELECT pg_sleep(1.5);\n";
  if (mysql()) slow = "SELECT SLEEP(1.5);\n";
  WriteMigration("V1__slowish.sql", "CREATE TABLE slowish (id INTEGER);\n" + slow);
  BackgroundProcess holder(DbshiftBinary(), Spec({"up"}));
  ASSERT_TRUE(WaitUntil([&] { return LockHeld() == true; }, std::chrono::seconds(10)));
  BackgroundProcess waiter(DbshiftBinary(), Spec({"--lock-timeout", "30s", "up"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  waiter.Kill(SIGKILL);
  std::optional<ProcessResult> killed = waiter.Wait(std::chrono::seconds(5));
  ASSERT_TRUE(killed.has_value());

  std::optional<ProcessResult> done = holder.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->exit_code, 0) << done->err;
  EXPECT_EQ(History(), "1|1\n");
  EXPECT_EQ(LockHeld(), false);
}

INSTANTIATE_TEST_SUITE_P(Crash, CrashTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
