#include "dbshift/driver/sqlite/sqlite_driver.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/driver/sqlite/sqlite_lock.h"

#include "driver/conformance.h"
#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using std::chrono::milliseconds;
using testing::ScopedTempDir;

// A fresh database file in its own temporary folder (with its lock file).
class SqliteDatabase : public testing::EngineDatabase {
 public:
  std::string url() override { return "sqlite:" + (dir_.path() / "test.db").string(); }

 private:
  ScopedTempDir dir_;
};

}  // namespace
}  // namespace dbshift

INSTANTIATE_TEST_SUITE_P(Sqlite, DriverConformance,
                         ::testing::Values(dbshift::testing::ConformanceEngine{
                             .name = "sqlite",
                             .make = [] { return std::make_unique<dbshift::SqliteDatabase>(); },
                             .bad_url = "sqlite:/nonexistent-dbshift-dir/sub/test.db",
                             .bad_url_secret = "",
                             .reports_error_position = true,
                         }),
                         dbshift::testing::ConformanceEngineName);

namespace dbshift {
namespace {

Statement Sql(std::string text) {
  Statement statement;
  statement.text = std::move(text);
  return statement;
}

// Reads one integer straight from the file, bypassing the driver under test.
int64_t QueryInt(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db.get());
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owned(statement, &sqlite3_finalize);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW) << sqlite3_errmsg(db.get());
  return sqlite3_column_int64(statement, 0);
}

void ExecRaw(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(database.c_str(), &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  char* error = nullptr;
  int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

class SqliteDriverTest : public ::testing::Test {
 protected:
  std::filesystem::path DatabasePath() const { return dir_.path() / "app.db"; }
  Url DatabaseUrl() const { return Url::Parse("sqlite:" + DatabasePath().string()); }
  std::unique_ptr<Driver> Open(const DriverOptions& options = {}) {
    return OpenDriver(DatabaseUrl(), options);
  }

  ScopedTempDir dir_;
};

TEST_F(SqliteDriverTest, IdentityAndCapabilities) {
  auto driver = Open();
  EXPECT_EQ(driver->dialect(), Dialect::kSqlite);
  EXPECT_EQ(driver->ServerVersion(), sqlite3_libversion());
  Capabilities capabilities = driver->capabilities();
  EXPECT_TRUE(capabilities.transactional_ddl);
  EXPECT_TRUE(capabilities.lock_timeout);
  EXPECT_TRUE(capabilities.statement_timeout);
  EXPECT_NE(driver->Target().find("app.db"), std::string::npos) << driver->Target();
  EXPECT_TRUE(std::filesystem::exists(DatabasePath())) << "the file is created on open";
}

TEST_F(SqliteDriverTest, QuoteIdentifierDoublesQuotes) {
  auto driver = Open();
  EXPECT_EQ(driver->QuoteIdentifier("plain"), "\"plain\"");
  EXPECT_EQ(driver->QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(driver->QuoteIdentifier(""), "\"\"");
}

TEST_F(SqliteDriverTest, FileThatIsNotADatabaseIsAConnectError) {
  dir_.Write("app.db", std::string(4096, 'x'));
  try {
    Open();
    FAIL() << "no ConnectError";
  } catch (const ConnectError& e) {
    EXPECT_NE(std::string(e.what()).find("app.db"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteDriverTest, MissingDirectoryIsAConnectErrorNamingThePath) {
  try {
    OpenDriver(Url::Parse("sqlite:" + (dir_.path() / "no" / "such" / "x.db").string()), {});
    FAIL() << "no ConnectError";
  } catch (const ConnectError& e) {
    EXPECT_NE(std::string(e.what()).find("x.db"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), ExitCode::kConnect);
  }
}

TEST_F(SqliteDriverTest, MemoryDatabaseWorks) {
  auto driver = OpenDriver(Url::Parse("sqlite::memory:"), {});
  driver->EnsureHistoryTable();
  HistoryRow row;
  row.version = "1";
  row.description = "d";
  row.script = "V1__d.sql";
  driver->AppendHistory(row);
  EXPECT_EQ(row.installed_rank, 1);
  EXPECT_EQ(driver->ReadHistory().size(), 1u);
}

TEST_F(SqliteDriverTest, MemoryDatabaseLockIsProcessWide) {
  auto first = OpenDriver(Url::Parse("sqlite::memory:"), {});
  auto second = OpenDriver(Url::Parse("sqlite::memory:"), {});
  EXPECT_EQ(second->LockStatus(), std::nullopt);
  ASSERT_TRUE(first->TryLock());
  EXPECT_TRUE(first->TryLock());
  EXPECT_FALSE(second->TryLock());
  auto status = second->LockStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(status->who.find(fmt::format("pid {}", getpid())), std::string::npos);
  first.reset();  // the destructor unlocks
  EXPECT_TRUE(second->TryLock());
  second->Unlock();
}

// ---- lock file

TEST_F(SqliteDriverTest, LockFileSitsBesideTheDatabaseAndNamesTheHolder) {
  EXPECT_EQ(sqlite::LockFilePath("/srv/app.db"), "/srv/app.db.dbshift-lock");
  // Relative paths and links resolve to the file itself, so every runner
  // reaching one database shares one lock file.
  EXPECT_EQ(sqlite::LockFilePath("rel/app.db"),
            (std::filesystem::current_path() / "rel/app.db").string() + ".dbshift-lock");

  auto driver = Open();
  const std::filesystem::path lock_file = dir_.path() / "app.db.dbshift-lock";
  EXPECT_FALSE(std::filesystem::exists(lock_file)) << "opening does not create it";
  EXPECT_EQ(driver->LockStatus(), std::nullopt) << "absent file = free";
  ASSERT_TRUE(driver->TryLock());
  ASSERT_TRUE(std::filesystem::exists(lock_file));

  std::string content = testing::ReadFile(lock_file);
  std::string first_line = content.substr(0, content.find('\n'));
  EXPECT_NE(first_line.find('@'), std::string::npos) << content;
  EXPECT_NE(first_line.find(fmt::format(" pid {}", getpid())), std::string::npos) << content;
  std::string second_line = content.substr(content.find('\n') + 1);
  EXPECT_EQ(second_line.size(), std::string("2026-11-21T09:30:00.123Z\n").size()) << content;
  EXPECT_EQ(second_line.back(), '\n');

  auto status = Open()->LockStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->who, first_line);
  EXPECT_EQ(status->since + "\n", second_line);

  driver->Unlock();
  EXPECT_TRUE(std::filesystem::exists(lock_file)) << "the file stays; only the flock goes";
  EXPECT_EQ(Open()->LockStatus(), std::nullopt);
}

TEST_F(SqliteDriverTest, StaleLockFileContentDoesNotHoldTheLock) {
  // What a crashed holder leaves behind: content, but no flock.
  dir_.Write("app.db.dbshift-lock", "ghost@nowhere pid 1\n2020-01-01T00:00:00.000Z\n");
  auto driver = Open();
  EXPECT_EQ(driver->LockStatus(), std::nullopt);
  EXPECT_TRUE(driver->TryLock());
  EXPECT_EQ(testing::ReadFile(dir_.path() / "app.db.dbshift-lock").find("ghost"),
            std::string::npos);
}

// Kills and reaps a forked child on every exit path of a test, so a failed
// assertion cannot leave it paused forever.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// SIGKILL, then waits; returns the wait status.
  int KillAndWait() {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

TEST_F(SqliteDriverTest, LockOfAKilledProcessIsReleased) {
  Open();  // create the database before forking
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child must not return into gtest: every path ends in _exit.
    close(ready[0]);
    char status = 'n';
    try {
      auto holder = Open();
      if (holder->TryLock()) status = 'y';
      if (write(ready[1], &status, 1) != 1) _exit(2);
      for (;;) pause();
    } catch (...) {
      _exit(3);
    }
  }
  ChildProcess guard(child);
  close(ready[1]);
  char status = 0;
  ASSERT_EQ(read(ready[0], &status, 1), 1);
  close(ready[0]);
  ASSERT_EQ(status, 'y') << "the child could not take the lock";

  auto driver = Open();
  auto holder = driver->LockStatus();
  ASSERT_TRUE(holder.has_value());
  EXPECT_NE(holder->who.find(fmt::format("pid {}", child)), std::string::npos) << holder->who;
  EXPECT_FALSE(driver->TryLock());

  int wait_status = guard.KillAndWait();
  EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);

  EXPECT_TRUE(driver->TryLock()) << "the OS released the dead holder's flock";
  auto now = driver->LockStatus();
  ASSERT_TRUE(now.has_value());
  EXPECT_NE(now->who.find(fmt::format("pid {}", getpid())), std::string::npos) << now->who;
}

// ---- execution

TEST_F(SqliteDriverTest, TriggerWithBeginEndRunsAsOneStatement) {
  auto driver = Open();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
  driver->Execute(Sql("CREATE TABLE audit (id INTEGER, what TEXT)"));
  driver->Execute(
      Sql("CREATE TRIGGER t_audit AFTER INSERT ON t\n"
          "BEGIN\n"
          "  INSERT INTO audit (id, what) VALUES (NEW.id, 'insert');\n"
          "  INSERT INTO audit (id, what) VALUES (NEW.id, 'again');\n"
          "END"));
  driver->Execute(Sql("INSERT INTO t (id, name) VALUES (7, 'x')"));
  EXPECT_EQ(QueryInt(DatabasePath(), "SELECT count(*) FROM audit WHERE id = 7"), 2);
}

TEST_F(SqliteDriverTest, TextWithSeveralStatementsRunsThemAll) {
  auto driver = Open();
  driver->Execute(
      Sql("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);\n"
          "INSERT INTO b VALUES (1); -- trailing comment"));
  EXPECT_EQ(QueryInt(DatabasePath(), "SELECT count(*) FROM b"), 1);
  driver->Execute(Sql("  -- only a comment\n"));
  driver->Execute(Sql(""));
}

TEST_F(SqliteDriverTest, ErrorInALaterStatementReportsItsPositionInTheWholeText) {
  auto driver = Open();
  const std::string text = "CREATE TABLE a (x INTEGER); SELECT x FORM a";
  try {
    driver->Execute(Sql(text));
    FAIL() << "no SqlError";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.context().sqlstate, "SQLITE_ERROR");
    EXPECT_EQ(e.position(), static_cast<int>(text.rfind('a')) + 1) << e.what();
  }
}

TEST_F(SqliteDriverTest, ErrorCodesAreNamed) {
  auto driver = Open();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"));
  driver->Execute(Sql("INSERT INTO t VALUES (1, 'a')"));
  try {
    driver->Execute(Sql("INSERT INTO t VALUES (1, 'b')"));
    FAIL();
  } catch (const SqlError& e) {
    EXPECT_EQ(e.context().sqlstate, "SQLITE_CONSTRAINT_PRIMARYKEY");
    EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed"), std::string::npos);
    EXPECT_EQ(e.position(), 0);
  }
  try {
    driver->Execute(Sql("INSERT INTO t VALUES (2, NULL)"));
    FAIL();
  } catch (const SqlError& e) {
    EXPECT_EQ(e.context().sqlstate, "SQLITE_CONSTRAINT_NOTNULL");
  }
}

TEST_F(SqliteDriverTest, StatementTimeoutInterruptsALongQuery) {
  auto driver = Open();
  driver->SetStatementTimeout(milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  try {
    driver->Execute(
        Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT count(*) FROM c"));
    FAIL() << "the endless query returned";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("statement timeout"), std::string::npos) << e.what();
    EXPECT_EQ(e.context().sqlstate, "SQLITE_INTERRUPT");
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(90));
  EXPECT_LT(elapsed, milliseconds(5000));

  // The limit applies per statement, and the connection stays usable.
  driver->Execute(Sql("CREATE TABLE t (id INTEGER)"));
  driver->SetStatementTimeout(milliseconds(0));
  driver->Execute(
      Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
          "WHERE x < 200000) SELECT count(*) FROM c"));
}

TEST_F(SqliteDriverTest, StatementTimeoutInsideATransactionLeavesItRollbackable) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  driver->SetStatementTimeout(milliseconds(50));
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER)"));
  EXPECT_THROW(driver->Execute(Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                   "FROM c) INSERT INTO t SELECT x FROM c")),
               SqlError);
  driver->Rollback();
  driver->Begin();
  driver->Commit();
}

TEST_F(SqliteDriverTest, LockTimeoutBoundsTheWaitForAnotherWriter) {
  auto writer = Open();
  auto waiter = Open();
  writer->Begin();  // BEGIN IMMEDIATE: holds the write lock
  waiter->SetLockTimeout(milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  try {
    waiter->Begin();
    FAIL() << "took the write lock twice";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.context().sqlstate, "SQLITE_BUSY") << e.what();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(90));
  EXPECT_LT(elapsed, milliseconds(3000));
  writer->Rollback();
  waiter->Begin();
  waiter->Commit();
}

TEST_F(SqliteDriverTest, DefaultBusyTimeoutWaitsForAShortWriter) {
  auto writer = Open();
  auto waiter = Open();
  writer->Begin();
  std::thread release([&] {
    std::this_thread::sleep_for(milliseconds(200));
    writer->Commit();
  });
  waiter->Begin();  // waits (default 5 s) instead of failing with SQLITE_BUSY
  waiter->Commit();
  release.join();
}

TEST_F(SqliteDriverTest, CommitWithoutTransactionIsAnError) {
  auto driver = Open();
  EXPECT_THROW(driver->Commit(), SqlError);
  driver->Begin();
  EXPECT_THROW(driver->Begin(), SqlError);
  driver->Rollback();
}

// ---- history

TEST_F(SqliteDriverTest, HistoryTableHasTheDocumentedColumns) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  const char* columns[] = {"installed_rank",   "version",  "description",  "kind",
                           "script",           "checksum", "success",      "statements_done",
                           "statements_total", "error",    "applied_by",   "applied_at",
                           "execution_ms",     "run_id",   "tool_version", "statements_checksum"};
  for (const char* column : columns) {
    EXPECT_EQ(QueryInt(DatabasePath(),
                       fmt::format("SELECT count(*) FROM pragma_table_info('dbshift_history') "
                                   "WHERE name = '{}'",
                                   column)),
              1)
        << column;
  }
  EXPECT_EQ(QueryInt(DatabasePath(), "SELECT count(*) FROM pragma_table_info('dbshift_history')"),
            16);
}

TEST_F(SqliteDriverTest, OptionalFieldsAreStoredAsNull) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  HistoryRow row;
  row.kind = HistoryKind::kRepeatable;
  row.description = "views";
  row.script = "R__views.sql";
  row.success = true;
  driver->AppendHistory(row);
  EXPECT_EQ(QueryInt(DatabasePath(),
                     "SELECT count(*) FROM dbshift_history WHERE version IS NULL AND "
                     "checksum IS NULL AND error IS NULL AND run_id IS NULL AND kind = "
                     "'repeatable' AND success = 1"),
            1);
}

TEST_F(SqliteDriverTest, OlderHistoryTableIsReadAndUpgraded) {
  // A table as an earlier dbshift might have made it: fewer columns.
  ExecRaw(DatabasePath(),
          "CREATE TABLE dbshift_history (installed_rank INTEGER PRIMARY KEY, version TEXT, "
          "description TEXT NOT NULL, kind TEXT NOT NULL, script TEXT NOT NULL, checksum TEXT, "
          "success INTEGER NOT NULL, applied_by TEXT NOT NULL, applied_at TEXT NOT NULL, "
          "execution_ms INTEGER NOT NULL);"
          "INSERT INTO dbshift_history VALUES (1, '1', 'init', 'versioned', 'V1__init.sql', "
          "'sha256:ab', 1, 'me@host', '2025-01-01T00:00:00.000Z', 12);");
  auto driver = Open();
  EXPECT_TRUE(driver->HistoryTableExists());

  std::vector<HistoryRow> before = driver->ReadHistory();  // without upgrading first
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].version, "1");
  EXPECT_EQ(before[0].statements_done, 0);
  EXPECT_EQ(before[0].tool_version, "");

  driver->EnsureHistoryTable();
  EXPECT_EQ(QueryInt(DatabasePath(), "SELECT count(*) FROM pragma_table_info('dbshift_history')"),
            16);
  HistoryRow row;
  row.version = "2";
  row.description = "next";
  row.script = "V2__next.sql";
  row.run_id = "r";
  row.tool_version = "0.1.0";
  row.statements_done = 3;
  driver->AppendHistory(row);
  std::vector<HistoryRow> after = driver->ReadHistory();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].applied_at, "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(after[1].installed_rank, 2);
  EXPECT_EQ(after[1].tool_version, "0.1.0");
  EXPECT_EQ(after[1].statements_done, 3);
}

TEST_F(SqliteDriverTest, HistoryTableNameIsCaseInsensitiveLikeSqlite) {
  DriverOptions upper;
  upper.history_table = "DBSHIFT_HISTORY";
  Open()->EnsureHistoryTable();
  EXPECT_TRUE(Open(upper)->HistoryTableExists());
}

TEST_F(SqliteDriverTest, UnknownKindIsAValidationError) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  ExecRaw(DatabasePath(),
          "INSERT INTO dbshift_history (description, kind, script, success, applied_by, "
          "applied_at, execution_ms, tool_version) VALUES ('x', 'sideways', 'x.sql', 1, 'me', "
          "'2025-01-01T00:00:00.000Z', 0, '9')");
  EXPECT_THROW(driver->ReadHistory(), ValidationError);
}

TEST_F(SqliteDriverTest, RanksWrittenByHandAreReadWhateverTheirSize) {
  // A read reserves rows from the highest rank: one near 2^63 (or only
  // negative ones) must still read, in rank order.
  Open()->EnsureHistoryTable();
  constexpr const char* kInsert =
      "INSERT INTO dbshift_history (installed_rank, version, description, kind, script, "
      "success, applied_by, applied_at, execution_ms, tool_version) VALUES ({}, '{}', 'x', "
      "'versioned', 'V{}__x.sql', 1, 'me', '2025-01-01T00:00:00.000Z', 0, '0.1.0')";
  ExecRaw(DatabasePath(), fmt::format(kInsert, -5, 1, 1));
  auto only_negative = Open();
  ASSERT_EQ(only_negative->ReadHistory().size(), 1u);

  ExecRaw(DatabasePath(), fmt::format(kInsert, "9000000000000000000", 2, 2));
  std::vector<HistoryRow> rows = Open()->ReadHistory();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].installed_rank, -5);
  EXPECT_EQ(rows[1].installed_rank, 9000000000000000000);
  EXPECT_EQ(rows[1].version, "2");
}

TEST_F(SqliteDriverTest, TenThousandRowsAppendAndReadQuickly) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  HistoryRow row;
  row.description = "a migration with a realistic description";
  row.script = "V1__a_migration.sql";
  row.checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  row.success = true;
  row.applied_by = "deploy@host";
  row.run_id = "0123456789abcdef0123456789abcdef";
  row.tool_version = "0.1.0";

  auto start = std::chrono::steady_clock::now();
  driver->Begin();
  for (int i = 1; i <= 10000; ++i) {
    row.version = std::to_string(i);
    row.applied_at.clear();
    driver->AppendHistory(row);
  }
  driver->Commit();
  auto appended = std::chrono::steady_clock::now();
  std::vector<HistoryRow> rows = driver->ReadHistory();
  auto read = std::chrono::steady_clock::now();

  ASSERT_EQ(rows.size(), 10000u);
  EXPECT_EQ(rows.back().installed_rank, 10000);
  EXPECT_EQ(rows.back().version, "10000");
  auto append_ms = std::chrono::duration_cast<milliseconds>(appended - start).count();
  auto read_ms = std::chrono::duration_cast<milliseconds>(read - appended).count();
  RecordProperty("append_10000_ms", static_cast<int>(append_ms));
  RecordProperty("read_10000_ms", static_cast<int>(read_ms));
  // Generous bounds (sanitizer builds are slow); the real figures are a few
  // ms and are reported as properties above.
  EXPECT_LT(append_ms, 2000);
  EXPECT_LT(read_ms, 500);
}

TEST_F(SqliteDriverTest, UnknownMysqlUrlParameterIsAConfigError) {
  try {
    OpenDriver(Url::Parse("mysql://root:hunter2@127.0.0.1:1/db?sslmod=require"), {});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown parameter 'sslmod'"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dbshift
