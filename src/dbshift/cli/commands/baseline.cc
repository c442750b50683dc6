#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {
namespace {

struct BaselineOptions {
  std::string version;
  std::string description = "<< baseline >>";
};

int RunBaseline(CommandContext& context, const BaselineOptions& options) {
  std::optional<Version> version = Version::Parse(options.version);
  if (!version) {
    throw UsageError(
        fmt::format("--version {}: not a version (use e.g. 3 or 1.2)", options.version));
  }
  std::unique_ptr<Driver> driver = context.Connect();
  context.Say(TargetLine(*driver, context));
  MigrationSet no_source;  // baseline records a fact about the database, not about files
  RunOptions run = MakeRunOptions(context, "baseline");
  RunSinks sinks(context, run.run_id, false);
  Executor executor(*driver, no_source, sinks.sink(), run);
  executor.Baseline(*version, options.description);
  if (context.json()) {
    PrintJson({{"baseline", version->text()}, {"current_version", version->text()}});
  } else {
    context.Say(
        fmt::format("Baselined at version {}: migrations up to it will not run.", version->text()));
  }
  return 0;
}

}  // namespace

void AddBaselineCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<BaselineOptions>();
  CLI::App* command =
      app.add_subcommand("baseline", "mark an existing database as being at a version");
  DefineWhenChosen(*command, [command, options] {
    command->add_option("--version", options->version, "the version the database is at")
        ->required();
    command->add_option("--description", options->description, "description of the baseline entry");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunBaseline(context, *options); };
  });
}

}  // namespace dbshift::cli
