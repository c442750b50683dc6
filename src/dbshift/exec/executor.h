#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/migration_lock.h"
#include "dbshift/exec/transaction.h"
#include "dbshift/plan/plan.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/placeholders.h"

namespace dbshift {

struct RunOptions {
  std::string command = "up";  ///< for events and the run log
  std::string run_id;
  LockPolicy lock;
  bool dry_run = false;
  /// All selected migrations in one transaction: all or nothing.
  bool single_transaction = false;
  bool allow_out_of_order = false;
  Target target;
  /// Values of ${name} in the scripts that run. Secret-named values (see
  /// IsSecretPlaceholderName) show as *** in every event and message.
  PlaceholderValues placeholders;
};

/// One migration applied (or undone, for down).
struct AppliedMigration {
  std::string version;  ///< empty for repeatable
  std::string description;
  std::string script;
  MigrationKind kind = MigrationKind::kVersioned;
  int64_t execution_ms = 0;
};

/// Why a run stopped. A failing migration is an expected outcome of a
/// migration tool, so it is a value the CLI renders (with the migrations
/// applied before it) and maps to exit code 1.
struct RunFailure {
  std::string version;
  std::string file;     ///< script, relative to the source folder
  int line = 0;         ///< script line of the failing statement
  std::string message;  ///< the engine's message (no secrets)
  /// True when nothing of the failed migration stayed; false when it ran
  /// outside a transaction and is recorded as failed (repair needed).
  bool rolled_back = true;
  /// --single-transaction: the whole run was rolled back, the migrations
  /// before the failing one included.
  bool whole_run_rolled_back = false;
};

struct RunResult {
  std::vector<AppliedMigration> applied;
  std::optional<std::string> current_version;
  bool dry_run = false;
  /// Dry-run only: scripts marked no-transaction, listed but not executed.
  std::vector<std::string> not_verifiable;
  std::optional<RunFailure> failure;
};

/// Reads history and builds the plan without taking the lock or creating
/// anything (status, validate, previews). Empty history when the table does
/// not exist yet.
Plan ReadPlan(Driver& driver, const MigrationSet& source, const PlanOptions& options);

/// Throws ValidationError (exit 3) listing every problem of `plan`.
void ThrowIfProblems(const Plan& plan, std::string_view command);

/// Applies plans through a driver (DESIGN.md "Executor"): takes the lock,
/// re-reads history under it (another runner may have finished first), runs
/// each migration in its own transaction, or all in one with
/// single_transaction, records it, and emits events. Not thread-safe.
class Executor {
 public:
  Executor(Driver& driver, const MigrationSet& source, EventSink& sink, RunOptions options);

  /// `up`. Throws ValidationError when the plan has problems, LockTimeout,
  /// UsageError for a bad target; a failing migration is result.failure.
  RunResult Up();

  /// `down`. `expected` is what the operator confirmed (versions, newest
  /// first); when history changed so that the selection under the lock
  /// differs, throws ValidationError and changes nothing.
  RunResult Down(const std::vector<std::string>& expected);

  /// `baseline`: records that the database is at `version`. Throws
  /// ValidationError when the history already has entries.
  void Baseline(const Version& version, const std::string& description);

 private:
  Event Identity() const;
  void Emit(Event::Type type, const Event& identity);
  void EmitRunStarted();
  void EmitRunFinished(const RunResult& result);
  /// Runs one script (apply or undo) with its history row; returns false on failure.
  bool RunOne(const PlanEntry& entry, const Migration& script, HistoryKind kind,
              bool inside_outer_transaction, RunResult& result);
  void CheckSingleTransaction(const std::vector<const PlanEntry*>& selected) const;
  void NoteNotVerifiable(const PlanEntry& entry, const Migration& script, bool can_verify,
                         RunResult& result);
  /// Commits or rolls back the outer transaction and fills current_version.
  void FinishRun(std::optional<Transaction>& outer, const Plan& plan,
                 const PlanOptions& plan_options, RunResult& result);
  void ApplyDirectives(const Migration& script);
  /// The selected scripts with their placeholders replaced, in order; throws
  /// ValidationError listing every undefined placeholder first, so that a
  /// run with one runs nothing.
  std::vector<Migration> ScriptsToRun(const std::vector<const Migration*>& selected) const;
  void ResetDirectives();

  Driver& driver_;
  const MigrationSet& source_;
  std::unique_ptr<EventSink> masking_sink_;  ///< null when no placeholder is secret
  EventSink& sink_;                          ///< masking_sink_, or the caller's sink
  RunOptions options_;
  bool session_limits_changed_ = false;
};

}  // namespace dbshift
