// The limits migrations run with on PostgreSQL: lock_timeout 5s and
// statement_timeout off by default, dbshift.toml [statements] (per
// environment too), a script's directive over both, and back after it. A
// migration that hits lock_timeout is rolled back and tried again while
// another session holds a conflicting lock; the last failure names it.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/sql/statement.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TimeoutsTest : public CliTest {
 protected:
  // dbshift.toml in the work folder (where the runs start), with [env.ci]
  // pointing at the test database.
  std::string WriteConfig(const std::string& body) {
    return db()
        .dir()
        .Write("work/dbshift.toml", body + fmt::format("\n[env.ci]\nurl = \"{}\"\n", url()))
        .string();
  }

  // Another application session: holds ACCESS SHARE on `table` in an open
  // transaction, as a long report would, until Release.
  class Blocker {
   public:
    Blocker(const std::string& url, const std::string& table)
        : driver_(OpenDriver(Url::Parse(url), {})) {
      const QueryRows rows = driver_->Query("SELECT pg_backend_pid()");
      pid_ = *rows.at(0).at(0);
      driver_->Begin();
      Statement lock;
      lock.text = "LOCK TABLE " + table + " IN ACCESS SHARE MODE";
      driver_->Execute(lock);
    }
    const std::string& pid() const { return pid_; }
    void Release() { driver_->Commit(); }

   private:
    std::unique_ptr<Driver> driver_;
    std::string pid_;
  };

  // The run log's events of `type`, in order.
  std::vector<nlohmann::json> Events(const std::string& type) const {
    std::vector<nlohmann::json> found;
    for (const auto& file : FilesUnder(log_dir())) {
      for (nlohmann::json& event : ReadLines(log_dir() / file)) {
        if (event["event"] == type) found.push_back(std::move(event));
      }
    }
    return found;
  }

  // dbshift with CommonArgs() and `args`, left running in the background.
  BackgroundProcess StartUp(const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.args = CommonArgs();
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.cwd = work_dir();
    spec.env["DATABASE_URL"] = std::nullopt;
    return BackgroundProcess(DbshiftBinary(), spec);
  }

  void SetUpUsersTable() {
    WriteMigration("V1__users.sql",
                   "CREATE TABLE users (id int);\nINSERT INTO users VALUES (1);\n");
    ProcessResult first = Run("up");
    ASSERT_EQ(first.exit_code, 0) << first.err;
  }
};

TEST_P(TimeoutsTest, MigrationsRunWithADefaultLockTimeoutThatADirectiveOverrides) {
  if (engine() != "postgres") GTEST_SKIP() << "the default lock_timeout is PostgreSQL's";
  WriteMigration(
      "V1__default.sql",
      "CREATE TABLE seen AS SELECT 1 AS version, current_setting('lock_timeout') AS v;\n");
  WriteMigration("V2__directive.sql",
                 "-- dbshift:lock-timeout 0\n"
                 "INSERT INTO seen SELECT 2, current_setting('lock_timeout');\n");
  WriteMigration("V3__after.sql", "INSERT INTO seen SELECT 3, current_setting('lock_timeout');\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT version, v FROM seen ORDER BY version"), "1|5s\n2|0\n3|5s\n");
}

TEST_P(TimeoutsTest, LintReportsADirectiveThatTurnsTheLockTimeoutOff) {
  const std::string file = WriteMigration("V1__off.sql",
                                          "-- dbshift:lock-timeout 0\n"
                                          "ALTER TABLE users ADD COLUMN note text;\n")
                               .string();
  ProcessResult lint = Run("lint", file);
  EXPECT_EQ(lint.exit_code, 5);
  EXPECT_THAT(lint.out, ::testing::HasSubstr(file + ":2:1: error [require-timeout-settings]"));
  const std::string kept =
      WriteMigration("V2__on.sql", "ALTER TABLE users ADD COLUMN note text;\n").string();
  EXPECT_EQ(Run("lint", kept).exit_code, 0);
}

TEST_P(TimeoutsTest, LintAndPlanReportAConfigThatTurnsTheLockTimeoutOff) {
  if (engine() != "sqlite") GTEST_SKIP() << "reads the named file only, whatever the target";
  const std::string file =
      WriteMigration("V1__note.sql", "ALTER TABLE users ADD COLUMN note text;\n").string();
  const std::string config = WriteConfig(
      "[statements]\nlock_timeout = \"1s\"\n\n[env.ci.statements]\nlock_timeout = \"off\"\n");
  EXPECT_EQ(Run("--config", config, "lint", file).exit_code, 0);
  ProcessResult off = RunBare({.args = {"--config", config, "--env", "ci", "lint", file}});
  EXPECT_EQ(off.exit_code, 5) << off.err;
  EXPECT_THAT(off.out, HasSubstr(file + ":1:1: error [require-timeout-settings]"));
  ProcessResult plan = RunBare({.args = {"--config", config, "--env", "ci", "plan", file}});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("error [require-timeout-settings]"));
}

TEST_P(TimeoutsTest, LimitsComeFromTheConfigPerEnvironmentUnderEachScriptsDirectives) {
  if (engine() != "postgres") GTEST_SKIP() << "statement limits are PostgreSQL's";
  // A database default that dbshift's "off" must override for migrations.
  db().Query(
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET statement_timeout = 1500', "
      "current_database()); END $$");
  const std::string config = WriteConfig(
      "[statements]\nlock_timeout = \"3s\"\n\n[env.ci.statements]\nlock_timeout = \"2s\"\n"
      "statement_timeout = \"30s\"\n");
  auto seen = [](int version) {
    return fmt::format(
        "INSERT INTO seen SELECT {}, current_setting('lock_timeout'), "
        "current_setting('statement_timeout');\n",
        version);
  };
  WriteMigration("V1__table.sql",
                 "CREATE TABLE seen (version int, lock text, statement text);\n" + seen(1));
  WriteMigration("V2__directive.sql", "-- dbshift:statement-timeout 10m\n" + seen(2));
  WriteMigration("V3__after.sql", seen(3));

  // The top-level [statements]: statement_timeout off, over the database's.
  ProcessResult up = Run("--config", config, "up", "--to", "1");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT version, lock, statement FROM seen"), "1|3s|0\n");

  // --env ci: its [env.ci.statements] over the top-level ones.
  ProcessResult env =
      RunBare({.args = {"--config", config, "--env", "ci", "--dir", migrations_dir().string(),
                        "--log-dir", log_dir().string(), "up"}});
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(db().Query("SELECT version, lock, statement FROM seen WHERE version > 1 ORDER BY 1"),
            "2|2s|10min\n3|2s|30s\n");
}

TEST_P(TimeoutsTest, LockTimeoutIsRetriedWithBackoffUntilTheBlockerLetsGo) {
  if (engine() != "postgres") GTEST_SKIP() << "the retry is on PostgreSQL's lock_timeout";
  SetUpUsersTable();
  const std::string config = WriteConfig(
      "[statements]\nlock_timeout = \"600ms\"\nlock_timeout_tries = 3\n"
      "lock_timeout_backoff = \"400ms\"\n");
  WriteMigration("V2__note.sql", "ALTER TABLE users ADD COLUMN note text;\n");
  Blocker blocker(url(), "users");

  BackgroundProcess up = StartUp({"--config", config, "up"});
  // Released after the second try failed, before the third and last.
  ASSERT_TRUE(up.WaitForStderr("try 2 of 3", std::chrono::seconds(60)));
  blocker.Release();
  std::optional<ProcessResult> done = up.Wait(std::chrono::seconds(60));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->exit_code, 0) << done->err;
  EXPECT_THAT(done->err, HasSubstr("lock timeout on try 1 of 3, rolled back; trying again in"));
  EXPECT_THAT(done->err, HasSubstr("blocked by pid " + blocker.pid()));
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                       "'users' AND column_name = 'note'"),
            "1\n");

  // Every try is in the run log: two that failed, each with its retry, and
  // the one that succeeded.
  const std::vector<nlohmann::json> retries = Events("migration_retry");
  ASSERT_EQ(retries.size(), 2U);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(retries[i]["attempt"], i + 1);
    EXPECT_EQ(retries[i]["attempts"], 3);
    EXPECT_EQ(retries[i]["version"], "2");
    EXPECT_THAT(retries[i]["error"].get<std::string>(), HasSubstr("lock timeout"));
    EXPECT_GT(retries[i]["duration_ms"].get<double>(), 0.0);
  }
  int tries = 0;
  int failed = 0;
  for (const nlohmann::json& event : Events("migration_finished")) {
    if (event["version"] != "2") continue;
    ++tries;
    if (event["ok"] == false) ++failed;
  }
  EXPECT_EQ(tries, 3);
  EXPECT_EQ(failed, 2);
}

TEST_P(TimeoutsTest, LockTimeoutOnEveryTryFailsNamingTheBlockingSession) {
  if (engine() != "postgres") GTEST_SKIP() << "the retry is on PostgreSQL's lock_timeout";
  SetUpUsersTable();
  const std::string config = WriteConfig(
      "[statements]\nlock_timeout = \"1s\"\nlock_timeout_tries = 2\n"
      "lock_timeout_backoff = \"100ms\"\n");
  WriteMigration("V2__note.sql", "ALTER TABLE users ADD COLUMN note text;\n");
  Blocker blocker(url(), "users");

  ProcessResult up = Run("--config", config, "up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_THAT(up.err, HasSubstr("migration 2 failed on each of 2 tries"));
  EXPECT_THAT(up.err, HasSubstr("canceling statement due to lock timeout"));
  EXPECT_THAT(up.err, HasSubstr("blocked by pid " + blocker.pid()));
  EXPECT_THAT(up.err, HasSubstr("LOCK TABLE users IN ACCESS SHARE MODE"));
  EXPECT_EQ(History(), "1|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                       "'users' AND column_name = 'note'"),
            "0\n");
  EXPECT_EQ(Events("migration_retry").size(), 1U);

  // With --format json the error carries the blocker too.
  ProcessResult json = Run("--config", config, "--format", "json", "up");
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_THAT(doc["error"]["message"].get<std::string>(),
              HasSubstr("blocked by pid " + blocker.pid()));
  blocker.Release();
}

TEST_P(TimeoutsTest, BlockedStatementAfterOthersNamesTheBlockerAndItsLine) {
  if (engine() != "postgres") GTEST_SKIP() << "the blockers are looked up on PostgreSQL";
  SetUpUsersTable();
  const std::string config =
      WriteConfig("[statements]\nlock_timeout = \"1s\"\nlock_timeout_tries = 1\n");
  // The statements before the blocked one go in the same pipeline.
  WriteMigration("V2__note.sql",
                 "CREATE TABLE notes (id integer);\nINSERT INTO notes VALUES (1);\n"
                 "ALTER TABLE users ADD COLUMN note text;\n");
  Blocker blocker(url(), "users");

  ProcessResult up = Run("--config", config, "up");
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_THAT(up.err, HasSubstr("V2__note.sql:3"));
  EXPECT_THAT(up.err, HasSubstr("blocked by pid " + blocker.pid()));
  EXPECT_EQ(History(), "1|1\n");
  EXPECT_EQ(db().Query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'notes'"),
            "0\n");
  blocker.Release();
}

TEST_P(TimeoutsTest, SingleTransactionRunIsRetriedWhole) {
  if (engine() != "postgres") GTEST_SKIP() << "the retry is on PostgreSQL's lock_timeout";
  SetUpUsersTable();
  const std::string config = WriteConfig(
      "[statements]\nlock_timeout = \"200ms\"\nlock_timeout_tries = 3\n"
      "lock_timeout_backoff = \"500ms\"\n");
  WriteMigration("V2__orders.sql", "CREATE TABLE orders (id int);\n");
  WriteMigration("V3__note.sql", "ALTER TABLE users ADD COLUMN note text;\n");
  Blocker blocker(url(), "users");

  BackgroundProcess up = StartUp({"--config", config, "up", "--single-transaction"});
  ASSERT_TRUE(up.WaitForStderr("try 1 of 3", std::chrono::seconds(60)));
  blocker.Release();
  std::optional<ProcessResult> done = up.Wait(std::chrono::seconds(60));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->exit_code, 0) << done->err;
  EXPECT_THAT(done->err, HasSubstr("the run hit a lock timeout on try 1 of 3"));
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, TimeoutsTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
