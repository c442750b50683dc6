#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/version.h"

namespace dbshift {

/// The state of one migration, computed from source and history (DESIGN.md).
enum class MigrationState {
  kApplied,     ///< applied, file present, checksum matches
  kPending,     ///< not applied, above the current version (or repeatable new/changed)
  kFailed,      ///< last history row has success=false (dirty)
  kMissing,     ///< applied, but its file is gone
  kChanged,     ///< applied, but the file's checksum differs from history's
  kOutOfOrder,  ///< not applied, but lower than the current version
  kBaseline,    ///< the baseline row itself
  kIgnored,     ///< skipped by design, not a problem: not applied and at or below the
                ///< baseline version, undone with its file gone, or a repeatable whose file
                ///< was removed
};

/// "applied", "pending", "failed", "missing", "changed", "out_of_order",
/// "baseline", "ignored": the words of the JSON output.
const char* MigrationStateName(MigrationState state);

/// One line of the plan: a versioned migration, a repeatable one, or a
/// history entry without a file. It points at the file and the history row
/// it was built from rather than copying them: a status over 10,000
/// migrations would otherwise touch megabytes of fresh memory for copies.
struct PlanEntry {
  MigrationState state = MigrationState::kPending;
  MigrationKind kind = MigrationKind::kVersioned;
  std::optional<Version> version;  ///< absent for repeatable
  /// These three view the file's fields, or the history row's when there is
  /// no file; they live as long as the MigrationSet and the Plan.
  std::string_view description;
  std::string_view script;               ///< file name, or history's when missing
  std::string_view checksum;             ///< the file's; history's when missing
  const Migration* migration = nullptr;  ///< into the MigrationSet; null when there is no file
  const HistoryRow* applied = nullptr;   ///< the effective (last) history row, if any
  std::string message;                   ///< why the state is a problem or notable; else empty
};

struct PlanOptions {
  /// Pending versions lower than the current one become runnable (kPending
  /// is not used for them: they stay kOutOfOrder but stop being problems).
  bool allow_out_of_order = false;
  /// `up --resume`: a failed versioned or repeatable migration whose file is
  /// present becomes runnable again (from its failing statement) and stops
  /// being a problem.
  bool resume_failed = false;
};

/// True when `entry` is a failed migration that `up --resume` can continue:
/// its last row is a failed versioned or repeatable run and its file exists.
/// Whether its completed statements are unchanged is checked when it runs.
bool IsResumable(const PlanEntry& entry);

/// The plan: every migration in version order, repeatables after, entries
/// for history rows without a file in their version position.
struct Plan {
  Plan() = default;
  // Entries point into `history`: a copy would point into the original's
  // rows, so a plan can only move (which keeps every row where it is).
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  Plan(Plan&&) noexcept = default;
  Plan& operator=(Plan&&) noexcept = default;
  ~Plan() = default;

  std::vector<PlanEntry> entries;
  /// Every history row BuildPlan was given, in installed_rank order; the
  /// entries' `applied` point here.
  std::vector<HistoryRow> history;
  /// Highest applied (or baseline) version; nullopt on an empty history.
  std::optional<Version> current_version;
  /// The baseline version, if the history has a baseline row.
  std::optional<Version> baseline_version;
  bool allow_out_of_order = false;
  bool resume_failed = false;

  /// Entries that make `up` refuse: failed (unless resumable and resuming),
  /// missing, changed, and out_of_order unless allowed. In plan order.
  std::vector<const PlanEntry*> Problems() const;
};

/// Pure: no I/O. `history` in any order (sorted by installed_rank inside);
/// taken by value because the plan keeps it for its entries to point at.
/// History rows that do not parse as a version are kept as kMissing entries
/// with a message. The returned entries point into `source`, which must
/// outlive the plan.
Plan BuildPlan(const MigrationSet& source, std::vector<HistoryRow> history,
               const PlanOptions& options);

/// How far `up` or `down` goes.
struct Target {
  /// up: apply up to and including; down: undo down to, keeping it.
  std::optional<Version> to = {};
  /// At most this many migrations (-n). The `= {}` defaults let callers
  /// name one field in a designated initializer under -Wextra.
  std::optional<int> count = {};
};

/// What `up` runs, in order: pending versioned migrations (and out-of-order
/// ones when the plan allows them) up to the target, then pending
/// repeatables (only when no target limits the run). Throws UsageError when
/// `to` names no known version or count < 1.
std::vector<const PlanEntry*> SelectUp(const Plan& plan, const Target& target);

/// What `down` undoes, newest first: applied versioned migrations above
/// `to`, at most `count` of them (default 1 when neither is given). Only
/// kApplied entries above the baseline qualify: the baseline is never undone.
/// Throws UsageError when count < 1, when `to` names no known version or is
/// below the baseline, and ValidationError naming every selected version that
/// has no undo script in `source`.
std::vector<const PlanEntry*> SelectDown(const Plan& plan, const MigrationSet& source,
                                         const Target& target);

}  // namespace dbshift
