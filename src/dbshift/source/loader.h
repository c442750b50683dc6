#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dbshift/source/layout.h"
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
///
/// Layouts (see layout.h) are detected from the names, or forced with
/// `options.layout`; then every .sql file must follow that layout.
///  - golang-migrate and popx: "<v>_<name>.up.sql" is versioned and
///    ".down.sql" its undo. popx files for another engine than
///    `options.dialect` are skipped, and a file for that engine is taken over
///    the dialect-neutral one of the same version.
///  - dbmate: one file holds both; "-- migrate:up" is versioned and a
///    non-empty "-- migrate:down" its undo, both named after the file;
///    "transaction:false" on a marker line means no-transaction.
struct LoadOptions {
  std::optional<Layout> layout;  ///< forced; detected when absent
  std::string dialect;           ///< "postgres", "sqlite", "mysql"; popx only
};

MigrationSet LoadMigrations(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace dbshift
