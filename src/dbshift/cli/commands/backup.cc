#include "dbshift/backup/backup.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dbshift/backup/verify.h"
#include "dbshift/cli/commands/backup_support.h"
#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {
namespace {

struct BackupFlags {
  std::optional<std::string> out;  ///< default: the config's backup_dir
  std::optional<int> jobs;
  std::string verify_folder;
};

std::string Megabytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

int RunBackup(CommandContext& context, const BackupFlags& flags) {
  // No migration may change the schema while it is copied.
  LockedTarget target(context, "backup");

  backup::BackupRequest request;
  request.out_dir = BackupDir(context, flags.out);
  request.url = target.url;
  request.history_table = target.history_table;
  request.tool_version = kToolVersion;
  request.jobs = CopyJobs(flags.jobs);
  request.progress = TerminalProgress(context, "backup");
  const backup::BackupResult result = backup::TakeBackup(*target.driver, target.source, request);

  std::uint64_t bytes = 0;
  for (const backup::BackupFile& file : result.manifest.files) bytes += file.bytes;
  const auto& version = result.manifest.schema_version;
  if (context.json()) {
    PrintJson({{"backup", result.folder.string()},
               {"schema_version", version ? nlohmann::json(*version) : nlohmann::json(nullptr)},
               {"engine", result.manifest.engine},
               {"tables", result.manifest.tables.size()},
               {"bytes", bytes}});
  } else {
    context.Say(fmt::format("Backup written: {}", result.folder.string()));
    context.Say(fmt::format("Schema version {}, {} tables, {}", version ? *version : "none",
                            result.manifest.tables.size(), Megabytes(bytes)));
  }
  return 0;
}

int RunVerify(CommandContext& context, const BackupFlags& flags) {
  const backup::VerifyResult result = backup::VerifyBackup(flags.verify_folder);
  if (context.json()) {
    nlohmann::json problems = nlohmann::json::array();
    for (const backup::VerifyProblem& problem : result.problems) {
      problems.push_back({{"file", problem.file}, {"message", problem.message}});
    }
    nlohmann::json document = {{"ok", result.ok()}, {"problems", std::move(problems)}};
    if (result.manifest) {
      const auto& version = result.manifest->schema_version;
      document["schema_version"] = version ? nlohmann::json(*version) : nlohmann::json(nullptr);
      document["files"] = result.manifest->files.size();
    }
    PrintJson(document);
  } else if (result.ok()) {
    const auto& version = result.manifest->schema_version;
    const std::size_t files = result.manifest->files.size();
    context.Say(fmt::format(
        "Backup {} is complete: every file matches the manifest ({} file{}, schema version {})",
        flags.verify_folder, files, files == 1 ? "" : "s", version ? *version : "none"));
  } else {
    for (const backup::VerifyProblem& problem : result.problems) {
      std::fprintf(stderr, "dbshift: error: %s: %s\n",
                   (std::filesystem::path(flags.verify_folder) / problem.file).string().c_str(),
                   problem.message.c_str());
    }
  }
  return result.ok() ? 0 : static_cast<int>(ExitCode::kValidation);
}

}  // namespace

void AddBackupCommand(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<BackupFlags>();
  CLI::App* command = app.add_subcommand(
      "backup",
      "a backup folder tagged with the schema version (SQLite: the online backup API; "
      "PostgreSQL: each table's rows, zstd-compressed, tables in parallel in one snapshot)");
  DefineWhenChosen(*command, [command, flags, &selected] {
    command->add_option("--out", flags->out,
                        "folder to write the backup folder into (default: backup_dir of "
                        "dbshift.toml, else ./backups)");
    command->add_option("--jobs", flags->jobs,
                        "PostgreSQL: tables copied at once, one connection each (default: the "
                        "cores of this machine, at most 4)");
    command->require_subcommand(0, 1);
    CLI::App* verify =
        command->add_subcommand("verify", "check that a backup is complete and unchanged");
    verify->add_option("FOLDER", flags->verify_folder, "the backup folder")->required();
    verify->callback([&selected, flags] {
      selected = [flags](CommandContext& context) { return RunVerify(context, *flags); };
    });
    command->callback([&selected, flags, verify] {
      if (verify->parsed()) return;
      selected = [flags](CommandContext& context) { return RunBackup(context, *flags); };
    });
  });
}

}  // namespace dbshift::cli
