#pragma once

// PostgreSQL's side of a backup: every user table's rows as COPY text,
// zstd-compressed, one file per table, copied several tables at a time by
// connections that all read one exported snapshot, so the files together
// are one consistent state of the database.

#include <filesystem>
#include <functional>
#include <vector>

#include "dbshift/backup/manifest.h"
#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/common/url.h"

namespace dbshift::backup {

struct PostgresDump {
  std::vector<BackupTable> tables;  ///< with columns, file and rows, in name order
  std::vector<BackupSequence> sequences;
  std::vector<BackupRelation> materialized_views;  ///< the populated ones
  std::vector<BackupFile> files;                   ///< one per table
};

/// Dumps the database at `url` into `folder` on `jobs` connections. Tables
/// are locked in ACCESS SHARE mode for the duration (as pg_dump does), so
/// no one drops or alters one meanwhile; writers go on. Calls `progress`
/// with the bytes of COPY text written so far against the tables' size on
/// disk, and `while_locked` once the locks are held, before any table is
/// copied. Throws ConnectError or SqlError from the server, Error for files.
PostgresDump DumpPostgres(const Url& url, const std::filesystem::path& folder, int jobs,
                          const CopyProgress& progress, const std::function<void()>& while_locked);

}  // namespace dbshift::backup
