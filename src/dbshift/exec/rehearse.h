#pragma once

// `dbshift rehearse`: the pending migrations run first on a copy of the
// target, never on the target itself, to see that they apply, how long
// each takes, and that those with undo scripts can be undone and redone
// into the same schema.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/exec/scratch_database.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// A lock a migration's transaction held on a relation just before it
/// committed (PostgreSQL): the strongest mode on that relation.
struct HeldLock {
  std::string relation;  ///< "schema.name"
  std::string mode;      ///< as pg_locks names it: "AccessExclusiveLock", ...
};

/// How a PostgreSQL target is copied.
enum class CopyMethod {
  kAuto,      ///< by template when no other session is connected, else by backup
  kTemplate,  ///< CREATE DATABASE ... TEMPLATE only
  kBackup,    ///< a backup restored only: new sessions of the target never wait
};

struct RehearseRequest {
  std::string target_url;
  std::string history_table;
  CopyMethod copy = CopyMethod::kAuto;
  /// Opens the target again when a copy by template, for which it was
  /// closed, was refused by the server.
  Reconnect reconnect;
};

struct RehearsalResult {
  std::string target_version;  ///< of the target (and the copy) before; empty: none
  /// How the copy was made: "backup api" (SQLite), "template" or "backup"
  /// (PostgreSQL); empty when nothing was pending and no copy was made.
  std::string copy_method;
  /// PostgreSQL copied by backup although a template copy was allowed: why.
  std::string copy_note;
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

/// Copies the target (SQLite: the online backup API into a temporary file;
/// PostgreSQL: CREATE DATABASE ... TEMPLATE when no other session is
/// connected, else a backup of the target restored into a scratch database
/// on the same server, as `request.copy` allows; removed afterwards) and
/// rehearses there: up, then the undo round trip. Events of the runs on the
/// copy go to `sink`; the target is only read. A copy by template closes
/// `target`: on return it may be null.
/// Throws UsageError for engines without rehearsal yet, in-memory
/// databases and a copy method the engine does not have, LockTimeout when
/// only a copy by template is allowed and it could not be made because the
/// target is in use, ValidationError when the plan has problems.
RehearsalResult Rehearse(std::unique_ptr<Driver>& target, const RehearseRequest& request,
                         const MigrationSet& source, const RunOptions& options, EventSink& sink);

}  // namespace dbshift
