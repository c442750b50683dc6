#include "dbshift/backup/restore.h"

#include <algorithm>

#include <fmt/format.h>

#include "dbshift/backup/postgres_catalog.h"
#include "dbshift/backup/verify.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/plan/plan.h"
#include "dbshift/source/checksum.h"

namespace dbshift::backup {
namespace {

// The source's script for an applied migration: versioned by version,
// repeatable by its file.
const Migration* FindApplied(const BackupMigration& applied, const MigrationSet& source) {
  if (applied.kind == "repeatable") {
    for (const Migration& migration : source.repeatable) {
      if (migration.script == applied.script) return &migration;
    }
    return nullptr;
  }
  const std::optional<Version> version = Version::Parse(applied.version);
  return version ? source.FindVersioned(*version) : nullptr;
}

std::string Listed(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "\n  - " + line;
  return text;
}

Manifest VerifiedManifest(const std::filesystem::path& from) {
  VerifyResult verified = VerifyBackup(from);
  if (verified.ok()) return std::move(*verified.manifest);
  std::vector<std::string> lines;
  for (const VerifyProblem& problem : verified.problems) {
    lines.push_back(problem.file + ": " + problem.message);
  }
  throw ValidationError(fmt::format("restore refused: {} is not a complete, unchanged backup{}",
                                    from.string(), Listed(lines)));
}

// Every migration the data is at must be in the source, as it was applied:
// otherwise the code that runs next (and `up`) would expect another schema
// than the one restored, and PostgreSQL's restore, which builds the schema
// with these very scripts, would build another one.
void RequireSameMigrations(const Manifest& manifest, const MigrationSet& source) {
  std::vector<std::string> lines;
  for (const BackupMigration& applied : manifest.migrations) {
    if (applied.kind == "baseline") continue;  // a version, not a script
    const Migration* migration = FindApplied(applied, source);
    if (migration == nullptr) {
      lines.push_back(fmt::format("{} ({}) is not in the migrations folder",
                                  applied.version.empty() ? "repeatable" : applied.version,
                                  applied.script));
    } else if (!ChecksumMatches(applied.checksum, migration->sql, migration->checksum)) {
      lines.push_back(
          fmt::format("{}: the file differs from the one applied when the backup was "
                      "taken ({} then, {} now)",
                      migration->script, applied.checksum, migration->checksum));
    }
  }
  if (lines.empty()) return;
  throw ValidationError(fmt::format(
      "restore refused: the backup is at version {}, and the migrations folder does not hold "
      "the migrations it was taken at{}",
      manifest.schema_version.value_or("none"), Listed(lines)));
}

std::vector<std::string> SqliteObjects(Driver& target) {
  std::vector<std::string> names;
  for (const auto& row : target.Query(fmt::format(
           "SELECT name FROM sqlite_schema WHERE {} ORDER BY name", kSqliteUserObjects))) {
    if (!row.empty() && row[0]) names.push_back(*row[0]);
  }
  return names;
}

std::vector<std::string> UserObjects(Driver& target) {
  return target.dialect() == Dialect::kPostgres ? PostgresUserObjects(target)
                                                : SqliteObjects(target);
}

void RequireEmpty(Driver& target, const MigrationSet& source, const Manifest& manifest) {
  const std::vector<std::string> objects = UserObjects(target);
  if (objects.empty()) return;
  const std::string backup_version = manifest.schema_version.value_or("none");
  if (target.HistoryTableExists()) {
    const Plan plan = BuildPlan(source, target.ReadHistory(), PlanOptions{});
    const std::string target_version = plan.current_version ? plan.current_version->text() : "none";
    if (target_version != backup_version) {
      throw ValidationError(fmt::format(
          "restore refused: the target is at version {} and the backup at version {}; a backup "
          "fits only a database of its own version, and restore writes only into an empty one",
          target_version, backup_version));
    }
  }
  std::string first;
  for (std::size_t i = 0; i < objects.size() && i < 5; ++i) {
    first += (i > 0 ? ", " : "") + objects[i];
  }
  throw ValidationError(fmt::format(
      "restore refused: the target is not empty ({} object{}: {}{}); restore writes only into "
      "an empty database",
      objects.size(), objects.size() == 1 ? "" : "s", first, objects.size() > 5 ? ", ..." : ""));
}

}  // namespace

Manifest CheckRestore(Driver& target, const MigrationSet& source, const RestoreRequest& request) {
  Manifest manifest = VerifiedManifest(request.from);
  const std::string engine = DialectName(target.dialect());
  if (manifest.engine != engine) {
    throw UsageError(fmt::format("restore: the backup is of a {} database and the target is {}",
                                 manifest.engine, engine));
  }
  if (target.dialect() == Dialect::kMysql) {
    throw UsageError(fmt::format(
        "restore: {} targets cannot be restored by this version of dbshift yet (SQLite and "
        "PostgreSQL only)",
        engine));
  }
  RequireSameMigrations(manifest, source);
  RequireEmpty(target, source, manifest);
  return manifest;
}

void CheckRowCounts(const std::vector<BackupTable>& expected,
                    const std::vector<BackupTable>& restored) {
  std::vector<std::string> lines;
  for (const BackupTable& table : expected) {
    const auto found = std::find_if(restored.begin(), restored.end(), [&](const BackupTable& t) {
      return t.name == table.name && t.schema == table.schema;
    });
    const std::string name = table.schema.empty() ? table.name : table.schema + "." + table.name;
    if (found == restored.end()) {
      lines.push_back(fmt::format("{}: missing after the restore", name));
    } else if (found->rows != table.rows) {
      lines.push_back(fmt::format("{}: {} rows, the backup has {}", name, found->rows, table.rows));
    }
  }
  if (!lines.empty()) {
    throw Error(
        ExitCode::kMigrationFailed,
        fmt::format("restore: the restored data does not match the backup{}", Listed(lines)));
  }
}

MigrationSet MigrationsAt(const Manifest& manifest, const MigrationSet& source) {
  MigrationSet at;
  at.layout = source.layout;
  for (const BackupMigration& applied : manifest.migrations) {
    const Migration* migration =
        applied.kind == "baseline" ? nullptr : FindApplied(applied, source);
    if (migration == nullptr) continue;  // CheckRestore refused these
    (migration->kind == MigrationKind::kRepeatable ? at.repeatable : at.versioned)
        .push_back(*migration);
  }
  std::sort(at.versioned.begin(), at.versioned.end(),
            [](const Migration& a, const Migration& b) { return *a.version < *b.version; });
  std::sort(at.repeatable.begin(), at.repeatable.end(),
            [](const Migration& a, const Migration& b) { return a.description < b.description; });
  return at;
}

Manifest Restore(Driver& target, const MigrationSet& source, const RestoreRequest& request) {
  Manifest manifest = CheckRestore(target, source, request);
  const Url url = Url::Parse(request.url);
  if (url.database().empty() || url.database() == ":memory:") {
    throw UsageError("restore: an in-memory SQLite database cannot be restored into");
  }
  CopySqliteDatabase((request.from / kSqliteDataFile).string(), url.database(), request.progress);
  CheckRowCounts(manifest.tables, CountSqliteRows(url.database()));
  return manifest;
}

}  // namespace dbshift::backup
