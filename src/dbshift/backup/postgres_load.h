#pragma once

// PostgreSQL's side of a restore: the tables of a backup loaded into a
// database that the migrations have brought to the backup's version, the
// way pg_restore orders it: foreign keys, user triggers and indexes out of
// the way while rows go in, tables several at a time, then the indexes
// built (several at a time), the keys checked again, triggers back on,
// sequences set and materialized views refreshed.

#include <filesystem>
#include <vector>

#include "dbshift/backup/manifest.h"
#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/common/url.h"

namespace dbshift::backup {

/// Loads the tables `manifest` lists from `folder` into the database at
/// `url` on `jobs` connections, replacing whatever rows the migrations put
/// there (seed data, and the history, which becomes the backup's). Returns
/// each table with the rows the server loaded. Refuses (ValidationError,
/// before writing) when a table or column of the backup is not in the
/// target. A failure while loading throws Error saying what state the
/// target is left in.
std::vector<BackupTable> LoadPostgres(const Url& url, const std::filesystem::path& folder,
                                      const Manifest& manifest, int jobs,
                                      const CopyProgress& progress);

}  // namespace dbshift::backup
