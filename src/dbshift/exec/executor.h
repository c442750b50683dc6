#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/history_snapshot.h"
#include "dbshift/exec/lint_gate.h"
#include "dbshift/exec/migration_lock.h"
#include "dbshift/exec/transaction.h"
#include "dbshift/plan/plan.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/placeholders.h"

namespace dbshift {

/// The longest wait between two tries of a migration that hit lock_timeout.
inline constexpr std::chrono::milliseconds kMaxLockRetryWait{60000};

struct RunOptions {
  std::string command = "up";  ///< for events and the run log
  std::string run_id;
  LockPolicy lock;
  bool dry_run = false;
  /// All selected migrations in one transaction: all or nothing.
  bool single_transaction = false;
  bool allow_out_of_order = false;
  /// up --resume: continue a failed migration from its failing statement,
  /// provided the statements before it are unchanged.
  bool resume = false;
  Target target;
  /// Values of ${name} in the scripts that run. Secret-named values (see
  /// IsSecretPlaceholderName) show as *** in every event and message.
  PlaceholderValues placeholders;
  /// PostgreSQL: the lock_timeout every migration runs with unless its
  /// `-- dbshift:lock-timeout` directive says otherwise (0: none). A
  /// statement waiting longer for a lock fails instead of queueing every
  /// query on the table behind it.
  std::chrono::milliseconds default_lock_timeout{5000};
  /// PostgreSQL: the statement_timeout of migrations without a
  /// `-- dbshift:statement-timeout` directive (0: none).
  std::chrono::milliseconds default_statement_timeout{0};
  /// A migration that fails on lock_timeout (its transaction rolled back) is
  /// tried again after a backoff, `lock_timeout_tries` times in all; with
  /// single_transaction, the whole run is. Scripts outside a transaction
  /// are not: part of them may have been applied.
  int lock_timeout_tries = 5;
  /// The wait before the second try; it doubles for each later one (at most
  /// kMaxLockRetryWait) and is jittered so that runners do not retry in step.
  std::chrono::milliseconds lock_timeout_backoff{1000};
  /// up lints the scripts it is about to run (PostgreSQL) and refuses, exit
  /// 5, on an error finding.
  LintGate lint;
  /// up --backup: called under the migration lock, after every check and
  /// before the first migration, when the run applies something (never on
  /// a dry run). Takes a backup and returns its folder, which the
  /// backup_taken event names; throwing stops the run before anything is
  /// applied.
  std::function<std::string(Driver&)> backup_before_apply;
  /// up: the history as the caller read it already, used (once) for the
  /// plan before the lock instead of reading it again. Everything is decided
  /// again under the lock on a fresh read, as without it.
  std::optional<HistorySnapshot> history_before_lock;
  /// The caller holds the migration lock already, for longer than this run
  /// (restore loads data after the migrations): up neither takes nor
  /// releases it.
  bool caller_holds_lock = false;
  /// Called inside a migration's own transaction after its last statement
  /// succeeded, before the commit (rehearse reads the locks it holds
  /// there). Not called for scripts outside a transaction, nor inside an
  /// outer one (dry run, single_transaction).
  std::function<void(Driver&, const Migration&)> before_commit;
  /// single_transaction: called inside the one transaction after the last
  /// migration succeeded, before the commit. Throwing rolls the whole run
  /// back and ends it with that error (restore checks the schema there).
  std::function<void(Driver&)> before_run_commit;
};

/// `run` for applying migrations that already ran elsewhere (drift's
/// scratch database, restore's target), as `command`: all of them, as they
/// are; no lint (they ran already), no backup, no dry run, no single
/// transaction, no stopping point, no resume or out-of-order.
RunOptions ReplayRunOptions(RunOptions run, std::string_view command);

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
  std::string sqlstate;     ///< of the failing statement, when the engine gave one
  int tries = 1;            ///< how often it ran (more than once after lock timeouts)
  std::string file;         ///< script, relative to the source folder
  int line = 0;             ///< script line of the failing statement
  std::string message;      ///< the engine's message (no secrets)
  int statement_index = 0;  ///< 1-based index of the failing statement; 0 if none
  int statements_total = 0;
  /// When not rolled back: the statements before the failing one, which
  /// stay applied (1-based index, script line, text).
  struct AppliedStatement {
    int index = 0;
    int line = 0;
    std::string text;
  };
  std::vector<AppliedStatement> applied_statements;
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
  /// The backup taken before applying (up --backup); empty when none.
  std::string backup;
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
  /// RunOne, tried again after a backoff while it fails on lock_timeout and
  /// rolled back (up to options_.lock_timeout_tries in all).
  bool RunOneWithRetry(const PlanEntry& entry, const Migration& script, HistoryKind kind,
                       bool inside_outer_transaction, RunResult& result);
  /// Runs scripts[i] for selected[i] until one fails, in an outer
  /// transaction for a dry-run or single_transaction (a single_transaction
  /// run that fails on lock_timeout is rolled back and tried again whole),
  /// then finishes the run.
  void RunSelected(const std::vector<const PlanEntry*>& selected,
                   const std::vector<Migration>& scripts, bool undo, const Plan& plan,
                   const PlanOptions& plan_options, RunResult& result);
  /// Whether `failure` may be tried again (try `tries` of the allowed ones
  /// failed); if so, reports it and waits out the backoff.
  bool RetryAfterLockTimeout(const RunFailure& failure, int tries);
  /// Throws UsageError naming every script of a --single-transaction run
  /// that cannot roll back. `scripts[i]` is what runs for `selected[i]`.
  void CheckSingleTransaction(const std::vector<const PlanEntry*>& selected,
                              const std::vector<const Migration*>& scripts) const;
  void NoteNotVerifiable(const PlanEntry& entry, const Migration& script, const std::string& reason,
                         RunResult& result);
  /// Why a dry-run cannot execute `script`, or "" when it can. `skipped` is
  /// the first script this dry-run did not execute (later ones may need it).
  std::string WhyNotVerifiable(const Migration& script, const std::string& skipped) const;
  /// Whether `statements` can run in a transaction that rolls back on failure.
  bool RunsInTransaction(const Migration& script, const std::vector<Statement>& statements) const;
  /// The history table is made (if missing) inside the run's one
  /// transaction rather than before it.
  bool HistoryTableInRunTransaction() const;
  /// For a resumed migration: the index of its first statement to run.
  /// Throws ValidationError when the statements it completed changed.
  std::size_t ResumeFrom(const PlanEntry& entry, const std::vector<Statement>& statements) const;
  /// Commits or rolls back the outer transaction and fills current_version.
  void FinishRun(std::optional<Transaction>& outer, const Plan& plan,
                 const PlanOptions& plan_options, RunResult& result);
  /// The session limits of `script`: its directives, else the defaults
  /// (PostgreSQL; other engines keep theirs unless a directive says).
  void ApplyDirectives(const Migration& script);
  /// The selected scripts with their placeholders replaced, in order; throws
  /// ValidationError listing every undefined placeholder first, so that a
  /// run with one runs nothing.
  std::vector<Migration> ScriptsToRun(const std::vector<const Migration*>& selected) const;
  /// Back to the defaults after a script with directives.
  void ResetDirectives();
  /// Sets one session limit when it differs from what the session has.
  void SetLimit(std::optional<std::chrono::milliseconds>& current, std::chrono::milliseconds wanted,
                void (Driver::*set)(std::chrono::milliseconds));

  Driver& driver_;
  const MigrationSet& source_;
  std::unique_ptr<EventSink> masking_sink_;  ///< null when no placeholder is secret
  EventSink& sink_;                          ///< masking_sink_, or the caller's sink
  RunOptions options_;
  // What the migration session has, once dbshift set it (unknown before).
  std::optional<std::chrono::milliseconds> lock_timeout_now_;
  std::optional<std::chrono::milliseconds> statement_timeout_now_;
};

}  // namespace dbshift
