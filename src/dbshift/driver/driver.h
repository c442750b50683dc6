#pragma once

// Adding a driver:
//  1. Implement the Driver interface below in driver/<engine>/<engine>_driver.{h,cc},
//     turning every C error code into an exception in one helper.
//  2. Add a row to the table in driver/registry.cc.
//  3. Instantiate tests/driver/conformance.h in tests/driver/<engine>_test.cc
//     and make it pass.
//  4. Write docs/drivers/<engine>.md with the URL parameters.
//  5. Add the CMake library and link it into dbshift_driver.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/capabilities.h"
#include "dbshift/sql/statement.h"

namespace dbshift {

using QueryParams = std::vector<std::optional<std::string>>;
using QueryRows = std::vector<std::vector<std::optional<std::string>>>;

struct DriverOptions {
  /// Name of the history table (unquoted; the driver quotes it).
  std::string history_table = "dbshift_history";
  /// PostgreSQL: schema of the history table; empty means the first schema
  /// of search_path (usually "public"). Ignored elsewhere.
  std::string schema;
  std::chrono::milliseconds connect_timeout{10000};
};

/// Who holds the migration lock, as far as the engine can tell.
struct LockHolder {
  std::string who;    ///< "user@host pid 1234", as the holder announced itself
  std::string since;  ///< ISO 8601 UTC when it took the lock; empty if unknown
};

/// A connection to one target database. Not thread-safe: one thread uses a
/// driver at a time. The constructor (via OpenDriver) connects; the
/// destructor closes every connection and so releases the lock.
///
/// Every method may throw ConnectError when the connection is lost and
/// SqlError when the engine rejects a statement. Messages never contain the
/// password (drivers pass engine text through Url::Scrub).
class Driver {
 public:
  virtual ~Driver() = default;

  // ---- identity
  virtual Dialect dialect() const = 0;
  /// The server's version string ("15.18", "3.40.1").
  virtual std::string ServerVersion() = 0;
  virtual Capabilities capabilities() const = 0;
  /// The target with the password removed, for messages and logs.
  virtual std::string Target() const = 0;

  // ---- migration lock: on a connection or handle of its own, never inside
  // the migration's transaction; released by the OS or server if the process
  // dies.
  /// Tries once, never blocks. True when this driver now holds the lock
  /// (also when it already held it).
  virtual bool TryLock() = 0;
  /// Releases the lock if held. Never throws.
  virtual void Unlock() noexcept = 0;
  /// The current holder, or nullopt when the lock is free.
  virtual std::optional<LockHolder> LockStatus() = 0;
  /// Throws ConnectError when the lock this driver took is known to be gone
  /// (the server closed the connection that held it: an idle-session reaper,
  /// pg_terminate_backend, a restart). Called before each commit, so that a
  /// runner that lost the lock rolls back instead of committing next to the
  /// runner that took the lock after it. No round trip while nothing has
  /// arrived on that connection. Engines whose lock cannot vanish under a
  /// live process (a file lock) keep this default.
  virtual void CheckLockStillHeld() {}

  // ---- session settings for the migration connection; 0 means no limit.
  virtual void SetLockTimeout(std::chrono::milliseconds timeout) = 0;
  virtual void SetStatementTimeout(std::chrono::milliseconds timeout) = 0;

  // ---- transactions on the migration connection
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  /// Never throws: a failed rollback is reported by the next call.
  virtual void Rollback() noexcept = 0;

  /// Runs exactly one statement (and, for COPY FROM STDIN, sends its data).
  /// Throws SqlError with the engine's message, code and error position.
  virtual void Execute(const Statement& statement) = 0;
  /// Runs `statements` in order and stops at the first that fails: calls
  /// `finished(i)` once statements[i] has run, and throws SqlError for the
  /// one that failed (those before it were reported). An engine may send
  /// several at once, to spare round trips; by default each goes through
  /// Execute.
  virtual void ExecuteAll(std::span<const Statement> statements,
                          const std::function<void(std::size_t)>& finished) {
    for (std::size_t i = 0; i < statements.size(); ++i) {
      Execute(statements[i]);
      finished(i);
    }
  }

  // ---- history, on the current transaction when one is open
  /// True when the history table exists. Never creates anything.
  virtual bool HistoryTableExists() = 0;
  /// Creates the history table if needed (and upgrades its own columns).
  virtual void EnsureHistoryTable() = 0;
  /// All rows in installed_rank order; empty when the table does not exist.
  virtual std::vector<HistoryRow> ReadHistory() = 0;
  /// Appends `row`, assigning row.installed_rank (max + 1) and, when empty,
  /// row.applied_at.
  virtual void AppendHistory(HistoryRow& row) = 0;
  /// Appends `row` no later than the commit of the transaction that Begin()
  /// opened, so a driver may send it together with COMMIT (one round trip
  /// less per migration). installed_rank and applied_at are assigned then and
  /// not reported back. Later history calls, Query, and any statement that
  /// names the history table see the row. Outside a transaction, and by
  /// default, it is AppendHistory.
  virtual void AppendHistoryAtCommit(HistoryRow row) { AppendHistory(row); }
  /// Rewrites the row with row.installed_rank (every column but the rank).
  virtual void UpdateHistory(const HistoryRow& row) = 0;
  virtual void DeleteHistory(int64_t installed_rank) = 0;

  /// One statement with text parameters written $1, $2, ... (NULL as
  /// nullopt), on the migration connection and its open transaction. Returns
  /// the rows as text (NULL as nullopt). For the history tables of other
  /// tools; migrations run through Execute.
  virtual QueryRows Query(const std::string& sql, const QueryParams& params = {}) = 0;

  /// The engine's quoting of an identifier.
  virtual std::string QuoteIdentifier(std::string_view name) const = 0;
};

/// Connects to `url` with the driver its scheme names. Throws ConfigError for
/// an unknown scheme and ConnectError when the target cannot be reached or
/// refuses the login (message names the redacted target).
std::unique_ptr<Driver> OpenDriver(const Url& url, const DriverOptions& options);

}  // namespace dbshift
