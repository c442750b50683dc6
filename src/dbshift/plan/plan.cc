#include "dbshift/plan/plan.h"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

// Enough of a checksum to tell two apart in a message without a 71-character line.
constexpr size_t kShortChecksumChars = 12;

std::string ShortChecksum(std::string_view checksum) {
  const size_t colon = checksum.find(':');
  const size_t prefix = colon == std::string_view::npos ? 0 : colon + 1;
  if (checksum.size() <= prefix + kShortChecksumChars) return std::string(checksum);
  return fmt::format("{}..", checksum.substr(0, prefix + kShortChecksumChars));
}

// `subject` names what failed ("version 3 (V3__x.sql)"); the rest comes from the row.
std::string FailureMessage(std::string_view subject, const HistoryRow& row) {
  std::string message = fmt::format("{} failed", subject);
  if (row.statements_total > 0) {
    message += fmt::format(" after {} of {} statements", row.statements_done, row.statements_total);
  }
  if (!row.error.empty()) message += fmt::format(": {}", row.error);
  // The database may hold part of the script: only a person can tell what to undo.
  return message + "; fix the database by hand, then run dbshift repair";
}

// The last versioned/undo/baseline row of one version, in installed_rank order.
struct Replayed {
  Version version;  // as written in that row
  const HistoryRow* row = nullptr;
  bool has_file = false;
};

struct Replay {
  std::map<Version, Replayed> versions;
  std::map<std::string, const HistoryRow*> repeatables;  // last row per description
  std::vector<const HistoryRow*> unparseable;            // last row per version text
  std::optional<Version> baseline;
};

Replay ReplayHistory(const std::vector<HistoryRow>& history) {
  std::vector<const HistoryRow*> rows;
  for (const HistoryRow& row : history) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const HistoryRow* a, const HistoryRow* b) {
    return a->installed_rank < b->installed_rank;
  });
  Replay replay;
  for (const HistoryRow* row : rows) {
    if (row->kind == HistoryKind::kRepeatable) {
      replay.repeatables[row->description] = row;
      continue;
    }
    std::optional<Version> version = Version::Parse(row->version);
    if (!version) {
      auto same_text =
          std::find_if(replay.unparseable.begin(), replay.unparseable.end(),
                       [&](const HistoryRow* seen) { return seen->version == row->version; });
      if (same_text == replay.unparseable.end()) {
        replay.unparseable.push_back(row);
      } else {
        *same_text = row;
      }
      continue;
    }
    if (row->kind == HistoryKind::kBaseline) replay.baseline = *version;
    // "1" then "1.0" is one version; the later row and its spelling win.
    replay.versions.insert_or_assign(*version, Replayed{*version, row});
  }
  return replay;
}

bool CountsAsCurrent(const HistoryRow& row) {
  return row.kind == HistoryKind::kBaseline || (row.kind == HistoryKind::kVersioned && row.success);
}

std::optional<Version> CurrentVersion(const Replay& replay) {
  std::optional<Version> current;
  for (const auto& [version, replayed] : replay.versions) {
    if (CountsAsCurrent(*replayed.row)) current = replayed.version;  // map order: ascending
  }
  return current;
}

// State of a version that the history does not hold as applied (no row, or undone).
void ClassifyNotApplied(const Plan& plan, PlanEntry& entry) {
  const Version& version = *entry.version;
  if (entry.migration == nullptr) {
    entry.state = MigrationState::kIgnored;
    entry.message = fmt::format("version {} was undone and its file is gone", version.text());
  } else if (plan.baseline_version && version <= *plan.baseline_version) {
    entry.state = MigrationState::kIgnored;
    entry.message = fmt::format("version {} is at or below the baseline version {}; skipped",
                                version.text(), plan.baseline_version->text());
  } else if (plan.current_version && version < *plan.current_version) {
    entry.state = MigrationState::kOutOfOrder;
    entry.message =
        plan.allow_out_of_order
            ? fmt::format("version {} is lower than the current version {}; it runs out of order",
                          version.text(), plan.current_version->text())
            : fmt::format(
                  "version {} is lower than the current version {} and not applied; apply it "
                  "with --allow-out-of-order",
                  version.text(), plan.current_version->text());
  } else {
    entry.state = MigrationState::kPending;
  }
}

void ClassifyVersioned(const Plan& plan, PlanEntry& entry) {
  if (!entry.applied) return ClassifyNotApplied(plan, entry);
  const HistoryRow& row = *entry.applied;
  const std::string& text = entry.version->text();
  switch (row.kind) {
    case HistoryKind::kBaseline:
      entry.state = MigrationState::kBaseline;
      entry.message = fmt::format("the database was baselined at version {}", text);
      return;
    case HistoryKind::kUndo:
      if (row.success) return ClassifyNotApplied(plan, entry);
      entry.state = MigrationState::kFailed;
      entry.message = FailureMessage(fmt::format("undo of version {} ({})", text, row.script), row);
      return;
    case HistoryKind::kVersioned:
    case HistoryKind::kRepeatable:  // never here: repeatable rows are replayed apart
      break;
  }
  if (!row.success) {
    entry.state = MigrationState::kFailed;
    entry.message = FailureMessage(fmt::format("version {} ({})", text, row.script), row);
  } else if (entry.migration == nullptr) {
    entry.state = MigrationState::kMissing;
    entry.message =
        fmt::format("version {} was applied ({}) but its file is gone", text, row.script);
  } else if (entry.migration->checksum != row.checksum) {
    entry.state = MigrationState::kChanged;
    entry.message =
        fmt::format("{} was changed after it was applied ({} applied, {} on disk)", entry.script,
                    ShortChecksum(row.checksum), ShortChecksum(entry.migration->checksum));
  } else {
    entry.state = MigrationState::kApplied;
  }
}

void ClassifyRepeatable(PlanEntry& entry) {
  if (!entry.applied) {
    entry.state = MigrationState::kPending;
    return;
  }
  const HistoryRow& row = *entry.applied;
  if (!row.success) {
    // A failed run may have left the database half changed, file or no file.
    entry.state = MigrationState::kFailed;
    entry.message = FailureMessage(row.script, row);
  } else if (entry.migration == nullptr) {
    entry.state = MigrationState::kIgnored;
    entry.message = "file removed";
  } else if (entry.migration->checksum != row.checksum) {
    entry.state = MigrationState::kPending;
    entry.message = "changed since last run";
  } else {
    entry.state = MigrationState::kApplied;
  }
}

PlanEntry FromFile(const Migration& migration, const HistoryRow* row) {
  PlanEntry entry;
  entry.kind = migration.kind;
  entry.version = migration.version;
  entry.description = migration.description;
  entry.script = migration.script;
  entry.checksum = migration.checksum;
  entry.migration = &migration;
  if (row != nullptr) entry.applied = *row;
  return entry;
}

PlanEntry FromHistory(MigrationKind kind, std::optional<Version> version, const HistoryRow& row) {
  PlanEntry entry;
  entry.kind = kind;
  entry.version = std::move(version);
  entry.description = row.description;
  entry.script = row.script;
  entry.checksum = row.checksum;
  entry.applied = row;
  return entry;
}

std::vector<PlanEntry> VersionedEntries(const MigrationSet& source, Replay& replay,
                                        const Plan& plan) {
  std::vector<PlanEntry> entries;
  for (const Migration& migration : source.versioned) {
    DBSHIFT_ASSERT(migration.version.has_value());
    const HistoryRow* row = nullptr;
    if (auto found = replay.versions.find(*migration.version); found != replay.versions.end()) {
      row = found->second.row;
      found->second.has_file = true;
    }
    entries.push_back(FromFile(migration, row));
  }
  const auto with_file_end = static_cast<std::ptrdiff_t>(entries.size());
  for (const auto& [version, replayed] : replay.versions) {
    if (!replayed.has_file) {
      entries.push_back(FromHistory(MigrationKind::kVersioned, replayed.version, *replayed.row));
    }
  }
  for (PlanEntry& entry : entries) ClassifyVersioned(plan, entry);
  // The history run is in version order (the replay is a map) and so is the
  // file run when the source keeps its contract; checking that costs one
  // pass, and then a merge replaces a sort of 10,000 entries.
  auto by_version = [](const PlanEntry& a, const PlanEntry& b) { return *a.version < *b.version; };
  const auto files_end = entries.begin() + with_file_end;
  if (!std::is_sorted(entries.begin(), files_end, by_version)) {
    std::stable_sort(entries.begin(), files_end, by_version);
  }
  std::inplace_merge(entries.begin(), files_end, entries.end(), by_version);
  return entries;
}

std::vector<PlanEntry> RepeatableEntries(const MigrationSet& source, const Replay& replay) {
  std::vector<PlanEntry> entries;
  std::map<std::string, const HistoryRow*> without_file = replay.repeatables;
  for (const Migration& migration : source.repeatable) {
    auto found = without_file.find(migration.description);
    const HistoryRow* row = found == without_file.end() ? nullptr : found->second;
    if (found != without_file.end()) without_file.erase(found);
    entries.push_back(FromFile(migration, row));
  }
  for (const auto& [description, row] : without_file) {
    entries.push_back(FromHistory(MigrationKind::kRepeatable, std::nullopt, *row));
  }
  for (PlanEntry& entry : entries) ClassifyRepeatable(entry);
  std::stable_sort(entries.begin(), entries.end(), [](const PlanEntry& a, const PlanEntry& b) {
    return a.description < b.description;
  });
  return entries;
}

}  // namespace

const char* MigrationStateName(MigrationState state) {
  switch (state) {
    case MigrationState::kApplied:
      return "applied";
    case MigrationState::kPending:
      return "pending";
    case MigrationState::kFailed:
      return "failed";
    case MigrationState::kMissing:
      return "missing";
    case MigrationState::kChanged:
      return "changed";
    case MigrationState::kOutOfOrder:
      return "out_of_order";
    case MigrationState::kBaseline:
      return "baseline";
    case MigrationState::kIgnored:
      return "ignored";
  }
  return "unknown";
}

std::vector<const PlanEntry*> Plan::Problems() const {
  std::vector<const PlanEntry*> problems;
  for (const PlanEntry& entry : entries) {
    switch (entry.state) {
      case MigrationState::kFailed:
      case MigrationState::kMissing:
      case MigrationState::kChanged:
        problems.push_back(&entry);
        break;
      case MigrationState::kOutOfOrder:
        if (!allow_out_of_order) problems.push_back(&entry);
        break;
      case MigrationState::kApplied:
      case MigrationState::kPending:
      case MigrationState::kBaseline:
      case MigrationState::kIgnored:
        break;
    }
  }
  return problems;
}

Plan BuildPlan(const MigrationSet& source, const std::vector<HistoryRow>& history,
               const PlanOptions& options) {
  Replay replay = ReplayHistory(history);
  Plan plan;
  plan.allow_out_of_order = options.allow_out_of_order;
  plan.baseline_version = replay.baseline;
  plan.current_version = CurrentVersion(replay);
  plan.entries = VersionedEntries(source, replay, plan);
  // Rows whose version cannot be placed go after every placeable version, in rank order.
  for (const HistoryRow* row : replay.unparseable) {
    PlanEntry entry = FromHistory(MigrationKind::kVersioned, std::nullopt, *row);
    entry.state = MigrationState::kMissing;
    entry.message = fmt::format("history row {} ({}) has version \"{}\", which is not a version",
                                row->installed_rank, row->script, row->version);
    plan.entries.push_back(std::move(entry));
  }
  for (PlanEntry& entry : RepeatableEntries(source, replay)) {
    plan.entries.push_back(std::move(entry));
  }
  return plan;
}

}  // namespace dbshift
