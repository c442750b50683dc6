#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/capabilities.h"
#include "dbshift/driver/driver.h"
#include "dbshift/driver/mysql/mysql_connection.h"
#include "dbshift/sql/statement.h"

namespace dbshift {

/// Connects to a mysql:// or mariadb:// URL (registry entry). Throws ConnectError.
std::unique_ptr<Driver> OpenMysqlDriver(const Url& url, const DriverOptions& options);

namespace mysql {

/// The GET_LOCK name of a history table: "dbshift:<database>.<table>", or,
/// when that is longer than the server's 64 characters, "dbshift:" and a
/// hash of it. Lock names are server-wide, hence the database in it.
std::string LockName(std::string_view database, std::string_view table);

/// The MySQL / MariaDB driver, on libmariadb (see driver.h for the contract
/// of each method). DDL commits implicitly, so capabilities() says DDL is
/// not transactional and the executor records a failing DDL migration as
/// failed instead of rolling it back. Two connections, as on PostgreSQL:
/// the migration connection, and the lock connection that holds GET_LOCK
/// (released by the server when that connection dies).
class MysqlDriver final : public Driver {
 public:
  MysqlDriver(const Url& url, const DriverOptions& options);
  ~MysqlDriver() override;

  Dialect dialect() const override { return Dialect::kMysql; }
  /// "10.11.19-MariaDB" or "8.0.36", without the packager's suffix.
  std::string ServerVersion() override;
  Capabilities capabilities() const override;
  std::string Target() const override;

  bool TryLock() override;
  void Unlock() noexcept override;
  std::optional<LockHolder> LockStatus() override;
  void CheckLockStillHeld() override;

  /// lock_wait_timeout (metadata locks) and innodb_lock_wait_timeout (row
  /// locks), in whole seconds rounded up.
  void SetLockTimeout(std::chrono::milliseconds timeout) override;
  /// MariaDB: max_statement_time; MySQL: max_execution_time (SELECT only).
  void SetStatementTimeout(std::chrono::milliseconds timeout) override;

  void Begin() override;
  void Commit() override;
  void Rollback() noexcept override;

  void Execute(const Statement& statement) override;

  bool HistoryTableExists() override;
  void EnsureHistoryTable() override;
  std::vector<HistoryRow> ReadHistory() override;
  void AppendHistory(HistoryRow& row) override;
  void UpdateHistory(const HistoryRow& row) override;
  void DeleteHistory(int64_t installed_rank) override;

  /// $1, $2, ... are replaced by quoted literals (the server's own escaping).
  QueryRows Query(const std::string& sql, const QueryParams& params) override;

  std::string QuoteIdentifier(std::string_view name) const override;

  bool IsMariadb() const { return mariadb_; }

 private:
  // Drops the lock's connection when the server has closed it, noting a
  // lock that went with it for CheckLockStillHeld.
  void ForgetLockConnectionIfClosed();
  Connection& LockConnection();
  std::string HistoryTable() const { return QuoteIdentifier(options_.history_table); }
  /// `sql` with $n replaced by the literal of params[n-1].
  std::string Bind(const std::string& sql, const QueryParams& params);

  Url url_;
  DriverOptions options_;
  Connection conn_;
  std::unique_ptr<Connection> lock_conn_;
  bool lock_held_ = false;
  // The lock's connection died while it held the lock (noticed by whatever
  // used that connection next): CheckLockStillHeld must say so.
  bool lock_lost_ = false;
  bool mariadb_ = false;
  std::string server_info_;
  std::string lock_name_;
  // The highest rank this driver has read or written: history is read under
  // the lock before anything is appended, so the next rank is known without
  // asking (one round trip less per migration). A stale value can only be
  // too low, and then the INSERT fails on the primary key and is redone the
  // slow way.
  std::optional<int64_t> last_rank_;
};

}  // namespace mysql
}  // namespace dbshift
