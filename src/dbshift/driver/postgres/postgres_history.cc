// The history table of the PostgreSQL driver. Every call runs on the
// migration connection, so inside an open transaction the row commits (or
// rolls back) with its migration.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/driver/postgres/libpq.h"
#include "dbshift/driver/postgres/postgres_driver.h"

namespace dbshift::postgres {
namespace {

struct Column {
  const char* name;
  const char* definition;
  // Appended when the column is added to an existing table with rows, where
  // NOT NULL needs a value for the old rows; null when none is needed.
  const char* upgrade_default;
};

// The table's own versioned schema: a later dbshift appends columns here and
// EnsureHistoryTable adds them to tables created by an earlier one.
constexpr Column kColumns[] = {
    {"installed_rank", "integer PRIMARY KEY", nullptr},
    {"version", "varchar(50)", nullptr},
    {"description", "varchar(200) NOT NULL", "''"},
    {"kind", "varchar(20) NOT NULL", "'versioned'"},
    {"script", "varchar(1000) NOT NULL", "''"},
    {"checksum", "varchar(100)", nullptr},
    {"success", "boolean NOT NULL", "true"},
    {"statements_done", "integer NOT NULL DEFAULT 0", nullptr},
    {"statements_total", "integer NOT NULL DEFAULT 0", nullptr},
    {"error", "text", nullptr},
    {"applied_by", "varchar(100) NOT NULL", "''"},
    {"applied_at", "timestamptz NOT NULL DEFAULT now()", nullptr},
    {"execution_ms", "bigint NOT NULL", "0"},
    {"run_id", "varchar(64)", nullptr},
    {"tool_version", "varchar(32) NOT NULL", "''"},
    {"statements_checksum", "varchar(100)", nullptr},
};

// applied_at as "2026-11-21T09:30:00.123Z", independent of the session's TimeZone.
constexpr const char* kAppliedAtText =
    "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

constexpr const char* kAppendStatement = "dbshift_append_history";

// The columns HistoryRowParams fills, in its order, with their types.
constexpr const char* kParamColumns[][2] = {
    {"version", "varchar"},
    {"description", "varchar"},
    {"kind", "varchar"},
    {"script", "varchar"},
    {"checksum", "varchar"},
    {"success", "boolean"},
    {"statements_done", "integer"},
    {"statements_total", "integer"},
    {"error", "text"},
    {"applied_by", "varchar"},
    {"applied_at", "timestamptz"},
    {"execution_ms", "bigint"},
    {"run_id", "varchar"},
    {"tool_version", "varchar"},
    {"statements_checksum", "varchar"},
};
constexpr std::size_t kParamCount = std::size(kParamColumns);

// Rows appended at once: parameters stay far below the protocol's 65,535.
constexpr std::size_t kRowsPerInsert = 1000;

// An INSERT of `rows` rows whose parameters are HistoryRowParams of each row
// in turn. Ranks continue from the table's highest, in row order (the
// migration lock keeps other writers out); applied_at defaults to now().
std::string InsertSql(const std::string& table, std::size_t rows, bool returning) {
  std::string names = "ordinal";
  std::string values;
  for (const auto& column : kParamColumns) names += fmt::format(", {}", column[0]);
  for (std::size_t row = 0; row < rows; ++row) {
    values += row == 0 ? "(" : ", (";
    values += std::to_string(row + 1);
    for (std::size_t i = 0; i < kParamCount; ++i) {
      values += fmt::format(", ${}::{}", row * kParamCount + i + 1, kParamColumns[i][1]);
    }
    values += ")";
  }
  std::string columns = "installed_rank";
  std::string selected = "base.top + v.ordinal";
  for (const auto& column : kParamColumns) {
    columns += fmt::format(", {}", column[0]);
    selected += std::string_view(column[0]) == "applied_at" ? ", COALESCE(v.applied_at, now())"
                                                            : fmt::format(", v.{}", column[0]);
  }
  return fmt::format(
      "INSERT INTO {0} ({1}) SELECT {2} FROM (VALUES {3}) AS v({4})"
      " CROSS JOIN (SELECT COALESCE(MAX(installed_rank), 0) AS top FROM {0}) AS base{5}",
      table, columns, selected, values, names,
      returning ? fmt::format(" RETURNING installed_rank, {}", kAppliedAtText) : "");
}

std::string Text(const PGresult* result, int row, int column) {
  if (Libpq().PQgetisnull(result, row, column)) return "";
  return std::string(Libpq().PQgetvalue(result, row, column),
                     Libpq().PQgetlength(result, row, column));
}

// ReadHistory's columns, each cast to the type its binary decoder below
// expects, whatever type an older or hand-made table declared. The result
// comes in binary: applied_at arrives as microseconds and is formatted here,
// which spares the server a to_char per row (about a millisecond of the
// first query of a connection, at 1,000 rows) and makes the text
// independent of the session's TimeZone. {0}: statements_checksum, or NULL
// for a table without it; {1}: the table.
constexpr const char* kReadHistorySql =
    "SELECT installed_rank::int8, version::text, description::text, kind::text, script::text,"
    " checksum::text, success::bool, statements_done::int8, statements_total::int8, error::text,"
    " applied_by::text, applied_at::timestamptz, execution_ms::int8, run_id::text,"
    " tool_version::text, {0}::text FROM {1} ORDER BY installed_rank";

// An int8 (or a bool, `size` 1) of a binary result: big-endian bytes. NULL
// reads as 0.
std::int64_t BinaryInteger(const PGresult* result, int row, int column, int size) {
  if (Libpq().PQgetisnull(result, row, column)) return 0;
  if (Libpq().PQgetlength(result, row, column) != size) {
    throw InternalError(fmt::format("history column {} has {} bytes in binary, not {}", column,
                                    Libpq().PQgetlength(result, row, column), size));
  }
  const auto* bytes =
      reinterpret_cast<const unsigned char*>(Libpq().PQgetvalue(result, row, column));
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | bytes[i];
  return static_cast<std::int64_t>(value);
}

// A binary timestamptz (microseconds since 2000-01-01 00:00 UTC) as
// "2026-11-21T09:30:00.123Z", truncated to milliseconds as to_char's MS is;
// "" for infinity, as to_char gives none.
std::string BinaryTimestamp(const PGresult* result, int row, int column) {
  if (Libpq().PQgetisnull(result, row, column)) return "";
  const std::int64_t micros = BinaryInteger(result, row, column, 8);
  if (micros == std::numeric_limits<std::int64_t>::max() ||
      micros == std::numeric_limits<std::int64_t>::min()) {
    return "";
  }
  constexpr std::int64_t kMillisFrom1970To2000 = 946'684'800'000;
  const std::int64_t millis =
      std::chrono::floor<std::chrono::milliseconds>(std::chrono::microseconds(micros)).count();
  return UtcIso8601(millis + kMillisFrom1970To2000);
}

}  // namespace

bool PostgresDriver::HistoryTableExists() {
  FlushQueuedHistory();
  PgResultPtr result =
      conn_.ExecParams("SELECT pg_catalog.to_regclass($1) IS NOT NULL", {HistoryTable()});
  return std::string_view(Libpq().PQgetvalue(result.get(), 0, 0)) == "t";
}

void PostgresDriver::EnsureHistoryTable() {
  FlushQueuedHistory();
  if (!HistoryTableExists()) {
    if (!options_.schema.empty()) {
      // Checked first because CREATE SCHEMA IF NOT EXISTS needs the CREATE
      // privilege on the database even when the schema exists.
      PgResultPtr schema = conn_.ExecParams(
          "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {options_.schema});
      if (Libpq().PQntuples(schema.get()) == 0) {
        conn_.Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(options_.schema));
      }
    }
    std::string columns;
    for (const Column& column : kColumns) {
      if (!columns.empty()) columns += ", ";
      columns += fmt::format("{} {}", column.name, column.definition);
    }
    // IF NOT EXISTS: another runner may create it between the check and here.
    conn_.Exec(fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", HistoryTable(), columns));
    return;
  }
  // Only ALTER when a column is missing: ALTER TABLE takes an ACCESS
  // EXCLUSIVE lock even when IF NOT EXISTS makes it a no-op.
  PgResultPtr existing = conn_.ExecParams(
      "SELECT attname FROM pg_catalog.pg_attribute"
      " WHERE attrelid = pg_catalog.to_regclass($1) AND attnum > 0 AND NOT attisdropped",
      {HistoryTable()});
  std::set<std::string> present;
  for (int i = 0; i < Libpq().PQntuples(existing.get()); ++i) {
    present.insert(Text(existing.get(), i, 0));
  }
  std::string additions;
  for (const Column& column : kColumns) {
    if (present.contains(column.name)) continue;
    if (!additions.empty()) additions += ", ";
    additions += fmt::format("ADD COLUMN IF NOT EXISTS {} {}", column.name, column.definition);
    if (column.upgrade_default != nullptr) {
      additions += fmt::format(" DEFAULT {}", column.upgrade_default);
    }
  }
  if (!additions.empty()) conn_.Exec(fmt::format("ALTER TABLE {} {}", HistoryTable(), additions));
}

std::vector<HistoryRow> PostgresDriver::ReadHistory() {
  FlushQueuedHistory();
  std::vector<HistoryRow> rows;
  if (!history_seen_ || !statements_checksum_seen_) {
    PgResultPtr shape = conn_.ExecParams(
        fmt::format("SELECT pg_catalog.to_regclass($1) IS NOT NULL, {}", kHasStatementsChecksumSql),
        {HistoryTable()});
    if (std::string_view(Libpq().PQgetvalue(shape.get(), 0, 0)) != "t") return rows;
    statements_checksum_seen_ = std::string_view(Libpq().PQgetvalue(shape.get(), 0, 1)) == "t";
  }
  // A table that an older dbshift created, and that was not upgraded yet
  // (status does not upgrade), reads NULL for the column it lacks.
  PgResultPtr result = conn_.ExecParams(
      fmt::format(kReadHistorySql, statements_checksum_seen_ ? "statements_checksum" : "NULL",
                  HistoryTable()),
      {}, Connection::ResultFormat::kBinary);
  const PGresult* r = result.get();
  const int count = Libpq().PQntuples(r);
  rows.reserve(count);
  for (int i = 0; i < count; ++i) {
    HistoryRow row;
    row.installed_rank = BinaryInteger(r, i, 0, 8);
    row.version = Text(r, i, 1);
    row.description = Text(r, i, 2);
    const std::string kind = Text(r, i, 3);
    std::optional<HistoryKind> parsed = ParseHistoryKind(kind);
    if (!parsed) {
      // Written by a newer dbshift, or by hand: refuse rather than guess.
      throw ValidationError(fmt::format("history row {} has unknown kind '{}'", row.installed_rank,
                                        url_.Scrub(kind)));
    }
    row.kind = *parsed;
    row.script = Text(r, i, 4);
    row.checksum = Text(r, i, 5);
    row.success = BinaryInteger(r, i, 6, 1) != 0;
    row.statements_done = static_cast<int>(BinaryInteger(r, i, 7, 8));
    row.statements_total = static_cast<int>(BinaryInteger(r, i, 8, 8));
    row.error = Text(r, i, 9);
    row.applied_by = Text(r, i, 10);
    row.applied_at = BinaryTimestamp(r, i, 11);
    row.execution_ms = BinaryInteger(r, i, 12, 8);
    row.run_id = Text(r, i, 13);
    row.tool_version = Text(r, i, 14);
    row.statements_checksum = Text(r, i, 15);
    rows.push_back(std::move(row));
  }
  return rows;
}

void PostgresDriver::AppendHistory(HistoryRow& row) {
  FlushQueuedHistory();
  // Prepared once per connection: it runs once per migration, and parsing
  // it each time would be measurable next to psql running the same INSERT.
  PgResultPtr result = conn_.ExecPrepared(kAppendStatement, AppendSql(), HistoryRowParams(row));
  row.installed_rank = std::stoll(Text(result.get(), 0, 0));
  if (row.applied_at.empty()) row.applied_at = Text(result.get(), 0, 1);
}

void PostgresDriver::AppendHistoryAtCommit(HistoryRow row) {
  if (conn_.TransactionStatus() != PQTRANS_INTRANS) {
    AppendHistory(row);
    return;
  }
  queued_history_.push_back(std::move(row));
}

std::vector<PipelineCommand> PostgresDriver::TakeQueuedHistory() {
  std::vector<PipelineCommand> commands;
  for (std::size_t first = 0; first < queued_history_.size(); first += kRowsPerInsert) {
    const std::size_t count = std::min(kRowsPerInsert, queued_history_.size() - first);
    PipelineCommand command;
    // One row, the case of every migration in its own transaction, reuses
    // AppendHistory's prepared statement.
    if (count == 1) {
      command.sql = AppendSql();
      command.prepared_name = kAppendStatement;
    } else {
      command.sql = InsertSql(HistoryTable(), count, false);
    }
    command.params.reserve(count * kParamCount);
    for (std::size_t i = first; i < first + count; ++i) {
      for (auto& param : HistoryRowParams(queued_history_[i])) {
        command.params.push_back(std::move(param));
      }
    }
    commands.push_back(std::move(command));
  }
  queued_history_.clear();
  return commands;
}

const std::string& PostgresDriver::AppendSql() {
  if (append_sql_.empty()) append_sql_ = InsertSql(HistoryTable(), 1, true);
  return append_sql_;
}

void PostgresDriver::FlushQueuedHistory() {
  if (queued_history_.empty()) return;
  conn_.RunPipeline(TakeQueuedHistory());
}

void PostgresDriver::UpdateHistory(const HistoryRow& row) {
  FlushQueuedHistory();
  Params params = HistoryRowParams(row);
  params.insert(params.begin(), std::to_string(row.installed_rank));
  conn_.ExecParams(
      fmt::format(
          "UPDATE {} SET version = $2::varchar, description = $3::varchar,"
          " kind = $4::varchar, script = $5::varchar, checksum = $6::varchar,"
          " success = $7::boolean, statements_done = $8::integer,"
          " statements_total = $9::integer, error = $10::text, applied_by = $11::varchar,"
          " applied_at = COALESCE($12::timestamptz, applied_at), execution_ms = $13::bigint,"
          " run_id = $14::varchar, tool_version = $15::varchar,"
          " statements_checksum = $16::varchar"
          " WHERE installed_rank = $1::bigint",
          HistoryTable()),
      params);
}

void PostgresDriver::DeleteHistory(int64_t installed_rank) {
  FlushQueuedHistory();
  conn_.ExecParams(fmt::format("DELETE FROM {} WHERE installed_rank = $1::bigint", HistoryTable()),
                   {std::to_string(installed_rank)});
}

}  // namespace dbshift::postgres
