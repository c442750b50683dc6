#pragma once

// Private to history/: one factory per kind of foreign table.

#include <memory>
#include <string>

#include "dbshift/history/foreign_table.h"

namespace dbshift::internal {

std::unique_ptr<ForeignTable> MakeFlywayTable(std::string table, const SourceFacts& facts);
std::unique_ptr<ForeignTable> MakeGolangMigrateTable(std::string table, const SourceFacts& facts);
/// dbmate and popx: one row per applied version, nothing else.
std::unique_ptr<ForeignTable> MakeVersionListTable(HistoryFormat format, std::string table,
                                                   const SourceFacts& facts);

/// "t", "true", "1" (PostgreSQL and SQLite spell booleans differently).
bool IsTrue(const std::optional<std::string>& cell);
/// A boolean parameter as the engine stores it: true/false, or 1/0 on SQLite.
std::string BooleanParam(const Driver& driver, bool value);

/// Ranks for tables that keep none: each row read or appended gets the next
/// one, and a rank names its version again for Delete.
class MadeUpRanks {
 public:
  void Clear() { versions_.clear(); }
  int64_t Next(const std::string& version) {
    versions_.push_back(version);
    return static_cast<int64_t>(versions_.size());
  }
  /// The version of `rank`; nullptr when this run never handed it out.
  const std::string* VersionOf(int64_t rank) const {
    if (rank < 1 || static_cast<std::size_t>(rank) > versions_.size()) return nullptr;
    return &versions_[static_cast<std::size_t>(rank - 1)];
  }

 private:
  std::vector<std::string> versions_;
};

}  // namespace dbshift::internal
