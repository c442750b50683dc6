#include "dbshift/exec/restore_backup.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/backup/postgres_load.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift {
namespace {

// The migrations must have built the schema the source had when the backup
// was taken; a difference (a column, an index or a function made by hand on
// the source) would load the data into another shape, or drop what it
// needs. Backups written before the schema was kept have no schema.json;
// their tables and columns are still checked on load. `left` says what the
// refusal leaves on the target.
void RequireSchemaOfTheBackup(Driver& target, const std::filesystem::path& from,
                              const backup::Manifest& manifest, std::string_view left) {
  const std::filesystem::path file = from / backup::kSchemaFile;
  if (!std::filesystem::exists(file)) return;
  std::ifstream in(file, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const schema::Snapshot source = schema::ParseSnapshot(text, file.string());
  const std::vector<schema::SchemaDifference> differences =
      schema::CompareSchemas(schema::ReadSchema(target, manifest.history_table), source);
  if (differences.empty()) return;
  std::string lines;
  for (const schema::SchemaDifference& difference : differences) {
    lines += "\n  " + schema::DescribeDifference(difference);
  }
  throw ValidationError(fmt::format(
      "restore refused: the migrations give the target another schema than the source had "
      "when the backup was taken (\"live\" below), so no data was loaded; {}; restore with the "
      "migrations that match, or write one for what was changed by hand on the source "
      "(`dbshift drift` lists it):{}",
      left, lines));
}

constexpr std::string_view kLeftEmpty = "the target was left empty (the migrations rolled back)";
constexpr std::string_view kLeftMigrated =
    "the target holds the migrations only (they could not run in one transaction that would "
    "have rolled back): drop it and create it empty before you restore again";

// Every script runs inside a transaction (none is marked no-transaction):
// the backup's migrations can then be applied and checked in one
// transaction, and rolled back whole if the schema is not the backup's.
bool AllInTransactions(const MigrationSet& migrations) {
  const auto outside = [](const Migration& script) { return script.directives.no_transaction; };
  return std::none_of(migrations.versioned.begin(), migrations.versioned.end(), outside) &&
         std::none_of(migrations.repeatable.begin(), migrations.repeatable.end(), outside);
}

backup::Manifest RestorePostgres(Driver& target, const MigrationSet& source,
                                 const backup::RestoreRequest& request, const RunOptions& run,
                                 EventSink& sink) {
  backup::Manifest manifest = backup::CheckRestore(target, source, request);
  for (const backup::BackupMigration& applied : manifest.migrations) {
    if (applied.kind == "baseline") {
      throw UsageError(fmt::format(
          "restore refused: the backup's database was baselined at version {}; its schema "
          "below that was not made by migrations, so restore cannot build it (restore the "
          "schema with the tool that made it, then the data)",
          applied.version));
    }
  }
  const MigrationSet at_backup = backup::MigrationsAt(manifest, source);
  RunOptions up = ReplayRunOptions(run, "restore");
  up.caller_holds_lock = true;
  // In one transaction when it can be, with the schema checked before the
  // commit: a refusal leaves the target empty, as it was.
  up.single_transaction = AllInTransactions(at_backup);
  up.before_run_commit = [&](Driver& driver) {
    RequireSchemaOfTheBackup(driver, request.from, manifest, kLeftEmpty);
  };
  RunResult applied = Executor(target, at_backup, sink, up).Up();
  if (applied.failure && up.single_transaction) {
    // Rolled back whole. Some scripts cannot share a transaction with the
    // ones after them (a value added to an enum is usable only once
    // committed): one transaction per migration, as up runs them.
    up.single_transaction = false;
    applied = Executor(target, at_backup, sink, up).Up();
  }
  if (applied.failure) {
    const RunFailure& failure = *applied.failure;
    throw Error(ExitCode::kMigrationFailed,
                fmt::format("restore: migration {} failed on the target at {}:{}: {}\nThe target "
                            "holds the migrations before it and no data: drop it, create it "
                            "empty and restore again",
                            failure.version.empty() ? failure.file : failure.version, failure.file,
                            failure.line, failure.message));
  }
  if (!up.single_transaction) {
    RequireSchemaOfTheBackup(target, request.from, manifest, kLeftMigrated);
  }
  const std::vector<backup::BackupTable> loaded = backup::LoadPostgres(
      Url::Parse(request.url), request.from, manifest, request.jobs, request.progress);
  backup::CheckRowCounts(manifest.tables, loaded);
  return manifest;
}

}  // namespace

backup::Manifest RestoreBackup(Driver& target, const MigrationSet& source,
                               const backup::RestoreRequest& request, const RunOptions& run,
                               EventSink& sink) {
  if (target.dialect() == Dialect::kPostgres) {
    return RestorePostgres(target, source, request, run, sink);
  }
  return backup::Restore(target, source, request);
}

}  // namespace dbshift
