// golang-migrate's schema_migrations: one row, the current version and
// whether the migration to it is half done ("dirty"). Every version of the
// folder up to it counts as applied, as golang-migrate sees it.

#include <string>

#include <fmt/format.h>

#include "dbshift/history/table_kinds.h"

namespace dbshift::internal {
namespace {

class GolangMigrateTable final : public ForeignTable {
 public:
  GolangMigrateTable(std::string table, const SourceFacts& facts)
      : ForeignTable(HistoryFormat::kGolangMigrate, std::move(table), facts) {}

  void Ensure(Driver& driver) override {
    if (driver.dialect() == Dialect::kSqlite) {
      driver.Query(
          fmt::format("CREATE TABLE IF NOT EXISTS {} (version uint64,dirty bool)", Quoted(driver)));
      driver.Query(fmt::format("CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON {} (version)",
                               Quoted(driver)));
    } else {
      driver.Query(
          fmt::format("CREATE TABLE IF NOT EXISTS {} (version bigint not null primary key, dirty "
                      "boolean not null)",
                      Quoted(driver)));
    }
  }

  std::vector<HistoryRow> Read(Driver& driver) override {
    std::vector<HistoryRow> rows;
    ranks_.Clear();
    if (!Exists(driver)) return rows;
    const QueryRows cells =
        driver.Query(fmt::format("SELECT version, dirty FROM {}", Quoted(driver)));
    if (cells.empty() || !cells[0][0]) return rows;
    std::optional<Version> current = Version::Parse(*cells[0][0]);
    // golang-migrate writes -1 (or nothing) for "no version".
    if (!current) return rows;
    const bool dirty = IsTrue(cells[0][1]);
    for (const Version& version : facts_.versions) {
      if (version >= *current) break;
      rows.push_back(Row(version.text(), true));
    }
    rows.push_back(Row(facts_.Spelling(*current), !dirty));
    if (dirty) rows.back().error = fmt::format("marked dirty in {}", table_);
    return rows;
  }

  void Append(Driver& driver, HistoryRow& row) override {
    row.installed_rank = ranks_.Next(row.version);
    switch (row.kind) {
      case HistoryKind::kVersioned:
      case HistoryKind::kBaseline:
        return Set(driver, row.version, !row.success);
      case HistoryKind::kUndo:
        return SetBelow(driver, row.version);
      case HistoryKind::kRepeatable:
        return;  // golang-migrate has none; nothing to record
    }
  }

  void Update(Driver& driver, const HistoryRow& row) override {
    if (row.kind == HistoryKind::kVersioned) Set(driver, row.version, !row.success);
  }

  void Delete(Driver& driver, int64_t installed_rank) override {
    // `repair` drops a failed (dirty) version: the database is back at the one below.
    if (const std::string* version = ranks_.VersionOf(installed_rank)) SetBelow(driver, *version);
  }

 private:
  HistoryRow Row(const std::string& version, bool success) {
    HistoryRow row;
    row.installed_rank = ranks_.Next(version);
    row.version = version;
    row.kind = HistoryKind::kVersioned;
    row.success = success;
    return row;
  }

  // As golang-migrate's SetVersion: the table holds one row, or none.
  void Set(Driver& driver, const std::string& version_text, bool dirty) {
    driver.Query(fmt::format("DELETE FROM {}", Quoted(driver)));
    std::optional<Version> version = Version::Parse(version_text);
    // Stored as a number: "001" is 1.
    std::string number = version ? version->parts().front() : version_text;
    number.erase(0, std::min(number.find_first_not_of('0'), number.size() - 1));
    driver.Query(fmt::format("INSERT INTO {} (version, dirty) VALUES ($1, $2)", Quoted(driver)),
                 {number, BooleanParam(driver, dirty)});
  }

  // The folder's version below `version_text`, clean; an empty table when none.
  void SetBelow(Driver& driver, const std::string& version_text) {
    std::optional<Version> version = Version::Parse(version_text);
    const Version* below = nullptr;
    for (const Version& candidate : facts_.versions) {
      if (version && candidate >= *version) break;
      below = &candidate;
    }
    if (below == nullptr) {
      driver.Query(fmt::format("DELETE FROM {}", Quoted(driver)));
      return;
    }
    Set(driver, below->text(), false);
  }

  MadeUpRanks ranks_;
};

}  // namespace

std::unique_ptr<ForeignTable> MakeGolangMigrateTable(std::string table, const SourceFacts& facts) {
  return std::make_unique<GolangMigrateTable>(std::move(table), facts);
}

}  // namespace dbshift::internal
