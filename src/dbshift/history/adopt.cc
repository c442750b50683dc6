#include "dbshift/history/adopt.h"

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/source/checksum.h"

namespace dbshift {
namespace {

const Migration* FileOf(const MigrationSet& source, const HistoryRow& row) {
  std::optional<Version> version = Version::Parse(row.version);
  switch (row.kind) {
    case HistoryKind::kVersioned:
      return version ? source.FindVersioned(*version) : nullptr;
    case HistoryKind::kUndo:
      return version ? source.FindUndo(*version) : nullptr;
    case HistoryKind::kRepeatable:
      for (const Migration& migration : source.repeatable) {
        if (migration.description == row.description) return &migration;
      }
      return nullptr;
    case HistoryKind::kBaseline:
      return nullptr;
  }
  return nullptr;
}

// One foreign row as dbshift writes it. `stamp` carries the run's identity.
HistoryRow Convert(const HistoryRow& foreign, const MigrationSet& source, const HistoryRow& stamp) {
  HistoryRow row = foreign;
  row.run_id = stamp.run_id;
  row.tool_version = stamp.tool_version;
  if (row.applied_by.empty()) row.applied_by = stamp.applied_by;
  const Migration* file = FileOf(source, foreign);
  if (file != nullptr) {
    if (row.script.empty()) row.script = file->script;
    if (row.description.empty()) row.description = file->description;
    // The old tool's checksum, if any, vouches for the file: then dbshift's
    // own takes over. A mismatch stays, so that the change is reported.
    if (ChecksumMatches(foreign.checksum, file->sql, file->checksum)) row.checksum = file->checksum;
  }
  return row;
}

bool SameRows(const std::vector<HistoryRow>& a, const std::vector<HistoryRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].version != b[i].version || a[i].kind != b[i].kind || a[i].success != b[i].success ||
        a[i].description != b[i].description) {
      return false;
    }
  }
  return true;
}

}  // namespace

AdoptResult Adopt(Driver& driver, ForeignTable& from, const MigrationSet& source,
                  const HistoryRow& stamp) {
  if (!from.Exists(driver)) {
    throw ConfigError(fmt::format("the target has no table {} to adopt ({}'s history)",
                                  from.table(), HistoryFormatName(from.format())));
  }
  AdoptResult result;
  for (const HistoryRow& foreign : from.Read(driver)) {
    result.rows.push_back(Convert(foreign, source, stamp));
  }
  driver.Begin();
  try {
    driver.EnsureHistoryTable();
    std::vector<HistoryRow> existing = driver.ReadHistory();
    if (!existing.empty()) {
      if (!SameRows(existing, result.rows)) {
        throw ValidationError(fmt::format(
            "dbshift's history already has {} entr{} that differ from {}; adopt copies into an "
            "empty history only (nothing was changed)",
            existing.size(), existing.size() == 1 ? "y" : "ies", from.table()));
      }
      driver.Rollback();
      result.rows = std::move(existing);
      result.already_adopted = true;
      return result;
    }
    for (HistoryRow& row : result.rows) driver.AppendHistory(row);
    driver.Commit();
  } catch (...) {
    driver.Rollback();
    throw;
  }
  return result;
}

}  // namespace dbshift
