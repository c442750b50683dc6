#pragma once

// SQLite's side of a backup: a consistent copy of the database file made
// with SQLite's online backup API, and the row count of each table in it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dbshift/backup/manifest.h"

namespace dbshift::backup {

/// SQL condition on sqlite_schema: the database's own objects, not SQLite's
/// internal ones (sqlite_sequence, sqlite_stat1, autoindexes).
inline constexpr const char* kSqliteUserObjects = "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/// Called as the copy goes: bytes copied so far, bytes in all.
using CopyProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// Copies the database at `source` into the new file `destination`, page
/// by page with the online backup API: writers of the source go on between
/// steps, and SQLite restarts the copy when one changes a copied page, so
/// the result is one consistent state. After several restarts the rest is
/// copied in one step, holding a read lock until it is done. The copy is in
/// rollback-journal mode, so reading it later creates no -wal file beside
/// it. Throws ConnectError when the source cannot be opened, Error otherwise.
void CopySqliteDatabase(const std::string& source, const std::filesystem::path& destination,
                        const CopyProgress& progress);

/// The tables of the database file (not SQLite's own), in name order, with
/// their row counts.
std::vector<BackupTable> CountSqliteRows(const std::filesystem::path& database);

}  // namespace dbshift::backup
