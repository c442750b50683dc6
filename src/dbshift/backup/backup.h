#pragma once

// `dbshift backup`: a backup folder tagged with the schema version of the
// database it was taken from (see manifest.h and backup_folder.h).

#include <filesystem>
#include <string>

#include "dbshift/backup/manifest.h"
#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/driver/driver.h"
#include "dbshift/source/migration.h"

namespace dbshift::backup {

struct BackupRequest {
  std::filesystem::path out_dir;  ///< the backup folder is created inside it
  std::string url;                ///< the target's URL as resolved (not printed)
  std::string history_table = "dbshift_history";
  std::string tool_version;
  int jobs = 2;           ///< PostgreSQL: tables copied at once, each on a connection
  CopyProgress progress;  ///< may be empty
};

struct BackupResult {
  std::filesystem::path folder;
  Manifest manifest;
};

/// Backs up the database `driver` is connected to. The caller holds the
/// migration lock, so no migration runs meanwhile; the schema version and
/// the applied migrations in the manifest are read from the copy itself,
/// so they describe exactly the data in the backup (SQLite reads them from
/// the copy itself). Throws UsageError for an engine without backups yet
/// or an in-memory database.
BackupResult TakeBackup(Driver& driver, const MigrationSet& source, const BackupRequest& request);

}  // namespace dbshift::backup
