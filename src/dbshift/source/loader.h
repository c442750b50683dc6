#pragma once

#include <filesystem>

#include "dbshift/source/migration.h"

namespace dbshift {

/// Reads a migration folder (recursively; hidden files and folders and files
/// not ending in .sql are skipped) into a MigrationSet. Never connects to a
/// database.
///
/// Throws ConfigError when the folder does not exist or cannot be read, and
/// ValidationError (exit 3) listing every offending file when:
///  - a .sql file name does not parse in the folder's layout,
///  - two files share a version (numerically: "1" and "1.0"),
///  - an undo file has no versioned twin,
///  - files of two layouts are mixed in one folder,
///  - a directive is unknown or malformed.
/// Issue 2 supports the native layout; other layouts are recognised so that
/// mixing is reported, and rejected with a clear message until supported.
MigrationSet LoadMigrations(const std::filesystem::path& dir);

}  // namespace dbshift
