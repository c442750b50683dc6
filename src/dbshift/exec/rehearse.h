#pragma once

// `dbshift rehearse`: the pending migrations run first on a copy of the
// target, never on the target itself, to see that they apply, how long
// each takes, and that those with undo scripts can be undone and redone
// into the same schema.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// A lock a migration's transaction held on a relation just before it
/// committed (PostgreSQL): the strongest mode on that relation.
struct HeldLock {
  std::string relation;  ///< "schema.name"
  std::string mode;      ///< as pg_locks names it: "AccessExclusiveLock", ...
};

struct RehearsalResult {
  std::string target_version;             ///< of the target (and the copy) before; empty: none
  std::vector<AppliedMigration> applied;  ///< up on the copy, in order
  /// PostgreSQL: by script, the locks each migration run in a transaction
  /// held before its commit (none recorded for no-transaction scripts).
  std::map<std::string, std::vector<HeldLock>> locks;
  std::optional<RunFailure> failure;  ///< a migration (or its undo) failed on the copy
  /// Versioned migrations, newest first, that were undone and applied again
  /// (those rehearsed with an undo script, from the newest down to the first
  /// without one). Empty when none has an undo script.
  std::vector<std::string> round_trip;
  /// Where the schema after undo and redo differs from the schema after the
  /// first up (and, when every rehearsed migration was undone, where the
  /// schema after undo differs from the one before): one line each.
  std::vector<std::string> schema_differences;
  bool ok() const { return !failure && schema_differences.empty(); }
};

/// Copies the target at `target_url` (SQLite: the online backup API into a
/// temporary file; PostgreSQL: a backup of the target restored into a
/// scratch database on the same server; both removed afterwards) and
/// rehearses there: up, then the undo round trip. Events of the runs on the copy go to `sink`; the
/// target is only read.
/// Throws UsageError for engines without rehearsal yet and in-memory
/// databases, ValidationError when the plan has problems.
RehearsalResult Rehearse(Driver& target, const std::string& target_url,
                         const std::string& history_table, const MigrationSet& source,
                         const RunOptions& options, EventSink& sink);

}  // namespace dbshift
