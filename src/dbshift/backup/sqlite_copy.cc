#include "dbshift/backup/sqlite_copy.h"

#include <memory>

#include <fmt/format.h>
#include <sqlite3.h>

#include "dbshift/common/error.h"

namespace dbshift::backup {
namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Database Open(const std::string& path, int flags, bool source) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) {
    const std::string reason = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    const std::string message =
        fmt::format("backup: cannot open SQLite database {}: {}", path, reason);
    if (source) throw ConnectError(message);
    throw Error(ExitCode::kMigrationFailed, message);
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw Error(ExitCode::kMigrationFailed, fmt::format("backup: {}: {}", what, sqlite3_errmsg(db)));
}

void Exec(sqlite3* db, const char* sql, const std::string& what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(db, what);
}

std::uint64_t PageSize(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  std::uint64_t size = 4096;
  if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &raw, nullptr) == SQLITE_OK &&
      sqlite3_step(raw) == SQLITE_ROW) {
    size = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 0));
  }
  sqlite3_finalize(raw);
  return size;
}

// Pages per backup step: 1,024 (4 MiB at the default page size) keeps the
// source's read lock short and the progress smooth.
constexpr int kPagesPerStep = 1024;
// Restarts (a writer changed a copied page) allowed before the rest is
// copied in one step.
constexpr int kMaxRestarts = 3;

}  // namespace

void CopySqliteDatabase(const std::string& source, const std::filesystem::path& destination,
                        const CopyProgress& progress) {
  const Database from = Open(source, SQLITE_OPEN_READONLY, /*source=*/true);
  const Database to = Open(destination.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           /*source=*/false);
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (backup == nullptr) Fail(to.get(), "cannot start the SQLite online backup");
  const std::uint64_t page_size = PageSize(from.get());
  int restarts = 0;
  int previous_remaining = -1;
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    rc = sqlite3_backup_step(backup, restarts >= kMaxRestarts ? -1 : kPagesPerStep);
    const int remaining = sqlite3_backup_remaining(backup);
    const int total = sqlite3_backup_pagecount(backup);
    if (previous_remaining >= 0 && remaining > previous_remaining) ++restarts;
    previous_remaining = remaining;
    if (progress && total > 0) {
      progress(static_cast<std::uint64_t>(total - remaining) * page_size,
               static_cast<std::uint64_t>(total) * page_size);
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    throw Error(ExitCode::kMigrationFailed,
                fmt::format("backup: copying {} failed: {}", source, sqlite3_errstr(rc)));
  }
  Exec(to.get(), "PRAGMA journal_mode = DELETE", "cannot set the copy's journal mode");
}

std::vector<BackupTable> CountSqliteRows(const std::filesystem::path& database) {
  const Database db = Open(database.string(), SQLITE_OPEN_READONLY, /*source=*/false);
  std::vector<BackupTable> tables;
  {
    sqlite3_stmt* raw = nullptr;
    const std::string sql =
        fmt::format("SELECT name FROM sqlite_schema WHERE type = 'table' AND {} ORDER BY name",
                    kSqliteUserObjects);
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      Fail(db.get(), "cannot list the tables of the copy");
    }
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
    while (sqlite3_step(statement.get()) == SQLITE_ROW) {
      tables.push_back({reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0)), 0});
    }
  }
  for (BackupTable& table : tables) {
    std::string quoted = "\"";
    for (char c : table.name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += '"';
    const std::string sql = "SELECT count(*) FROM " + quoted;
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      Fail(db.get(), "cannot count the rows of " + table.name);
    }
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
    if (sqlite3_step(statement.get()) != SQLITE_ROW) {
      Fail(db.get(), "cannot count the rows of " + table.name);
    }
    table.rows = sqlite3_column_int64(statement.get(), 0);
  }
  return tables;
}

}  // namespace dbshift::backup
