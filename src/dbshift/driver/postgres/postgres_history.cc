// The history table of the PostgreSQL driver. Every call runs on the
// migration connection, so inside an open transaction the row commits (or
// rolls back) with its migration.

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
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

std::string Text(const PGresult* result, int row, int column) {
  if (Libpq().PQgetisnull(result, row, column)) return "";
  return std::string(Libpq().PQgetvalue(result, row, column),
                     Libpq().PQgetlength(result, row, column));
}

}  // namespace

bool PostgresDriver::HistoryTableExists() {
  PgResultPtr result =
      conn_.ExecParams("SELECT pg_catalog.to_regclass($1) IS NOT NULL", {HistoryTable()});
  return std::string_view(Libpq().PQgetvalue(result.get(), 0, 0)) == "t";
}

void PostgresDriver::EnsureHistoryTable() {
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
  for (int i = 0; i < Libpq().PQntuples(existing.get()); ++i)
    present.insert(Text(existing.get(), i, 0));
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
  std::vector<HistoryRow> rows;
  if (!history_seen_ && !HistoryTableExists()) return rows;
  // Columns added after the first release are read through to_jsonb: a
  // table that an older dbshift created, and that was not upgraded yet
  // (status does not upgrade), reads as NULL there instead of failing.
  PgResultPtr result = conn_.Exec(
      fmt::format("SELECT installed_rank, version, description, kind, script, checksum, success,"
                  " statements_done, statements_total, error, applied_by, {}, execution_ms, run_id,"
                  " tool_version, pg_catalog.to_jsonb(h) ->> 'statements_checksum'"
                  " FROM {} h ORDER BY installed_rank",
                  kAppliedAtText, HistoryTable()));
  const int count = Libpq().PQntuples(result.get());
  rows.reserve(count);
  for (int i = 0; i < count; ++i) {
    const PGresult* r = result.get();
    HistoryRow row;
    row.installed_rank = std::stoll(Text(r, i, 0));
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
    row.success = Text(r, i, 6) == "t";
    row.statements_done = std::stoi(Text(r, i, 7));
    row.statements_total = std::stoi(Text(r, i, 8));
    row.error = Text(r, i, 9);
    row.applied_by = Text(r, i, 10);
    row.applied_at = Text(r, i, 11);
    row.execution_ms = std::stoll(Text(r, i, 12));
    row.run_id = Text(r, i, 13);
    row.tool_version = Text(r, i, 14);
    row.statements_checksum = Text(r, i, 15);
    rows.push_back(std::move(row));
  }
  return rows;
}

void PostgresDriver::AppendHistory(HistoryRow& row) {
  // Prepared once per connection: it runs once per migration, and parsing
  // it each time would be measurable next to psql running the same INSERT.
  // The rank is max + 1 under the migration lock.
  const std::string sql = fmt::format(
      "INSERT INTO {0} (installed_rank, version, description, kind, script, checksum, success,"
      " statements_done, statements_total, error, applied_by, applied_at, execution_ms, run_id,"
      " tool_version, statements_checksum)"
      " SELECT COALESCE(MAX(installed_rank), 0) + 1, $1::varchar, $2::varchar, $3::varchar,"
      " $4::varchar, $5::varchar, $6::boolean, $7::integer, $8::integer, $9::text, $10::varchar,"
      " COALESCE($11::timestamptz, now()), $12::bigint, $13::varchar, $14::varchar, $15::varchar"
      " FROM {0}"
      " RETURNING installed_rank, {1}",
      HistoryTable(), kAppliedAtText);
  PgResultPtr result = conn_.ExecPrepared(kAppendStatement, sql, HistoryRowParams(row));
  row.installed_rank = std::stoll(Text(result.get(), 0, 0));
  if (row.applied_at.empty()) row.applied_at = Text(result.get(), 0, 1);
}

void PostgresDriver::UpdateHistory(const HistoryRow& row) {
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
  conn_.ExecParams(fmt::format("DELETE FROM {} WHERE installed_rank = $1::bigint", HistoryTable()),
                   {std::to_string(installed_rank)});
}

}  // namespace dbshift::postgres
