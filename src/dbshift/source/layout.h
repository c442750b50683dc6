#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/source/migration.h"

namespace dbshift {

/// Naming conventions of migration folders. A folder uses exactly one.
enum class Layout {
  kNative,         ///< Flyway's: V1__x.sql, U1__x.sql, R__x.sql
  kGolangMigrate,  ///< 1_x.up.sql / 1_x.down.sql
  kDbmate,         ///< 20200101120000_x.sql with -- migrate:up / -- migrate:down
  kPopx,           ///< 1_x[.dialect].up.sql
};

/// "native", "golang-migrate", "dbmate", "popx".
const char* LayoutName(Layout layout);

/// A file name parsed under the native layout.
struct NativeName {
  MigrationKind kind;
  std::optional<Version> version;
  std::string description;
};

/// Parses a native file name (base name only). nullopt when it is not one.
/// Prefixes are upper-case V, U, R; the separator is two underscores; the
/// suffix is ".sql"; the description may be empty ("V1.sql" is not valid,
/// "V1__.sql" is).
std::optional<NativeName> ParseNativeName(std::string_view file_name);

/// Which layouts a base name could belong to (empty when none), in enum order.
/// Used to detect a folder that mixes layouts and to name the offending files.
///  - a valid native name: {kNative} only (it never starts with a digit);
///  - "<digits>_<name>.up.sql" / ".down.sql" with no dot in <name>:
///    {kGolangMigrate, kPopx} (a popx folder mixes such files with
///    dialect-specific ones);
///  - "<digits>_<name>.<dialect>.up.sql" / ".down.sql", <name> without dots,
///    <dialect> one of sqlite, sqlite3, postgres, cockroach, mysql: {kPopx};
///  - any other "<digits>_<name>.up.sql" / ".down.sql": {kGolangMigrate};
///  - any other "<digits>_<name>.sql": {kDbmate}. A name ending in .up.sql or
///    .down.sql is never dbmate.
/// A folder's layout is the first one every recognised file shares.
std::vector<Layout> LayoutsMatching(std::string_view file_name);

}  // namespace dbshift
