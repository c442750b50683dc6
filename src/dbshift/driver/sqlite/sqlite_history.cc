// The history table of the SQLite driver (DESIGN.md "History").

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <sqlite3.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/driver/sqlite/sqlite_driver.h"
#include "dbshift/driver/sqlite/sqlite_error.h"

namespace dbshift::sqlite {
namespace {

struct Column {
  const char* name;
  const char* definition;  // in CREATE TABLE
  // The value rows that predate the column get: the DEFAULT of ALTER TABLE
  // ADD COLUMN (which needs one for NOT NULL) and what ReadHistory selects
  // while an older table still lacks the column. nullptr: cannot be added.
  const char* fill;
};

// The table's schema, in order. A later version adds columns at the end; a
// table created by an earlier one gains them in EnsureHistoryTable.
constexpr Column kColumns[] = {
    {"installed_rank", "INTEGER PRIMARY KEY", nullptr},
    {"version", "TEXT", "NULL"},
    {"description", "TEXT NOT NULL", "''"},
    {"kind", "TEXT NOT NULL", "'versioned'"},
    {"script", "TEXT NOT NULL", "''"},
    {"checksum", "TEXT", "NULL"},
    {"success", "INTEGER NOT NULL", "1"},
    {"statements_done", "INTEGER NOT NULL DEFAULT 0", "0"},
    {"statements_total", "INTEGER NOT NULL DEFAULT 0", "0"},
    {"error", "TEXT", "NULL"},
    {"applied_by", "TEXT NOT NULL", "''"},
    {"applied_at", "TEXT NOT NULL", "''"},
    {"execution_ms", "INTEGER NOT NULL", "0"},
    {"run_id", "TEXT", "NULL"},
    {"tool_version", "TEXT NOT NULL", "''"},
    {"statements_checksum", "TEXT", "NULL"},
};

std::string AddedDefinition(const Column& column) {
  std::string_view definition = column.definition;
  if (std::string_view(column.fill) == "NULL" || definition.find("DEFAULT") != definition.npos) {
    return column.definition;
  }
  return fmt::format("{} DEFAULT {}", column.definition, column.fill);
}

bool Contains(const std::vector<std::string>& names, const char* name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& candidate) {
    return sqlite3_stricmp(candidate.c_str(), name) == 0;
  });
}

// The columns a row binds, in parameter order ?1..?15 (all but the rank).
constexpr const char* kValueColumns =
    "version, description, kind, script, checksum, success, statements_done, statements_total, "
    "error, applied_by, applied_at, execution_ms, run_id, tool_version, statements_checksum";

// Binds without copying: ScopedReset clears the bindings before `text` can
// go away. Empty optional columns are stored as NULL.
void BindText(sqlite3* db, sqlite3_stmt* statement, int index, const std::string& text) {
  Check(db, sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                              SQLITE_STATIC));
}

void BindTextOrNull(sqlite3* db, sqlite3_stmt* statement, int index, const std::string& text) {
  if (text.empty()) {
    Check(db, sqlite3_bind_null(statement, index));
  } else {
    BindText(db, statement, index, text);
  }
}

void BindRowValues(sqlite3* db, sqlite3_stmt* statement, const HistoryRow& row) {
  BindTextOrNull(db, statement, 1, row.version);
  BindText(db, statement, 2, row.description);
  Check(db, sqlite3_bind_text(statement, 3, HistoryKindName(row.kind), -1, SQLITE_STATIC));
  BindText(db, statement, 4, row.script);
  BindTextOrNull(db, statement, 5, row.checksum);
  Check(db, sqlite3_bind_int(statement, 6, row.success ? 1 : 0));
  Check(db, sqlite3_bind_int(statement, 7, row.statements_done));
  Check(db, sqlite3_bind_int(statement, 8, row.statements_total));
  BindTextOrNull(db, statement, 9, row.error);
  BindText(db, statement, 10, row.applied_by);
  BindText(db, statement, 11, row.applied_at);
  Check(db, sqlite3_bind_int64(statement, 12, row.execution_ms));
  BindTextOrNull(db, statement, 13, row.run_id);
  BindText(db, statement, 14, row.tool_version);
  BindTextOrNull(db, statement, 15, row.statements_checksum);
}

std::string ColumnText(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

HistoryRow ReadRow(sqlite3_stmt* statement) {
  HistoryRow row;
  row.installed_rank = sqlite3_column_int64(statement, 0);
  row.version = ColumnText(statement, 1);
  row.description = ColumnText(statement, 2);
  std::string kind = ColumnText(statement, 3);
  std::optional<HistoryKind> parsed = ParseHistoryKind(kind);
  if (!parsed) {
    throw ValidationError(
        fmt::format("history row {} has an unknown kind '{}'", row.installed_rank, kind));
  }
  row.kind = *parsed;
  row.script = ColumnText(statement, 4);
  row.checksum = ColumnText(statement, 5);
  row.success = sqlite3_column_int(statement, 6) != 0;
  row.statements_done = sqlite3_column_int(statement, 7);
  row.statements_total = sqlite3_column_int(statement, 8);
  row.error = ColumnText(statement, 9);
  row.applied_by = ColumnText(statement, 10);
  row.applied_at = ColumnText(statement, 11);
  row.execution_ms = sqlite3_column_int64(statement, 12);
  row.run_id = ColumnText(statement, 13);
  row.tool_version = ColumnText(statement, 14);
  row.statements_checksum = ColumnText(statement, 15);
  return row;
}

}  // namespace

bool SqliteDriver::HistoryTableExists() {
  // SQLite table names compare case-insensitively, as the engine resolves them.
  sqlite3_stmt* statement =
      Cached(exists_statement_,
             "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
  ScopedReset reset(statement);
  BindText(db_.get(), statement, 1, history_name_);
  int rc = sqlite3_step(statement);
  Check(db_.get(), rc);
  return rc == SQLITE_ROW;
}

std::vector<std::string> SqliteDriver::HistoryColumns() {
  // pragma_table_info takes the (unquoted) name as a bound value.
  StatementHandle statement;
  sqlite3_stmt* raw = Cached(statement, "SELECT name FROM pragma_table_info(?1)");
  ScopedReset reset(raw);
  BindText(db_.get(), raw, 1, history_name_);
  std::vector<std::string> names;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) names.push_back(ColumnText(raw, 0));
  Check(db_.get(), rc);
  return names;
}

void SqliteDriver::EnsureHistoryTable() {
  std::vector<const Column*> missing;
  bool exists = HistoryTableExists();
  if (exists) {
    std::vector<std::string> present = HistoryColumns();
    for (const Column& column : kColumns) {
      if (!Contains(present, column.name)) missing.push_back(&column);
    }
    if (missing.empty()) return;  // the common case writes nothing
  }

  // Create or upgrade atomically: in the caller's transaction when there is
  // one, else in our own.
  bool own_transaction = sqlite3_get_autocommit(db_.get()) != 0;
  if (own_transaction) Begin();
  try {
    if (!exists) {
      std::string columns;
      for (const Column& column : kColumns) {
        if (!columns.empty()) columns += ",\n  ";
        columns += fmt::format("{} {}", column.name, column.definition);
      }
      ExecuteSimple(
          fmt::format("CREATE TABLE IF NOT EXISTS {} (\n  {}\n)", history_table_, columns).c_str());
    } else {
      for (const Column* column : missing) {
        if (column->fill == nullptr) {
          throw ValidationError(
              fmt::format("history table {} has no {} column and cannot be upgraded",
                          history_table_, column->name));
        }
        ExecuteSimple(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", history_table_, column->name,
                                  AddedDefinition(*column))
                          .c_str());
      }
    }
    if (own_transaction) Commit();
  } catch (...) {
    if (own_transaction) Rollback();
    throw;
  }
  // The cached read may select placeholders for the columns just added.
  read_statement_.reset();
}

std::size_t SqliteDriver::HighestRankForReserve() {
  // The rank is the rowid, so max() reads one leaf instead of the table.
  sqlite3_stmt* raw = Cached(highest_rank_statement_,
                             fmt::format("SELECT max(installed_rank) FROM {}", history_table_));
  ScopedReset reset(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return 0;
  // Ranks written by hand can be anything: a wild one must not reserve gigabytes.
  constexpr sqlite3_int64 kMostRowsReserved = 1 << 20;
  return static_cast<std::size_t>(
      std::clamp<sqlite3_int64>(sqlite3_column_int64(raw, 0), 0, kMostRowsReserved));
}

std::vector<HistoryRow> SqliteDriver::ReadHistory() {
  std::vector<HistoryRow> rows;
  if (!HistoryTableExists()) return rows;
  if (read_statement_ == nullptr) {
    // A table from an older dbshift that was not upgraded yet (status runs
    // without EnsureHistoryTable) is read with fill values for new columns.
    std::vector<std::string> present = HistoryColumns();
    std::string select_list;
    for (const Column& column : kColumns) {
      if (!select_list.empty()) select_list += ", ";
      if (Contains(present, column.name) || column.fill == nullptr) {
        select_list += column.name;
      } else {
        select_list += fmt::format("{} AS {}", column.fill, column.name);
      }
    }
    Cached(read_statement_,
           fmt::format("SELECT {} FROM {} ORDER BY installed_rank", select_list, history_table_));
  }
  sqlite3_stmt* statement = read_statement_.get();
  ScopedReset reset(statement);
  // Growing row by row would move every row about log2(n) times; ranks
  // start at 1 and never repeat, so the highest one bounds the row count.
  rows.reserve(HighestRankForReserve());
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) rows.push_back(ReadRow(statement));
  Check(db_.get(), rc);
  return rows;
}

void SqliteDriver::AppendHistory(HistoryRow& row) {
  sqlite3_stmt* statement = Cached(
      insert_statement_,
      fmt::format("INSERT INTO {} (installed_rank, {}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                  "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                  history_table_, kValueColumns));
  if (row.applied_at.empty()) row.applied_at = NowUtcIso8601();
  ScopedReset reset(statement);
  BindRowValues(db_.get(), statement, row);
  Check(db_.get(), sqlite3_step(statement));
  // A NULL INTEGER PRIMARY KEY becomes max(rowid) + 1: exactly the rank rule.
  row.installed_rank = sqlite3_last_insert_rowid(db_.get());
}

void SqliteDriver::UpdateHistory(const HistoryRow& row) {
  sqlite3_stmt* statement = Cached(
      update_statement_,
      fmt::format(
          "UPDATE {} SET version = ?1, description = ?2, kind = ?3, script = ?4, "
          "checksum = ?5, success = ?6, statements_done = ?7, statements_total = ?8, "
          "error = ?9, applied_by = ?10, applied_at = ?11, execution_ms = ?12, "
          "run_id = ?13, tool_version = ?14, statements_checksum = ?15 WHERE installed_rank = ?16",
          history_table_));
  ScopedReset reset(statement);
  BindRowValues(db_.get(), statement, row);
  Check(db_.get(), sqlite3_bind_int64(statement, 16, row.installed_rank));
  Check(db_.get(), sqlite3_step(statement));
}

void SqliteDriver::DeleteHistory(int64_t installed_rank) {
  sqlite3_stmt* statement = Cached(
      delete_statement_, fmt::format("DELETE FROM {} WHERE installed_rank = ?1", history_table_));
  ScopedReset reset(statement);
  Check(db_.get(), sqlite3_bind_int64(statement, 1, installed_rank));
  Check(db_.get(), sqlite3_step(statement));
}

}  // namespace dbshift::sqlite
