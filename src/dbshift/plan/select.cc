#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/plan/plan.h"

namespace dbshift {
namespace {

bool IsVersioned(const PlanEntry& entry) {
  return entry.kind == MigrationKind::kVersioned && entry.version.has_value();
}

void CheckCount(const Target& target) {
  if (target.count && *target.count < 1) {
    throw UsageError(fmt::format("-n {}: the count must be at least 1", *target.count));
  }
}

// A typo in --to must not silently become "everything below it".
void CheckKnown(const Plan& plan, const Version& to) {
  const bool known = std::any_of(plan.entries.begin(), plan.entries.end(), [&](const PlanEntry& e) {
    return IsVersioned(e) && *e.version == to;
  });
  if (!known) {
    throw UsageError(fmt::format("--to {}: no migration has version {}", to.text(), to.text()));
  }
}

// Where the undo of `version` would be, in the words of the folder's layout.
std::string UndoNameFor(Layout layout, const std::string& version) {
  switch (layout) {
    case Layout::kNative:
      return fmt::format("U{}__*.sql", version);
    case Layout::kDbmate:
      return "(its -- migrate:down block is empty)";
    case Layout::kGolangMigrate:
    case Layout::kPopx:
      return fmt::format("{}_*.down.sql", version);
  }
  return "";
}

}  // namespace

std::vector<const PlanEntry*> SelectUp(const Plan& plan, const Target& target) {
  CheckCount(target);
  if (target.to) CheckKnown(plan, *target.to);
  std::vector<const PlanEntry*> selected;
  for (const PlanEntry& entry : plan.entries) {
    if (!IsVersioned(entry)) continue;
    const bool runnable = entry.state == MigrationState::kPending ||
                          (entry.state == MigrationState::kOutOfOrder && plan.allow_out_of_order) ||
                          (plan.resume_failed && IsResumable(entry));
    if (!runnable || (target.to && *entry.version > *target.to)) continue;
    if (target.count && static_cast<int>(selected.size()) == *target.count) break;
    selected.push_back(&entry);
  }
  // Repeatables run after every versioned migration, so a partial run leaves them for later.
  if (!target.to && !target.count) {
    for (const PlanEntry& entry : plan.entries) {
      if (entry.kind == MigrationKind::kRepeatable &&
          (entry.state == MigrationState::kPending || (plan.resume_failed && IsResumable(entry)))) {
        selected.push_back(&entry);
      }
    }
  }
  return selected;
}

std::vector<const PlanEntry*> SelectDown(const Plan& plan, const MigrationSet& source,
                                         const Target& target) {
  CheckCount(target);
  const std::optional<Version>& baseline = plan.baseline_version;
  if (target.to) {
    CheckKnown(plan, *target.to);
    if (baseline && *target.to < *baseline) {
      throw UsageError(fmt::format("--to {}: below the baseline version {}; down stops there",
                                   target.to->text(), baseline->text()));
    }
  }
  // Newest first; the baseline and anything at or below it cannot be undone.
  std::vector<const PlanEntry*> applied;
  for (const PlanEntry& entry : plan.entries) {
    if (IsVersioned(entry) && entry.state == MigrationState::kApplied &&
        (!baseline || *entry.version > *baseline)) {
      applied.push_back(&entry);
    }
  }
  std::reverse(applied.begin(), applied.end());

  // Without any target, down undoes one migration: the cautious default.
  const std::optional<int> limit = target.to ? target.count : target.count.value_or(1);
  std::vector<const PlanEntry*> selected;
  for (const PlanEntry* entry : applied) {
    if (target.to && *entry->version <= *target.to) break;
    if (limit && static_cast<int>(selected.size()) == *limit) break;
    selected.push_back(entry);
  }

  std::string without_undo;
  for (const PlanEntry* entry : selected) {
    if (source.FindUndo(*entry->version) != nullptr) continue;
    if (!without_undo.empty()) without_undo += "; ";
    without_undo += fmt::format("version {} ({}) has no undo script {}", entry->version->text(),
                                entry->script, UndoNameFor(source.layout, entry->version->text()));
  }
  if (!without_undo.empty()) throw ValidationError(without_undo);
  return selected;
}

}  // namespace dbshift
