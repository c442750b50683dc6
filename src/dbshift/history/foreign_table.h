#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/driver/driver.h"
#include "dbshift/history/history_format.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// What the other tools' tables need from the migration folder: golang-migrate
/// keeps only the current version (so the versions below it come from the
/// folder), and Flyway's checksum is of the file.
struct SourceFacts {
  std::vector<Version> versions;  ///< versioned migrations, ascending
  /// Flyway checksum by kind and version text ("" for repeatable: by description).
  std::map<std::pair<MigrationKind, std::string>, int32_t> flyway_checksums;

  static SourceFacts Of(const MigrationSet& source);
  /// The checksum of the file a row was written for; nullopt when unknown.
  std::optional<int32_t> FlywayChecksumOf(const HistoryRow& row) const;
  /// The file's spelling of `version` ("001" for 1); the number as given when absent.
  std::string Spelling(const Version& version) const;
};

/// The history table of another tool, exactly as that tool creates and
/// writes it, read and written as dbshift's HistoryRows. Every call runs on
/// the driver's migration connection (and its open transaction).
class ForeignTable {
 public:
  virtual ~ForeignTable() = default;

  HistoryFormat format() const { return format_; }
  const std::string& table() const { return table_; }

  bool Exists(Driver& driver);
  /// Creates the table (as the tool would) unless it exists.
  virtual void Ensure(Driver& driver) = 0;
  /// Rows in installed_rank order; ranks are made up where the tool keeps none.
  virtual std::vector<HistoryRow> Read(Driver& driver) = 0;
  virtual void Append(Driver& driver, HistoryRow& row) = 0;
  virtual void Update(Driver& driver, const HistoryRow& row) = 0;
  virtual void Delete(Driver& driver, int64_t installed_rank) = 0;

 protected:
  ForeignTable(HistoryFormat format, std::string table, const SourceFacts& facts)
      : format_(format), table_(std::move(table)), facts_(facts) {}
  std::string Quoted(const Driver& driver) const { return driver.QuoteIdentifier(table_); }

  HistoryFormat format_;
  std::string table_;
  const SourceFacts& facts_;
};

/// The table of `format` (not kNative) named `table`. `facts` must outlive it.
/// Throws ConfigError when `driver`'s engine cannot hold `format`'s table
/// (MySQL / MariaDB, for now).
void RequireForeignTableSupport(const Driver& driver, HistoryFormat format);

std::unique_ptr<ForeignTable> MakeForeignTable(HistoryFormat format, std::string table,
                                               const SourceFacts& facts);

}  // namespace dbshift
