#include "dbshift/history/foreign_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/history/table_kinds.h"
#include "dbshift/source/checksum.h"

namespace dbshift {

SourceFacts SourceFacts::Of(const MigrationSet& source) {
  SourceFacts facts;
  for (const Migration& migration : source.versioned) {
    facts.versions.push_back(*migration.version);
    facts.flyway_checksums[{MigrationKind::kVersioned, migration.version->text()}] =
        FlywayChecksum(migration.sql);
  }
  for (const Migration& migration : source.undo) {
    facts.flyway_checksums[{MigrationKind::kUndo, migration.version->text()}] =
        FlywayChecksum(migration.sql);
  }
  for (const Migration& migration : source.repeatable) {
    facts.flyway_checksums[{MigrationKind::kRepeatable, migration.description}] =
        FlywayChecksum(migration.sql);
  }
  std::sort(facts.versions.begin(), facts.versions.end());
  return facts;
}

std::optional<int32_t> SourceFacts::FlywayChecksumOf(const HistoryRow& row) const {
  std::pair<MigrationKind, std::string> key;
  switch (row.kind) {
    case HistoryKind::kVersioned:
      key = {MigrationKind::kVersioned, row.version};
      break;
    case HistoryKind::kUndo:
      key = {MigrationKind::kUndo, row.version};
      break;
    case HistoryKind::kRepeatable:
      key = {MigrationKind::kRepeatable, row.description};
      break;
    case HistoryKind::kBaseline:
      return std::nullopt;
  }
  auto found = flyway_checksums.find(key);
  if (found == flyway_checksums.end()) return std::nullopt;
  return found->second;
}

std::string SourceFacts::Spelling(const Version& version) const {
  auto found = std::lower_bound(versions.begin(), versions.end(), version);
  if (found != versions.end() && *found == version) return found->text();
  return version.text();
}

bool ForeignTable::Exists(Driver& driver) {
  QueryRows rows;
  if (driver.dialect() == Dialect::kSqlite) {
    rows = driver.Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", {table_});
  } else if (driver.dialect() == Dialect::kMysql) {
    rows = driver.Query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND "
        "table_name = $1",
        {table_});
  } else {
    rows = driver.Query("SELECT 1 WHERE pg_catalog.to_regclass($1) IS NOT NULL", {Quoted(driver)});
  }
  return !rows.empty();
}

void RequireForeignTableSupport(const Driver& driver, HistoryFormat format) {
  if (driver.dialect() != Dialect::kMysql) return;
  throw ConfigError(
      fmt::format("{}'s history table is not supported on MySQL/MariaDB yet; dbshift's own history "
                  "(leave out --history) works there",
                  HistoryFormatName(format)));
}

std::unique_ptr<ForeignTable> MakeForeignTable(HistoryFormat format, std::string table,
                                               const SourceFacts& facts) {
  switch (format) {
    case HistoryFormat::kFlyway:
      return internal::MakeFlywayTable(std::move(table), facts);
    case HistoryFormat::kGolangMigrate:
      return internal::MakeGolangMigrateTable(std::move(table), facts);
    case HistoryFormat::kDbmate:
    case HistoryFormat::kPopx:
      return internal::MakeVersionListTable(format, std::move(table), facts);
    case HistoryFormat::kNative:
      break;
  }
  return nullptr;
}

namespace internal {

bool IsTrue(const std::optional<std::string>& cell) {
  return cell && (*cell == "t" || *cell == "true" || *cell == "1");
}

std::string BooleanParam(const Driver& driver, bool value) {
  if (driver.dialect() != Dialect::kPostgres) return value ? "1" : "0";
  return value ? "true" : "false";
}

}  // namespace internal
}  // namespace dbshift
