#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/driver/sqlite/handles.h"
#include "dbshift/driver/sqlite/sqlite_lock.h"

namespace dbshift {

/// Opens `url` (sqlite:PATH or sqlite::memory:), creating the file when it
/// does not exist. Throws ConnectError naming the path when it cannot be
/// opened or is not a database.
std::unique_ptr<Driver> OpenSqliteDriver(const Url& url, const DriverOptions& options);

namespace sqlite {

/// The SQLite driver: one connection with SQLite's default durability
/// (no PRAGMA changes), a busy timeout of 5 s until SetLockTimeout, and the
/// migration lock in an flock'd file beside the database (FileLock).
/// Not thread-safe (see Driver).
class SqliteDriver final : public Driver {
 public:
  /// Connects; see OpenSqliteDriver.
  SqliteDriver(const Url& url, const DriverOptions& options);
  ~SqliteDriver() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  /// sqlite3_libversion(), e.g. "3.40.1".
  std::string ServerVersion() override;
  Capabilities capabilities() const override;
  std::string Target() const override { return target_; }

  bool TryLock() override { return lock_.TryLock(); }
  void Unlock() noexcept override { lock_.Unlock(); }
  std::optional<LockHolder> LockStatus() override { return lock_.Status(); }

  /// sqlite3_busy_timeout: how long a statement waits for another
  /// connection's write lock before SQLITE_BUSY. 0 waits without limit.
  void SetLockTimeout(std::chrono::milliseconds timeout) override;
  /// Execute() is interrupted (SqlError, SQLITE_INTERRUPT) once a statement
  /// runs longer than `timeout`. 0 removes the limit.
  void SetStatementTimeout(std::chrono::milliseconds timeout) override;

  /// BEGIN IMMEDIATE: takes the write lock up front, so a migration never
  /// dies of SQLITE_BUSY halfway when upgrading a read lock.
  void Begin() override;
  void Commit() override;
  /// No-op when no transaction is open.
  void Rollback() noexcept override;

  /// Runs every statement in statement.text (normally one), discarding rows.
  void Execute(const Statement& statement) override;

  bool HistoryTableExists() override;
  void EnsureHistoryTable() override;
  std::vector<HistoryRow> ReadHistory() override;
  void AppendHistory(HistoryRow& row) override;
  void UpdateHistory(const HistoryRow& row) override;
  void DeleteHistory(int64_t installed_rank) override;

  QueryRows Query(const std::string& sql, const QueryParams& params) override;

  /// "name" with embedded quotes doubled.
  std::string QuoteIdentifier(std::string_view name) const override;

 private:
  // Runs a statement that takes no parameters and returns no rows.
  void ExecuteSimple(const char* sql);
  // Prepares `sql` into `slot` unless already there: the history statements
  // are prepared once per connection (SQLITE_PREPARE_PERSISTENT).
  sqlite3_stmt* Cached(StatementHandle& slot, const std::string& sql);
  // Names of the history table's columns as they exist now.
  std::vector<std::string> HistoryColumns();
  // How many rows ReadHistory reserves: the highest rank, capped.
  std::size_t HighestRankForReserve();
  // sqlite_progress_handler callback: non-zero interrupts the statement.
  static int OnProgress(void* self) noexcept;

  // Declared first so it is destroyed last, after every statement.
  DatabaseHandle db_;
  std::string target_;
  std::string history_table_;  // quoted
  std::string history_name_;   // unquoted, as in sqlite_master
  FileLock lock_;
  std::chrono::milliseconds statement_timeout_{0};
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;

  StatementHandle exists_statement_;
  StatementHandle insert_statement_;
  StatementHandle read_statement_;
  StatementHandle highest_rank_statement_;
  StatementHandle update_statement_;
  StatementHandle delete_statement_;
};

}  // namespace sqlite
}  // namespace dbshift
