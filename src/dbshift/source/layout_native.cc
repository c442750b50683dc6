#include <optional>
#include <string>
#include <string_view>

#include "dbshift/source/layout.h"

namespace dbshift {
namespace {

constexpr std::string_view kSqlSuffix = ".sql";
constexpr std::string_view kSeparator = "__";

std::optional<MigrationKind> KindOfPrefix(char prefix) {
  // Upper case only, as Flyway: "v1__x.sql" is reported instead of being
  // silently taken for a migration on one machine and not on another.
  switch (prefix) {
    case 'V':
      return MigrationKind::kVersioned;
    case 'U':
      return MigrationKind::kUndo;
    case 'R':
      return MigrationKind::kRepeatable;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<NativeName> ParseNativeName(std::string_view file_name) {
  if (file_name.size() <= kSqlSuffix.size() || !file_name.ends_with(kSqlSuffix)) {
    return std::nullopt;
  }
  const std::string_view stem = file_name.substr(0, file_name.size() - kSqlSuffix.size());
  const std::optional<MigrationKind> kind = KindOfPrefix(stem[0]);
  if (!kind) return std::nullopt;
  // The first "__" ends the version: versions use single '_' or '.' between
  // their numbers, so "V1_2__x" is version 1_2 and "V1_x" has no separator.
  const std::size_t separator = stem.find(kSeparator, 1);
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view version_text = stem.substr(1, separator - 1);

  NativeName name;
  name.kind = *kind;
  if (*kind == MigrationKind::kRepeatable) {
    if (!version_text.empty()) return std::nullopt;
  } else {
    name.version = Version::Parse(version_text);
    if (!name.version) return std::nullopt;
  }
  name.description = stem.substr(separator + kSeparator.size());
  for (char& c : name.description) {
    if (c == '_') c = ' ';
  }
  return name;
}

}  // namespace dbshift
