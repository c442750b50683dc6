#include "dbshift/source/migration.h"

#include <algorithm>

namespace dbshift {
namespace {

// Both lists are sorted by version (LoadMigrations guarantees it), so a
// lookup is a binary search; plan/ asks once per history row.
const Migration* FindByVersion(const std::vector<Migration>& migrations, const Version& version) {
  auto it = std::lower_bound(migrations.begin(), migrations.end(), version,
                             [](const Migration& migration, const Version& wanted) {
                               return *migration.version < wanted;
                             });
  if (it == migrations.end() || !(*it->version == version)) return nullptr;
  return &*it;
}

}  // namespace

const char* MigrationKindName(MigrationKind kind) {
  switch (kind) {
    case MigrationKind::kVersioned:
      return "versioned";
    case MigrationKind::kUndo:
      return "undo";
    case MigrationKind::kRepeatable:
      return "repeatable";
  }
  return "unknown";
}

const Migration* MigrationSet::FindUndo(const Version& version) const {
  return FindByVersion(undo, version);
}

const Migration* MigrationSet::FindVersioned(const Version& version) const {
  return FindByVersion(versioned, version);
}

}  // namespace dbshift
