#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/source/migration.h"

namespace dbshift {

/// "native", "golang-migrate", "dbmate", "popx".
const char* LayoutName(Layout layout);

/// The layout named as LayoutName writes it; nullopt for anything else.
std::optional<Layout> ParseLayoutName(std::string_view text);

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

/// Which part of a migration a golang-migrate / dbmate / popx file holds.
enum class ForeignPart {
  kUp,    ///< "<v>_<name>.up.sql": the versioned migration
  kDown,  ///< "<v>_<name>.down.sql": its undo
  kBoth,  ///< dbmate: "-- migrate:up" and "-- migrate:down" sections of one file
};

/// A file name parsed under one of the layouts of other tools.
struct ForeignName {
  Version version;          ///< the leading digits, as written ("001", "20261121093000")
  std::string description;  ///< the name after "<digits>_", '_' shown as ' '
  ForeignPart part = ForeignPart::kBoth;
  std::string dialect;  ///< popx only: "postgres", "sqlite3", ...; empty when for every engine
};

/// Parses a base name under `layout` (not kNative). nullopt when the name
/// does not follow that layout: golang-migrate "<digits>_<name>.up.sql" /
/// ".down.sql"; dbmate "<digits>_<name>.sql" (not .up/.down); popx as
/// golang-migrate with an optional ".<dialect>" before ".up"/".down".
std::optional<ForeignName> ParseForeignName(Layout layout, std::string_view file_name);

/// Whether `text` is a dialect popx names files after.
bool IsPopxDialect(std::string_view text);

/// Whether a popx file for `file_dialect` ("" when for every engine) is meant
/// for the engine of `engine_dialect` ("postgres", "sqlite", "mysql").
bool PopxDialectFits(std::string_view file_dialect, std::string_view engine_dialect);

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
