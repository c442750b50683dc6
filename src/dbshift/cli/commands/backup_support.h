#pragma once

// What backup and restore share on the command line: the target, connected
// and locked, and the progress bar.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/context.h"
#include "dbshift/exec/migration_lock.h"

namespace dbshift::cli {

/// The target of a backup or restore: the migrations folder read, the
/// database connected, and its migration lock held for the object's life,
/// so no runner migrates it meanwhile. Refuses compat mode (--history):
/// both read dbshift's own history.
class LockedTarget {
 public:
  LockedTarget(CommandContext& context, const char* command);
  LockedTarget(const LockedTarget&) = delete;
  LockedTarget& operator=(const LockedTarget&) = delete;

  MigrationSet source;
  std::unique_ptr<Driver> driver;
  std::string url;            ///< as resolved; never printed
  std::string history_table;  ///< dbshift's history table on the target

  /// The options a run on this target takes (placeholders, timeouts).
  const RunOptions& run() const { return run_; }
  /// Where the events of such a run go (terminal, run log).
  EventSink& sink() { return sinks_->sink(); }

 private:
  RunOptions run_;
  std::unique_ptr<RunSinks> sinks_;
  std::optional<MigrationLock> lock_;
};

/// up --backup, or `require_backup = true` in the --env environment: the
/// hook that takes the backup under up's lock (RunOptions::backup_before_apply).
/// Empty when neither asks for one. `source` must outlive the run.
std::function<std::string(Driver&)> BackupBeforeApply(CommandContext& context,
                                                      const MigrationSet& source, bool flag);

/// PostgreSQL connections a backup or restore copies tables on: --jobs when
/// given, else the cores of this machine (at most 4).
int CopyJobs(const std::optional<int>& jobs);

/// Where backups go: `out` when given, else the config's backup_dir.
std::filesystem::path BackupDir(CommandContext& context, const std::optional<std::string>& out);

/// A one-line progress bar on stderr for backup and restore, redrawn in
/// place: empty (no bar) unless stderr is a terminal, in text mode without
/// --quiet.
backup::CopyProgress TerminalProgress(const CommandContext& context, const char* label);

}  // namespace dbshift::cli
