// Flyway's flyway_schema_history, created with Flyway's own DDL for each
// engine so that Flyway keeps working on a table dbshift created, and the
// other way round.

#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/history/table_kinds.h"

namespace dbshift::internal {
namespace {

// What Flyway writes for the rows of a baseline.
constexpr const char* kBaselineText = "<< Flyway Baseline >>";

std::optional<HistoryKind> KindOfType(const std::string& type, bool has_version) {
  if (type == "BASELINE" || type == "SQL_BASELINE" || type == "JDBC_BASELINE") {
    return HistoryKind::kBaseline;
  }
  if (type.starts_with("UNDO_")) return HistoryKind::kUndo;
  // Flyway 9+ marks a migration whose file was removed by `repair` this way;
  // it is no longer applied, which is what an undo row says to the plan.
  if (type == "DELETE") return HistoryKind::kUndo;
  if (type == "SCHEMA") return std::nullopt;  // "Flyway created these schemas": no migration
  return has_version ? HistoryKind::kVersioned : HistoryKind::kRepeatable;
}

const char* TypeOfKind(HistoryKind kind) {
  switch (kind) {
    case HistoryKind::kBaseline:
      return "BASELINE";
    case HistoryKind::kUndo:
      return "UNDO_SQL";
    case HistoryKind::kVersioned:
    case HistoryKind::kRepeatable:
      return "SQL";
  }
  return "SQL";
}

std::optional<std::string> Text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

class FlywayTable final : public ForeignTable {
 public:
  FlywayTable(std::string table, const SourceFacts& facts)
      : ForeignTable(HistoryFormat::kFlyway, std::move(table), facts) {}

  void Ensure(Driver& driver) override {
    if (Exists(driver)) return;
    const std::string t = Quoted(driver);
    const std::string index = driver.QuoteIdentifier(table_ + "_s_idx");
    if (driver.dialect() == Dialect::kSqlite) {
      driver.Query(fmt::format(
          "CREATE TABLE {} (\"installed_rank\" INT NOT NULL PRIMARY KEY, \"version\" VARCHAR(50), "
          "\"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" "
          "VARCHAR(1000) NOT NULL, \"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL, "
          "\"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), "
          "\"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL)",
          t));
    } else {
      driver.Query(fmt::format(
          "CREATE TABLE {} (\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50), "
          "\"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" "
          "VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, \"installed_by\" VARCHAR(100) NOT NULL, "
          "\"installed_on\" TIMESTAMP NOT NULL DEFAULT now(), \"execution_time\" INTEGER NOT NULL, "
          "\"success\" BOOLEAN NOT NULL)",
          t));
      driver.Query(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\")",
                               t, driver.QuoteIdentifier(table_ + "_pk")));
    }
    driver.Query(fmt::format("CREATE INDEX {} ON {} (\"success\")", index, t));
  }

  std::vector<HistoryRow> Read(Driver& driver) override {
    std::vector<HistoryRow> rows;
    if (!Exists(driver)) return rows;
    const QueryRows cells = driver.Query(fmt::format(
        "SELECT installed_rank, version, description, type, script, checksum, installed_by, "
        "installed_on, execution_time, success FROM {} ORDER BY installed_rank",
        Quoted(driver)));
    for (const auto& cell : cells) {
      const bool has_version = cell[1].has_value() && !cell[1]->empty();
      std::optional<HistoryKind> kind = KindOfType(cell[3].value_or(""), has_version);
      if (!kind) continue;
      HistoryRow row;
      row.installed_rank = std::stoll(cell[0].value_or("0"));
      row.version = cell[1].value_or("");
      row.description = cell[2].value_or("");
      row.kind = *kind;
      row.script = cell[4].value_or("");
      if (cell[5]) row.checksum = "crc32:" + *cell[5];
      row.applied_by = cell[6].value_or("");
      row.applied_at = cell[7].value_or("");
      row.execution_ms = std::stoll(cell[8].value_or("0"));
      row.success = IsTrue(cell[9]);
      if (!row.success) row.error = "recorded as failed in " + table_;
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void Append(Driver& driver, HistoryRow& row) override {
    const QueryRows next = driver.Query(
        fmt::format("SELECT COALESCE(MAX(installed_rank), 0) + 1 FROM {}", Quoted(driver)));
    row.installed_rank = std::stoll(next.at(0).at(0).value_or("1"));
    const bool baseline = row.kind == HistoryKind::kBaseline;
    std::optional<std::string> checksum;
    if (std::optional<int32_t> crc = facts_.FlywayChecksumOf(row)) checksum = std::to_string(*crc);
    driver.Query(
        fmt::format("INSERT INTO {} (installed_rank, version, description, type, script, checksum, "
                    "installed_by, execution_time, success) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                    "$8, $9)",
                    Quoted(driver)),
        {std::to_string(row.installed_rank), Text(row.version),
         baseline ? std::string(kBaselineText) : row.description, std::string(TypeOfKind(row.kind)),
         baseline ? std::string(kBaselineText) : row.script, checksum,
         row.applied_by.empty() ? std::string("dbshift") : row.applied_by,
         std::to_string(row.execution_ms), BooleanParam(driver, row.success)});
  }

  void Update(Driver& driver, const HistoryRow& row) override {
    driver.Query(
        fmt::format("UPDATE {} SET success = $1, execution_time = $2 WHERE installed_rank = $3",
                    Quoted(driver)),
        {BooleanParam(driver, row.success), std::to_string(row.execution_ms),
         std::to_string(row.installed_rank)});
  }

  void Delete(Driver& driver, int64_t installed_rank) override {
    driver.Query(fmt::format("DELETE FROM {} WHERE installed_rank = $1", Quoted(driver)),
                 {std::to_string(installed_rank)});
  }

 private:
};

}  // namespace

std::unique_ptr<ForeignTable> MakeFlywayTable(std::string table, const SourceFacts& facts) {
  return std::make_unique<FlywayTable>(std::move(table), facts);
}

}  // namespace dbshift::internal
