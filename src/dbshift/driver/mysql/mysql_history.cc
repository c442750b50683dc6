// The history table of the MySQL driver. On the migration connection: in a
// migration made only of DML the row commits with it; after DDL (which
// commits implicitly) the row is written on its own, as the executor's
// non-transactional path expects.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/driver/mysql/mysql_driver.h"

namespace dbshift::mysql {
namespace {

struct Column {
  const char* name;
  const char* definition;
};

// The table's own versioned schema: a later dbshift appends columns here and
// EnsureHistoryTable adds them to tables created by an earlier one (every
// added column is nullable or has a default, so old rows need nothing).
constexpr Column kColumns[] = {
    {"installed_rank", "INT NOT NULL PRIMARY KEY"},
    {"version", "VARCHAR(50) NULL"},
    {"description", "VARCHAR(200) NOT NULL DEFAULT ''"},
    {"kind", "VARCHAR(20) NOT NULL DEFAULT 'versioned'"},
    {"script", "VARCHAR(1000) NOT NULL DEFAULT ''"},
    {"checksum", "VARCHAR(100) NULL"},
    {"success", "BOOLEAN NOT NULL DEFAULT TRUE"},
    {"statements_done", "INT NOT NULL DEFAULT 0"},
    {"statements_total", "INT NOT NULL DEFAULT 0"},
    {"error", "MEDIUMTEXT NULL"},
    {"applied_by", "VARCHAR(100) NOT NULL DEFAULT ''"},
    {"applied_at", "DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"},
    {"execution_ms", "BIGINT NOT NULL DEFAULT 0"},
    {"run_id", "VARCHAR(64) NULL"},
    {"tool_version", "VARCHAR(32) NOT NULL DEFAULT ''"},
    {"statements_checksum", "VARCHAR(100) NULL"},
};

// "No such table": the history does not exist yet.
constexpr const char* kNoSuchTable = "42S02";
constexpr const char* kNoSuchColumn = "42S22";
constexpr std::string_view kDuplicateKey = "ERROR 1062 ";

std::optional<std::string> NullIfEmpty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

// "2026-11-21T09:30:00.123Z" <-> DATETIME(3) "2026-11-21 09:30:00.123", in UTC
// whatever the session's time_zone (a DATETIME is not converted).
std::string ToDatetime(std::string iso) {
  if (iso.size() > 10 && iso[10] == 'T') iso[10] = ' ';
  if (!iso.empty() && iso.back() == 'Z') iso.pop_back();
  return iso;
}

std::string ToIso(std::string datetime) {
  if (datetime.size() > 10 && datetime[10] == ' ') datetime[10] = 'T';
  return datetime + "Z";
}

std::string Cell(const std::vector<std::optional<std::string>>& row, std::size_t column) {
  return row[column].value_or("");
}

// HistoryRowParams, with success as 1/0 and applied_at as a DATETIME.
QueryParams RowParams(const HistoryRow& row) {
  QueryParams params = HistoryRowParams(row);
  params[kSuccessParam].emplace(1, row.success ? '1' : '0');
  params[kAppliedAtParam] = NullIfEmpty(ToDatetime(row.applied_at));
  return params;
}

}  // namespace

bool MysqlDriver::HistoryTableExists() {
  QueryParams params = {options_.history_table};
  return !Query(
              "SELECT 1 FROM information_schema.tables"
              " WHERE table_schema = DATABASE() AND table_name = $1",
              params)
              .empty();
}

void MysqlDriver::EnsureHistoryTable() {
  // Each DDL commits on its own, so only what is missing is sent.
  if (!HistoryTableExists()) {
    std::string columns;
    for (const Column& column : kColumns) {
      if (!columns.empty()) columns += ", ";
      columns += fmt::format("{} {}", column.name, column.definition);
    }
    // utf8mb4_bin: versions and script names compare byte for byte, as on
    // the other engines. IF NOT EXISTS: another runner may be first.
    conn_.Exec(
        fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                    "COLLATE=utf8mb4_bin",
                    HistoryTable(), columns));
    return;
  }
  QueryParams params = {options_.history_table};
  std::set<std::string> present;
  for (const auto& row : Query("SELECT column_name FROM information_schema.columns"
                               " WHERE table_schema = DATABASE() AND table_name = $1",
                               params)) {
    present.insert(Cell(row, 0));
  }
  std::string additions;
  for (const Column& column : kColumns) {
    if (present.contains(column.name)) continue;
    if (!additions.empty()) additions += ", ";
    additions += fmt::format("ADD COLUMN {} {}", column.name, column.definition);
  }
  if (!additions.empty()) conn_.Exec(fmt::format("ALTER TABLE {} {}", HistoryTable(), additions));
}

std::vector<HistoryRow> MysqlDriver::ReadHistory() {
  const std::string select = fmt::format(
      "SELECT installed_rank, version, description, kind, script, checksum, success,"
      " statements_done, statements_total, error, applied_by, applied_at, execution_ms,"
      " run_id, tool_version, {{}} FROM {} ORDER BY installed_rank",
      HistoryTable());
  QueryRows result;
  try {
    // One round trip: a missing table is the error, not a second query.
    result = conn_.Query(fmt::format(fmt::runtime(select), "statements_checksum"));
  } catch (const SqlError& error) {
    if (error.context().sqlstate == kNoSuchTable) {
      last_rank_ = 0;
      return {};
    }
    if (error.context().sqlstate != kNoSuchColumn) throw;
    // A table an older dbshift created and nothing upgraded yet (status does
    // not): its newer columns read as empty. An error does not end a
    // transaction here, so retrying is safe.
    result = conn_.Query(fmt::format(fmt::runtime(select), "NULL"));
  }
  std::vector<HistoryRow> rows;
  rows.reserve(result.size());
  for (const auto& r : result) {
    HistoryRow row;
    row.installed_rank = std::stoll(Cell(r, 0));
    row.version = Cell(r, 1);
    row.description = Cell(r, 2);
    const std::string kind = Cell(r, 3);
    std::optional<HistoryKind> parsed = ParseHistoryKind(kind);
    if (!parsed) {
      throw ValidationError(fmt::format("history row {} has unknown kind '{}'", row.installed_rank,
                                        url_.Scrub(kind)));
    }
    row.kind = *parsed;
    row.script = Cell(r, 4);
    row.checksum = Cell(r, 5);
    row.success = Cell(r, 6) == "1";
    row.statements_done = std::stoi(Cell(r, 7));
    row.statements_total = std::stoi(Cell(r, 8));
    row.error = Cell(r, 9);
    row.applied_by = Cell(r, 10);
    row.applied_at = ToIso(Cell(r, 11));
    row.execution_ms = std::stoll(Cell(r, 12));
    row.run_id = Cell(r, 13);
    row.tool_version = Cell(r, 14);
    row.statements_checksum = Cell(r, 15);
    rows.push_back(std::move(row));
  }
  last_rank_ = rows.empty() ? 0 : rows.back().installed_rank;
  return rows;
}

void MysqlDriver::AppendHistory(HistoryRow& row) {
  // The client's clock, with milliseconds, so the row holds exactly what
  // the caller gets back without a second round trip.
  if (row.applied_at.empty()) row.applied_at = NowUtcIso8601();
  const std::string columns =
      "installed_rank, version, description, kind, script, checksum, success, statements_done,"
      " statements_total, error, applied_by, applied_at, execution_ms, run_id, tool_version,"
      " statements_checksum";
  if (last_rank_) {
    try {
      QueryParams params = RowParams(row);
      params.insert(params.begin(), std::to_string(*last_rank_ + 1));
      Query(fmt::format("INSERT INTO {} ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                        "$11, $12, $13, $14, $15, $16)",
                        HistoryTable(), columns),
            params);
      row.installed_rank = ++*last_rank_;
      return;
    } catch (const SqlError& error) {
      // Our own "ERROR <code> (...)" form: 1062 is a duplicate key, where
      // SQLSTATE 23000 would also cover a NOT NULL violation.
      if (std::string_view(error.what()).rfind(kDuplicateKey, 0) != 0) throw;
      last_rank_.reset();  // someone else appended: ask the table
    }
  }
  // The rank is max + 1 under the migration lock. INSERT ... SELECT from
  // the same table is allowed (the server reads it into a temporary first).
  Query(fmt::format(
            "INSERT INTO {0} (installed_rank, version, description, kind, script, checksum,"
            " success, statements_done, statements_total, error, applied_by, applied_at,"
            " execution_ms, run_id, tool_version, statements_checksum)"
            " SELECT COALESCE(MAX(installed_rank), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9,"
            " $10, $11, $12, $13, $14, $15 FROM {0}",
            HistoryTable()),
        RowParams(row));
  const QueryRows rank =
      conn_.Query(fmt::format("SELECT MAX(installed_rank) FROM {}", HistoryTable()));
  row.installed_rank = std::stoll(rank.at(0).at(0).value_or("0"));
  last_rank_ = row.installed_rank;
}

void MysqlDriver::UpdateHistory(const HistoryRow& row) {
  QueryParams params = RowParams(row);
  params.push_back(std::to_string(row.installed_rank));
  Query(fmt::format("UPDATE {} SET version = $1, description = $2, kind = $3, script = $4,"
                    " checksum = $5, success = $6, statements_done = $7, statements_total = $8,"
                    " error = $9, applied_by = $10, applied_at = COALESCE($11, applied_at), "
                    "execution_ms = $12,"
                    " run_id = $13, tool_version = $14, statements_checksum = $15"
                    " WHERE installed_rank = $16",
                    HistoryTable()),
        params);
}

void MysqlDriver::DeleteHistory(int64_t installed_rank) {
  Query(fmt::format("DELETE FROM {} WHERE installed_rank = $1", HistoryTable()),
        {std::to_string(installed_rank)});
}

}  // namespace dbshift::mysql
