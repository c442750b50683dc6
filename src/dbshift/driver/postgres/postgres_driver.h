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
#include "dbshift/driver/postgres/connection.h"
#include "dbshift/sql/statement.h"

namespace dbshift {

/// Connects to a postgres:// URL (registry entry). Throws ConnectError.
std::unique_ptr<Driver> OpenPostgresDriver(const Url& url, const DriverOptions& options);

namespace postgres {

/// The advisory lock key of a history table: FNV-1a 64 of
/// "dbshift:<schema>.<table>", as a signed bigint. Stable across versions and
/// hosts: every runner of the same target must compute the same key.
int64_t AdvisoryLockKey(std::string_view schema, std::string_view table);

/// The PostgreSQL driver, on libpq (see driver.h for the contract of each
/// method). Two connections:
///  - the migration connection, opened by the constructor, runs statements,
///    transactions and every history call;
///  - the lock connection, opened by the first TryLock/LockStatus, holds the
///    session advisory lock, so the lock is never part of a migration's
///    transaction and CREATE INDEX CONCURRENTLY cannot wait on it.
/// The history table lives in options.schema, or else in the schema where
/// search_path found it at connect time, or else current_schema(): resolved
/// once, so a migration that changes search_path cannot move it.
class PostgresDriver final : public Driver {
 public:
  /// Connects the migration connection. Throws ConnectError.
  PostgresDriver(const Url& url, const DriverOptions& options);
  ~PostgresDriver() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  /// server_version without the packager's suffix: "15.20".
  std::string ServerVersion() override;
  Capabilities capabilities() const override;
  std::string Target() const override;

  bool TryLock() override;
  void Unlock() noexcept override;
  std::optional<LockHolder> LockStatus() override;
  void CheckLockStillHeld() override;

  void SetLockTimeout(std::chrono::milliseconds timeout) override;
  void SetStatementTimeout(std::chrono::milliseconds timeout) override;

  void Begin() override;
  /// Throws SqlError (SQLSTATE 25P02) when the transaction had failed: the
  /// server then rolls back instead of committing.
  void Commit() override;
  void Rollback() noexcept override;

  void Execute(const Statement& statement) override;
  /// Inside a transaction, runs of statements share one pipeline (see
  /// Connection::ExecPipelined); COPY, and every statement outside a
  /// transaction, go through Execute one by one.
  void ExecuteAll(std::span<const Statement> statements,
                  const std::function<void(std::size_t)>& finished) override;

  bool HistoryTableExists() override;
  void EnsureHistoryTable() override;
  std::vector<HistoryRow> ReadHistory() override;
  void AppendHistory(HistoryRow& row) override;
  /// Queued and sent with COMMIT, in the same round trip; earlier when a
  /// history call, Query or a statement naming the history table needs it.
  void AppendHistoryAtCommit(HistoryRow row) override;
  void UpdateHistory(const HistoryRow& row) override;
  void DeleteHistory(int64_t installed_rank) override;

  QueryRows Query(const std::string& sql, const QueryParams& params) override;

  std::string QuoteIdentifier(std::string_view name) const override;

  /// Notices (RAISE NOTICE, warnings) the server sent on the migration
  /// connection since the last call; the driver never prints them.
  std::vector<std::string> TakeNotices();
  /// AdvisoryLockKey(HistorySchema(), history table).
  int64_t LockKey() const { return lock_key_; }
  /// The schema of the history table; empty when none could be resolved
  /// (the name is then left unqualified).
  const std::string& HistorySchema() const { return schema_; }

 private:
  // Drops the lock's connection when the server has closed it, noting a
  // lock that went with it for CheckLockStillHeld.
  void ForgetLockConnectionIfClosed();
  Connection& LockConnection();
  // Called while a statement runs long: remembers in blockers_ the sessions
  // that block the migration connection (pid, user, state, query).
  void LookForBlockers() noexcept;
  // Calls `run` with the wait after which to look for blockers; a lock
  // timeout it throws then names the blockers seen meanwhile.
  void RunNamingBlockers(const std::function<void(std::chrono::milliseconds)>& run);
  // Sends the queued history rows first when `sql` may read the history table.
  void FlushHistoryBeforeReading(const std::string& sql);
  // Statements that may share a pipeline, in one.
  void ExecutePipelined(std::span<const Statement> statements,
                        const std::function<void(std::size_t)>& finished);
  // The history table, quoted and schema-qualified when a schema is known.
  const std::string& HistoryTable() const { return table_sql_; }
  void SetTimeout(const char* setting, std::chrono::milliseconds timeout);
  // The INSERTs of the queued rows (at most kRowsPerInsert rows each); empties the queue.
  std::vector<PipelineCommand> TakeQueuedHistory();
  // The one-row INSERT of AppendHistory, built on first use: it runs once
  // per migration and building it each time cost more than sending it.
  const std::string& AppendSql();
  void FlushQueuedHistory();

  Url url_;
  DriverOptions options_;
  Connection conn_;
  std::unique_ptr<Connection> lock_conn_;
  bool lock_held_ = false;
  // The lock's connection died while it held the lock (noticed by whatever
  // used that connection next): CheckLockStillHeld must say so.
  bool lock_lost_ = false;
  std::string schema_;
  // Seen at connect time. No dbshift command drops the history table, so
  // once seen it needs no re-check before each read (one round trip less).
  bool history_seen_ = false;
  // Whether the history table has statements_checksum, which tables made by
  // the first releases lack until EnsureHistoryTable adds it; known present,
  // it is read as a plain column. Re-checked by each read while false.
  bool statements_checksum_seen_ = false;
  // SQL: true when the history table named by $1 has statements_checksum.
  static constexpr const char* kHasStatementsChecksumSql =
      "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass($1)"
      " AND attname = 'statements_checksum' AND NOT attisdropped)";
  std::string table_sql_;
  std::string append_sql_;  // AppendSql()
  int64_t lock_key_ = 0;
  // Rows of AppendHistoryAtCommit not sent yet; they belong to the open
  // transaction and are dropped when it rolls back.
  std::vector<HistoryRow> queued_history_;
  // The lock_timeout of the migration connection (0: none or unknown).
  std::chrono::milliseconds lock_timeout_{0};
  // Who blocked the running statement when last looked; "" if none.
  std::string blockers_;
};

/// How long a statement runs before the driver looks for blockers, and how
/// often after that.
inline constexpr std::chrono::milliseconds kFirstBlockerLook{500};
inline constexpr std::chrono::milliseconds kBlockerLookInterval{1000};

}  // namespace postgres
}  // namespace dbshift
