#include "dbshift/backup/backup.h"

#include <fmt/format.h>

#include "dbshift/backup/backup_folder.h"
#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"
#include "dbshift/common/system_info.h"
#include "dbshift/common/url.h"
#include "dbshift/plan/plan.h"

namespace dbshift::backup {
namespace {

std::optional<std::string> VersionText(const std::optional<Version>& version) {
  return version ? std::optional<std::string>(version->text()) : std::nullopt;
}

// The migrations the data is at: the effective history row of every entry
// that is applied (its file may since have changed or gone; the backup
// records what was applied).
std::vector<BackupMigration> AppliedMigrations(const Plan& plan) {
  std::vector<BackupMigration> applied;
  for (const PlanEntry& entry : plan.entries) {
    if (!entry.applied || !entry.applied->success || entry.applied->kind == HistoryKind::kUndo) {
      continue;
    }
    const HistoryRow& row = *entry.applied;
    applied.push_back({row.version, row.description, HistoryKindName(row.kind), row.script,
                       row.checksum, row.applied_at});
  }
  return applied;
}

std::string FileStem(const std::string& path) {
  const std::string stem = std::filesystem::path(path).stem().string();
  return stem.empty() ? "database" : stem;
}

}  // namespace

BackupResult TakeBackup(Driver& driver, const MigrationSet& source, const BackupRequest& request) {
  if (driver.dialect() != Dialect::kSqlite) {
    throw UsageError(fmt::format(
        "backup: {} targets cannot be backed up by this version of dbshift yet (SQLite only)",
        DialectName(driver.dialect())));
  }
  const Url url = Url::Parse(request.url);
  const std::string& path = url.database();
  if (path.empty() || path == ":memory:") {
    throw UsageError("backup: an in-memory SQLite database has nothing to back up");
  }

  Manifest manifest;
  manifest.engine = DialectName(driver.dialect());
  manifest.server_version = driver.ServerVersion();
  manifest.dbshift_version = request.tool_version;
  manifest.target = driver.Target();
  manifest.created_at = NowUtcIso8601();
  manifest.history_table = request.history_table;
  // Under the migration lock the version cannot move; read it first to name
  // the folder, and again from the copy to be sure.
  const std::optional<std::string> live_version =
      VersionText(BuildPlan(source, driver.ReadHistory(), PlanOptions{}).current_version);

  StagingFolder folder(request.out_dir,
                       BackupFolderName(FileStem(path), live_version ? &*live_version : nullptr,
                                        manifest.created_at));
  const std::filesystem::path copy = folder.path() / kSqliteDataFile;
  CopySqliteDatabase(path, copy, request.progress);
  {
    DriverOptions options;
    options.history_table = request.history_table;
    const std::unique_ptr<Driver> copied =
        OpenDriver(Url::Parse("sqlite:" + copy.string()), options);
    const Plan plan = BuildPlan(source, copied->ReadHistory(), PlanOptions{});
    manifest.schema_version = VersionText(plan.current_version);
    manifest.migrations = AppliedMigrations(plan);
  }
  if (manifest.schema_version != live_version) {
    throw Error(ExitCode::kMigrationFailed,
                "backup: the history changed while the backup was taken, without the migration "
                "lock; nothing was kept, run it again");
  }
  manifest.tables = CountSqliteRows(copy);
  folder.Seal(kSqliteDataFile);
  manifest.files.push_back(DescribeFile(folder.path(), kSqliteDataFile));

  const std::string text = ManifestText(manifest);
  folder.WriteFile(kManifestName, text);
  folder.WriteFile(kManifestChecksumName, Sha256Hex(text) + "\n");
  BackupResult result;
  result.folder = folder.Publish();
  result.manifest = std::move(manifest);
  return result;
}

}  // namespace dbshift::backup
