#include <memory>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {
namespace {

struct StatusOptions {
  bool allow_out_of_order = false;
};

int RunStatus(CommandContext& context, const StatusOptions& options) {
  auto [source, driver] = context.LoadSourceAndConnect();
  Plan plan = ReadPlan(*driver, source, PlanOptions{options.allow_out_of_order});
  if (context.json()) {
    PrintJson(StatusJson(plan));
  } else {
    context.Say(TargetLine(*driver, context));
    context.Say(StatusText(plan));
  }
  return 0;
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand("status", "every migration and its state; current version");
  command->add_flag("--allow-out-of-order", options->allow_out_of_order,
                    "do not count pending versions below the current one as problems");
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunStatus(context, *options); };
  });
}

}  // namespace dbshift::cli
