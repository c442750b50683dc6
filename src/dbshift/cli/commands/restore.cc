#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dbshift/cli/commands/backup_support.h"
#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/restore_backup.h"

namespace dbshift::cli {
namespace {

struct RestoreFlags {
  std::string from;
  std::optional<int> jobs;
};

int RunRestore(CommandContext& context, const RestoreFlags& flags) {
  // No runner may migrate the target while the data goes in.
  LockedTarget target(context, "restore");

  backup::RestoreRequest request;
  request.from = flags.from;
  request.url = target.url;
  request.jobs = CopyJobs(flags.jobs);
  request.progress = TerminalProgress(context, "restore");
  const backup::Manifest manifest =
      RestoreBackup(*target.driver, target.source, request, target.run(), target.sink());

  const auto& version = manifest.schema_version;
  if (context.json()) {
    PrintJson({{"restored", flags.from},
               {"schema_version", version ? nlohmann::json(*version) : nlohmann::json(nullptr)},
               {"tables", manifest.tables.size()}});
  } else {
    context.Say(fmt::format("Restored {}: schema version {}, {} tables, row counts checked",
                            flags.from, version ? *version : "none", manifest.tables.size()));
  }
  return 0;
}

}  // namespace

void AddRestoreCommand(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<RestoreFlags>();
  CLI::App* command = app.add_subcommand(
      "restore", "a backup into an empty database, checked against the migrations folder");
  DefineWhenChosen(*command, [command, flags] {
    command->add_option("--from", flags->from, "the backup folder")->required();
    command->add_option("--jobs", flags->jobs,
                        "PostgreSQL: tables loaded at once, one connection each (default: the "
                        "cores of this machine, at most 4)");
  });
  command->callback([&selected, flags] {
    selected = [flags](CommandContext& context) { return RunRestore(context, *flags); };
  });
}

}  // namespace dbshift::cli
