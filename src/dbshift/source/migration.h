#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dbshift/source/directives.h"
#include "dbshift/source/version.h"

namespace dbshift {

enum class MigrationKind {
  kVersioned,   ///< V<version>__<description>.sql
  kUndo,        ///< U<version>__<description>.sql: undoes its V twin
  kRepeatable,  ///< R__<description>.sql: runs again whenever it changes
};

/// Naming conventions of migration folders. A folder uses exactly one.
enum class Layout {
  kNative,         ///< Flyway's: V1__x.sql, U1__x.sql, R__x.sql
  kGolangMigrate,  ///< 1_x.up.sql / 1_x.down.sql
  kDbmate,         ///< 20200101120000_x.sql with -- migrate:up / -- migrate:down
  kPopx,           ///< 1_x[.dialect].up.sql
};

/// "versioned", "undo", "repeatable".
const char* MigrationKindName(MigrationKind kind);

/// One migration script, read and checksummed.
struct Migration {
  MigrationKind kind = MigrationKind::kVersioned;
  std::optional<Version> version;  ///< absent for repeatable
  std::string description;         ///< from the file name, '_' shown as ' '
  std::string script;              ///< path relative to the source folder, '/' separated
  std::string file;                ///< as messages name it: the folder as given, then script
  std::string sql;                 ///< file content as read (BOM removed)
  std::string checksum;            ///< ScriptChecksum(sql)
  Directives directives;
};

/// The migrations of one source folder. Versioned and undo sorted by version
/// ascending, repeatable by description.
struct MigrationSet {
  Layout layout = Layout::kNative;  ///< detected or forced; native for an empty folder
  std::vector<Migration> versioned;
  std::vector<Migration> undo;
  std::vector<Migration> repeatable;

  /// The undo script of `version`, or nullptr.
  const Migration* FindUndo(const Version& version) const;
  /// The versioned script of `version`, or nullptr.
  const Migration* FindVersioned(const Version& version) const;
};

}  // namespace dbshift
