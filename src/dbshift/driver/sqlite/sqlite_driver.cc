#include "dbshift/driver/sqlite/sqlite_driver.h"

#include <climits>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <sqlite3.h>

#include "dbshift/common/error.h"
#include "dbshift/driver/sqlite/sqlite_error.h"

namespace dbshift {

std::unique_ptr<Driver> OpenSqliteDriver(const Url& url, const DriverOptions& options) {
  return std::make_unique<sqlite::SqliteDriver>(url, options);
}

namespace sqlite {
namespace {

constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};
// VM instructions between deadline checks: frequent enough to stop within
// milliseconds, rare enough that reading the clock costs nothing measurable.
constexpr int kProgressInterval = 1000;

bool IsInMemory(const std::string& path) { return path.empty() || path == ":memory:"; }

int ClampMilliseconds(std::chrono::milliseconds value) {
  if (value.count() <= 0) return 0;
  return value.count() > INT_MAX ? INT_MAX : static_cast<int>(value.count());
}

// SQLite counts every allocation under one global mutex so that
// sqlite3_memory_used() and heap limits work; dbshift uses neither, and the
// count cost a tenth of the instructions of reading a large schema. It can
// only be turned off before SQLite initialises, that is before the first
// database of the process opens; later calls fail harmlessly.
void TurnOffMemoryStatistics() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

SqliteDriver::SqliteDriver(const Url& url, const DriverOptions& options)
    : target_(url.Redacted()),
      history_table_(QuoteIdentifier(options.history_table)),
      history_name_(options.history_table),
      lock_(IsInMemory(url.database()) ? std::string() : LockFilePath(url.database())) {
  TurnOffMemoryStatistics();
  const std::string& path = url.database();
  sqlite3* raw = nullptr;
  // NOMUTEX: a driver is used by one thread at a time (Driver contract), so
  // the per-call connection mutex would only cost time (~15% of a history read).
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    std::string reason = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw ConnectError(fmt::format("cannot open SQLite database {}: {}", path, reason));
  }
  sqlite3_extended_result_codes(db_.get(), 1);
  // Opening is lazy: read the schema now so a file that is not a database
  // (or is unreadable) fails here as a connection problem, not later as SQL.
  // Without waiting: a database that another runner is writing answers BUSY,
  // which proves it is a database; `lock status` and a runner about to wait
  // for the migration lock must not stall or fail on it.
  rc = sqlite3_exec(db_.get(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  sqlite3_busy_timeout(db_.get(), static_cast<int>(kDefaultBusyTimeout.count()));
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
    throw ConnectError(
        fmt::format("cannot open SQLite database {}: {}", path, sqlite3_errmsg(db_.get())));
  }
}

// Statements are finalized before db_ closes (reverse declaration order);
// closing rolls back an open transaction, and lock_ releases the flock.
SqliteDriver::~SqliteDriver() = default;

std::string SqliteDriver::ServerVersion() { return sqlite3_libversion(); }

Capabilities SqliteDriver::capabilities() const {
  Capabilities capabilities;
  capabilities.transactional_ddl = true;
  capabilities.lock_timeout = true;
  capabilities.statement_timeout = true;
  return capabilities;
}

void SqliteDriver::SetLockTimeout(std::chrono::milliseconds timeout) {
  // sqlite3_busy_timeout(0) would fail at once; 0 means "no limit" here.
  int ms = timeout.count() <= 0 ? INT_MAX : ClampMilliseconds(timeout);
  Check(db_.get(), sqlite3_busy_timeout(db_.get(), ms));
}

void SqliteDriver::SetStatementTimeout(std::chrono::milliseconds timeout) {
  statement_timeout_ = timeout.count() > 0 ? timeout : std::chrono::milliseconds(0);
  if (statement_timeout_.count() > 0) {
    sqlite3_progress_handler(db_.get(), kProgressInterval, &SqliteDriver::OnProgress, this);
  } else {
    sqlite3_progress_handler(db_.get(), 0, nullptr, nullptr);
  }
}

int SqliteDriver::OnProgress(void* self) noexcept {
  auto* driver = static_cast<SqliteDriver*>(self);
  if (std::chrono::steady_clock::now() < driver->deadline_) return 0;
  driver->timed_out_ = true;
  return 1;
}

void SqliteDriver::Begin() { ExecuteSimple("BEGIN IMMEDIATE"); }

void SqliteDriver::Commit() { ExecuteSimple("COMMIT"); }

void SqliteDriver::Rollback() noexcept {
  // SQLite may already have rolled back on its own (after an interrupt or
  // some I/O errors); ROLLBACK without a transaction would be an error.
  if (sqlite3_get_autocommit(db_.get()) != 0) return;
  // A failure leaves the transaction open; the next Begin reports it.
  sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteDriver::ExecuteSimple(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) ThrowSqlError(db_.get(), rc);
}

void SqliteDriver::Execute(const Statement& statement) {
  const std::string& text = statement.text;
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    throw SqlError("statement is larger than 2 GiB", "SQLITE_TOOBIG");
  }
  // The deadline covers this call only; history statements are not limited.
  struct DeadlineScope {
    explicit DeadlineScope(SqliteDriver& d) : driver(d) {
      driver.timed_out_ = false;
      if (driver.statement_timeout_.count() > 0) {
        driver.deadline_ = std::chrono::steady_clock::now() + driver.statement_timeout_;
      }
    }
    ~DeadlineScope() { driver.deadline_ = std::chrono::steady_clock::time_point::max(); }
    SqliteDriver& driver;
  } deadline(*this);

  auto fail = [&](int rc, std::size_t offset) {
    if (timed_out_ && (rc & 0xFF) == SQLITE_INTERRUPT) {
      throw SqlError(fmt::format("statement timeout of {} ms exceeded; the statement was "
                                 "interrupted",
                                 statement_timeout_.count()),
                     ResultCodeName(rc));
    }
    ThrowSqlError(db_.get(), rc, text, offset);
  };

  const char* begin = text.data();
  const char* end = begin + text.size();
  const char* next = begin;
  // The splitter hands over one statement, but a text holding several (or a
  // trailing comment) runs completely, as the sqlite3 shell would.
  while (next < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), next, static_cast<int>(end - next), 0, &raw, &tail);
    StatementHandle prepared(raw);
    auto offset = static_cast<std::size_t>(next - begin);
    if (rc != SQLITE_OK) fail(rc, offset);
    if (tail == nullptr || tail <= next) tail = end;
    next = tail;
    if (prepared == nullptr) continue;  // only whitespace or comments
    do {
      rc = sqlite3_step(prepared.get());
    } while (rc == SQLITE_ROW);
    if (rc != SQLITE_DONE) fail(rc, offset);
  }
}

std::string SqliteDriver::QuoteIdentifier(std::string_view name) const {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

QueryRows SqliteDriver::Query(const std::string& sql, const QueryParams& params) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StatementHandle statement(raw);
  if (rc != SQLITE_OK) ThrowSqlError(db_.get(), rc);
  for (std::size_t i = 0; i < params.size(); ++i) {
    // "$1" is a named parameter to SQLite: bound by its name, so the order in
    // which the parameters appear in the text does not matter.
    const std::string name = fmt::format("${}", i + 1);
    const int index = sqlite3_bind_parameter_index(statement.get(), name.c_str());
    if (index == 0) continue;
    if (params[i]) {
      Check(db_.get(), sqlite3_bind_text(statement.get(), index, params[i]->data(),
                                         static_cast<int>(params[i]->size()), SQLITE_TRANSIENT));
    } else {
      Check(db_.get(), sqlite3_bind_null(statement.get(), index));
    }
  }
  QueryRows rows;
  const int columns = sqlite3_column_count(statement.get());
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    std::vector<std::optional<std::string>> row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      const unsigned char* text = sqlite3_column_text(statement.get(), c);
      if (text == nullptr) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(reinterpret_cast<const char*>(text),
                        static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), c))));
      }
    }
    rows.push_back(std::move(row));
  }
  Check(db_.get(), rc);
  return rows;
}

sqlite3_stmt* SqliteDriver::Cached(StatementHandle& slot, const std::string& sql) {
  if (slot == nullptr) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementHandle prepared(raw);
    if (rc != SQLITE_OK) ThrowSqlError(db_.get(), rc);
    slot = std::move(prepared);
  }
  return slot.get();
}

}  // namespace sqlite
}  // namespace dbshift
