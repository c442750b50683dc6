// dbmate's schema_migrations and popx's schema_migration: one row per
// applied version and nothing else (no order, time, checksum or failure).

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "dbshift/history/table_kinds.h"

namespace dbshift::internal {
namespace {

class VersionListTable final : public ForeignTable {
 public:
  VersionListTable(HistoryFormat format, std::string table, const SourceFacts& facts)
      : ForeignTable(format, std::move(table), facts) {}

  void Ensure(Driver& driver) override {
    const std::string t = Quoted(driver);
    if (format_ == HistoryFormat::kDbmate) {
      driver.Query(
          fmt::format("CREATE TABLE IF NOT EXISTS {} (version varchar(128) primary key)", t));
      return;
    }
    driver.Query(fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (version VARCHAR (48) NOT NULL, version_self INT NOT NULL "
        "DEFAULT 0)",
        t));
    driver.Query(fmt::format("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (version)",
                             driver.QuoteIdentifier(table_ + "_version_idx"), t));
    driver.Query(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} (version_self)",
                             driver.QuoteIdentifier(table_ + "_version_self_idx"), t));
  }

  std::vector<HistoryRow> Read(Driver& driver) override {
    std::vector<HistoryRow> rows;
    ranks_.Clear();
    if (!Exists(driver)) return rows;
    std::vector<std::pair<Version, std::string>> versions;
    for (const auto& cell : driver.Query(fmt::format("SELECT version FROM {}", Quoted(driver)))) {
      if (!cell[0]) continue;
      std::optional<Version> version = Version::Parse(*cell[0]);
      if (version) versions.emplace_back(*version, *cell[0]);
    }
    // Applied in version order: the tools apply in that order, and keep no other.
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [version, text] : versions) {
      HistoryRow row;
      row.installed_rank = ranks_.Next(text);
      row.version = facts_.Spelling(version);
      row.kind = HistoryKind::kVersioned;
      row.success = true;
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void Append(Driver& driver, HistoryRow& row) override {
    row.installed_rank = ranks_.Next(row.version);
    switch (row.kind) {
      case HistoryKind::kVersioned:
      case HistoryKind::kBaseline:
        // A failure cannot be written down here; the version is recorded
        // once it succeeds (Update), as the tools themselves do.
        if (row.success) Insert(driver, row.version);
        return;
      case HistoryKind::kUndo:
        return Remove(driver, row.version);
      case HistoryKind::kRepeatable:
        return;
    }
  }

  void Update(Driver& driver, const HistoryRow& row) override {
    if (row.kind == HistoryKind::kVersioned && row.success) Insert(driver, row.version);
  }

  void Delete(Driver& driver, int64_t installed_rank) override {
    if (const std::string* version = ranks_.VersionOf(installed_rank)) Remove(driver, *version);
  }

 private:
  void Insert(Driver& driver, const std::string& version) {
    driver.Query(fmt::format("INSERT INTO {} (version) VALUES ($1)", Quoted(driver)), {version});
  }
  void Remove(Driver& driver, const std::string& version) {
    driver.Query(fmt::format("DELETE FROM {} WHERE version = $1", Quoted(driver)), {version});
  }

  MadeUpRanks ranks_;
};

}  // namespace

std::unique_ptr<ForeignTable> MakeVersionListTable(HistoryFormat format, std::string table,
                                                   const SourceFacts& facts) {
  return std::make_unique<VersionListTable>(format, std::move(table), facts);
}

}  // namespace dbshift::internal
