#include "dbshift/plan/plan.h"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/source/checksum.h"

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
std::string FailureMessage(std::string_view subject, const HistoryRow& row, bool file_present) {
  std::string message = fmt::format("{} failed", subject);
  if (row.statements_total > 0) {
    message += fmt::format(" after {} of {} statements", row.statements_done, row.statements_total);
  }
  if (!row.error.empty()) message += fmt::format(": {}", row.error);
  // The database may hold part of the script: only a person can tell what to
  // undo, or whether the rest can simply follow.
  const bool resumable = file_present && row.kind != HistoryKind::kUndo &&
                         (row.statements_done == 0 || !row.statements_checksum.empty());
  if (resumable) {
    return message +
           "; fix the cause and run dbshift up --resume to continue from the failing statement, "
           "or undo its applied statements by hand and run dbshift repair";
  }
  return message + "; fix the database by hand, then run dbshift repair";
}

// The last versioned/undo/baseline row of one version, in installed_rank order.
struct Replayed {
  Version version;  // as written in that row
  const HistoryRow* row = nullptr;
};

struct Replay {
  std::vector<Replayed> versions;                        // ascending, one per version
  std::map<std::string, const HistoryRow*> repeatables;  // last row per description
  std::vector<const HistoryRow*> unparseable;            // last row per version text
  std::optional<Version> baseline;
};

// The plan keeps `history` and its entries point at the rows, so the replay
// points at them too rather than copying a dozen strings per row.
Replay ReplayHistory(std::vector<HistoryRow>& history) {
  auto by_rank = [](const HistoryRow& a, const HistoryRow& b) {
    return a.installed_rank < b.installed_rank;
  };
  // Drivers read history in rank order; sorting is for everyone else.
  if (!std::is_sorted(history.begin(), history.end(), by_rank)) {
    std::stable_sort(history.begin(), history.end(), by_rank);
  }
  Replay replay;
  replay.versions.reserve(history.size());
  for (HistoryRow& row : history) {
    if (row.kind == HistoryKind::kRepeatable) {
      replay.repeatables[row.description] = &row;
      continue;
    }
    std::optional<Version> version = Version::Parse(row.version);
    if (!version) {
      auto same_text =
          std::find_if(replay.unparseable.begin(), replay.unparseable.end(),
                       [&](const HistoryRow* seen) { return seen->version == row.version; });
      if (same_text == replay.unparseable.end()) {
        replay.unparseable.push_back(&row);
      } else {
        *same_text = &row;
      }
      continue;
    }
    if (row.kind == HistoryKind::kBaseline) replay.baseline = *version;
    replay.versions.push_back(Replayed{std::move(*version), &row});
  }
  // Stable: rows of one version stay in rank order, so the last of each run is
  // the effective one ("1" then "1.0" is one version; the later spelling wins).
  auto by_version = [](const Replayed& a, const Replayed& b) { return a.version < b.version; };
  if (!std::is_sorted(replay.versions.begin(), replay.versions.end(), by_version)) {
    std::stable_sort(replay.versions.begin(), replay.versions.end(), by_version);
  }
  std::vector<Replayed> last_per_version;
  last_per_version.reserve(replay.versions.size());
  for (Replayed& replayed : replay.versions) {
    if (!last_per_version.empty() && last_per_version.back().version == replayed.version) {
      last_per_version.back() = std::move(replayed);
    } else {
      last_per_version.push_back(std::move(replayed));
    }
  }
  replay.versions = std::move(last_per_version);
  return replay;
}

bool Matches(const HistoryRow& row, const Migration& migration) {
  return ChecksumMatches(row.checksum, migration.sql, migration.checksum);
}

// The file's checksum in the algorithm of the recorded one, for messages.
std::string OnDisk(const HistoryRow& row, const Migration& migration) {
  if (row.checksum.starts_with("crc32:")) {
    return fmt::format("crc32:{}", FlywayChecksum(migration.sql));
  }
  return migration.checksum;
}

bool CountsAsCurrent(const HistoryRow& row) {
  return row.kind == HistoryKind::kBaseline || (row.kind == HistoryKind::kVersioned && row.success);
}

std::optional<Version> CurrentVersion(const Replay& replay) {
  for (auto it = replay.versions.rbegin(); it != replay.versions.rend(); ++it) {
    if (CountsAsCurrent(*it->row)) return it->version;
  }
  return std::nullopt;
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
      entry.message =
          FailureMessage(fmt::format("undo of version {} ({})", text, row.script), row, false);
      return;
    case HistoryKind::kVersioned:
    case HistoryKind::kRepeatable:  // never here: repeatable rows are replayed apart
      break;
  }
  if (!row.success) {
    entry.state = MigrationState::kFailed;
    entry.message = FailureMessage(fmt::format("version {} ({})", text, row.script), row,
                                   entry.migration != nullptr);
  } else if (entry.migration == nullptr) {
    entry.state = MigrationState::kMissing;
    entry.message =
        fmt::format("version {} was applied ({}) but its file is gone", text, row.script);
  } else if (!Matches(row, *entry.migration)) {
    entry.state = MigrationState::kChanged;
    entry.message =
        fmt::format("{} was changed after it was applied ({} applied, {} on disk)", entry.script,
                    ShortChecksum(row.checksum), ShortChecksum(OnDisk(row, *entry.migration)));
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
    entry.message = FailureMessage(row.script, row, entry.migration != nullptr);
  } else if (entry.migration == nullptr) {
    entry.state = MigrationState::kIgnored;
    entry.message = "file removed";
  } else if (!Matches(row, *entry.migration)) {
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
  entry.applied = row;
  return entry;
}

PlanEntry FromHistory(MigrationKind kind, std::optional<Version> version, const HistoryRow& row) {
  PlanEntry entry;
  entry.kind = kind;
  entry.version = std::move(version);
  entry.description = row.description;
  entry.script = row.script;
  entry.checksum = row.checksum;
  entry.applied = &row;
  return entry;
}

// The source's versioned migrations in version order: the loader's contract,
// checked in one pass, and restored by sorting when a caller broke it.
std::vector<const Migration*> VersionOrder(const MigrationSet& source) {
  std::vector<const Migration*> files;
  files.reserve(source.versioned.size());
  for (const Migration& migration : source.versioned) {
    DBSHIFT_ASSERT(migration.version.has_value());
    files.push_back(&migration);
  }
  auto by_version = [](const Migration* a, const Migration* b) {
    return *a->version < *b->version;
  };
  if (!std::is_sorted(files.begin(), files.end(), by_version)) {
    std::stable_sort(files.begin(), files.end(), by_version);
  }
  return files;
}

// One merge of two version-ordered runs (files, effective history rows) gives
// the entries already in plan order, with no lookups and no sort.
std::vector<PlanEntry> VersionedEntries(const MigrationSet& source, Replay& replay,
                                        const Plan& plan) {
  const std::vector<const Migration*> files = VersionOrder(source);
  std::vector<PlanEntry> entries;
  entries.reserve(files.size() + replay.versions.size());
  std::size_t f = 0;
  std::size_t h = 0;
  bool row_has_file = false;  // whether history row h matched a file already
  while (f < files.size() || h < replay.versions.size()) {
    if (h == replay.versions.size()) {
      entries.push_back(FromFile(*files[f++], nullptr));
      continue;
    }
    Replayed& replayed = replay.versions[h];
    const std::strong_ordering order =
        f < files.size() ? *files[f]->version <=> replayed.version : std::strong_ordering::greater;
    if (order < 0) {
      entries.push_back(FromFile(*files[f++], nullptr));
    } else if (order == 0) {
      // Two files of one version (only from callers other than the loader)
      // both point at the row.
      entries.push_back(FromFile(*files[f++], replayed.row));
      row_has_file = true;
    } else {
      if (!row_has_file) {
        entries.push_back(
            FromHistory(MigrationKind::kVersioned, std::move(replayed.version), *replayed.row));
      }
      ++h;
      row_has_file = false;
    }
  }
  for (PlanEntry& entry : entries) ClassifyVersioned(plan, entry);
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

bool IsResumable(const PlanEntry& entry) {
  return entry.state == MigrationState::kFailed && entry.migration != nullptr && entry.applied &&
         (entry.applied->kind == HistoryKind::kVersioned ||
          entry.applied->kind == HistoryKind::kRepeatable);
}

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
        if (!(resume_failed && IsResumable(entry))) problems.push_back(&entry);
        break;
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

Plan BuildPlan(const MigrationSet& source, std::vector<HistoryRow> history,
               const PlanOptions& options) {
  Replay replay = ReplayHistory(history);
  Plan plan;
  plan.allow_out_of_order = options.allow_out_of_order;
  plan.resume_failed = options.resume_failed;
  plan.baseline_version = replay.baseline;
  plan.current_version = CurrentVersion(replay);
  plan.entries = VersionedEntries(source, replay, plan);
  // Rows whose version cannot be placed go after every placeable version, in rank order.
  for (const HistoryRow* row : replay.unparseable) {
    std::string message =
        fmt::format("history row {} ({}) has version \"{}\", which is not a version",
                    row->installed_rank, row->script, row->version);
    PlanEntry entry = FromHistory(MigrationKind::kVersioned, std::nullopt, *row);
    entry.state = MigrationState::kMissing;
    entry.message = std::move(message);
    plan.entries.push_back(std::move(entry));
  }
  for (PlanEntry& entry : RepeatableEntries(source, replay)) {
    plan.entries.push_back(std::move(entry));
  }
  // Moving the vector keeps every row at its address, so the entries' pointers stay good.
  plan.history = std::move(history);
  return plan;
}

}  // namespace dbshift
