#pragma once

// `dbshift restore`: a backup goes only into an empty database, and only
// when the migrations of the source are the ones the backup was taken at,
// so the restored database is at the backup's version in the schema the
// code expects.

#include <filesystem>
#include <string>

#include "dbshift/backup/manifest.h"
#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/driver/driver.h"
#include "dbshift/source/migration.h"

namespace dbshift::backup {

struct RestoreRequest {
  std::filesystem::path from;  ///< the backup folder
  std::string url;             ///< the target's URL as resolved (not printed)
  int jobs = 2;                ///< PostgreSQL: tables loaded at once
  CopyProgress progress;       ///< may be empty
};

/// Everything restore checks before it writes anything; throws the first
/// failure: the backup does not verify (ValidationError), it is of another
/// engine (UsageError), a versioned migration it was taken at is not in
/// `source` or differs from it (ValidationError naming each), or the
/// target is not empty (ValidationError; with the target's version when it
/// has a history).
Manifest CheckRestore(Driver& target, const MigrationSet& source, const RestoreRequest& request);

/// SQLite: CheckRestore, then the data into the target, then each table's
/// row count against the manifest's (Error, exit 1, naming the table). The
/// caller holds the migration lock of the target. (PostgreSQL's restore
/// runs migrations, so it is in the exec layer: exec/restore_backup.h.)
Manifest Restore(Driver& target, const MigrationSet& source, const RestoreRequest& request);

/// The migrations of `source` that the backup was taken at (its applied
/// versioned and repeatable ones), to build its schema on an empty target.
MigrationSet MigrationsAt(const Manifest& manifest, const MigrationSet& source);

/// Throws Error (exit 1) naming each table of `expected` that `restored`
/// lacks or holds another number of rows of.
void CheckRowCounts(const std::vector<BackupTable>& expected,
                    const std::vector<BackupTable>& restored);

}  // namespace dbshift::backup
