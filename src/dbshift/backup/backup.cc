#include "dbshift/backup/backup.h"

#include <fmt/format.h>

#include "dbshift/backup/backup_folder.h"
#include "dbshift/backup/postgres_dump.h"
#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"
#include "dbshift/common/system_info.h"
#include "dbshift/common/url.h"
#include "dbshift/plan/plan.h"
#include "dbshift/schema/snapshot.h"

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

namespace {

Manifest StartManifest(Driver& driver, const BackupRequest& request) {
  Manifest manifest;
  manifest.engine = DialectName(driver.dialect());
  manifest.server_version = driver.ServerVersion();
  manifest.dbshift_version = request.tool_version;
  manifest.target = driver.Target();
  manifest.created_at = NowUtcIso8601();
  manifest.history_table = request.history_table;
  return manifest;
}

void WriteSchema(const StagingFolder& folder, Driver& driver, const std::string& history_table,
                 Manifest& manifest) {
  folder.WriteFile(kSchemaFile, schema::SnapshotJson(schema::ReadSchema(driver, history_table)));
  manifest.files.push_back(DescribeFile(folder.path(), kSchemaFile));
}

// The manifest's checksum file is written last: a folder without it was
// never finished.
BackupResult Finish(StagingFolder& folder, Manifest manifest) {
  const std::string text = ManifestText(manifest);
  folder.WriteFile(kManifestName, text);
  folder.WriteFile(kManifestChecksumName, Sha256Hex(text) + "\n");
  BackupResult result;
  result.folder = folder.Publish();
  result.manifest = std::move(manifest);
  return result;
}

BackupResult BackupSqlite(Driver& driver, const MigrationSet& source,
                          const BackupRequest& request) {
  const Url url = Url::Parse(request.url);
  const std::string& path = url.database();
  if (path.empty() || path == ":memory:") {
    throw UsageError("backup: an in-memory SQLite database has nothing to back up");
  }
  Manifest manifest = StartManifest(driver, request);
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
    WriteSchema(folder, *copied, request.history_table, manifest);
  }
  if (manifest.schema_version != live_version) {
    throw Error(ExitCode::kMigrationFailed,
                "backup: the history changed while the backup was taken, without the migration "
                "lock; nothing was kept, run it again");
  }
  manifest.tables = CountSqliteRows(copy);
  folder.Seal(kSqliteDataFile);
  manifest.files.push_back(DescribeFile(folder.path(), kSqliteDataFile));
  return Finish(folder, std::move(manifest));
}

// The history is read on the migration connection, which holds the lock:
// no migration runs until the dump is done, so it matches the dumped data
// (the history table is dumped with the rest).
BackupResult BackupPostgres(Driver& driver, const MigrationSet& source,
                            const BackupRequest& request) {
  const Url url = Url::Parse(request.url);
  Manifest manifest = StartManifest(driver, request);
  const Plan plan = BuildPlan(source, driver.ReadHistory(), PlanOptions{});
  manifest.schema_version = VersionText(plan.current_version);
  manifest.migrations = AppliedMigrations(plan);

  StagingFolder folder(
      request.out_dir,
      BackupFolderName(url.database().empty() ? "postgres" : url.database(),
                       manifest.schema_version ? &*manifest.schema_version : nullptr,
                       manifest.created_at));
  // Read while the dump holds its table locks: no table changes meanwhile.
  schema::Snapshot schema;
  PostgresDump dump = DumpPostgres(url, folder.path(), request.jobs, request.progress, [&] {
    schema = schema::ReadSchema(driver, request.history_table);
  });
  manifest.tables = std::move(dump.tables);
  manifest.sequences = std::move(dump.sequences);
  manifest.materialized_views = std::move(dump.materialized_views);
  manifest.files = std::move(dump.files);
  folder.WriteFile(kSchemaFile, schema::SnapshotJson(schema));
  manifest.files.push_back(DescribeFile(folder.path(), kSchemaFile));
  return Finish(folder, std::move(manifest));
}

}  // namespace

BackupResult TakeBackup(Driver& driver, const MigrationSet& source, const BackupRequest& request) {
  switch (driver.dialect()) {
    case Dialect::kSqlite:
      return BackupSqlite(driver, source, request);
    case Dialect::kPostgres:
      return BackupPostgres(driver, source, request);
    case Dialect::kMysql:
      break;
  }
  throw UsageError(fmt::format(
      "backup: {} targets cannot be backed up by this version of dbshift yet (SQLite and "
      "PostgreSQL only)",
      DialectName(driver.dialect())));
}

}  // namespace dbshift::backup
