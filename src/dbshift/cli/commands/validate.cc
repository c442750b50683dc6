#include <memory>
#include <utility>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {
namespace {

struct ValidateOptions {
  bool allow_out_of_order = false;
};

int RunValidate(CommandContext& context, const ValidateOptions& options) {
  auto [source, driver, history] = context.LoadSourceConnectAndReadHistory();
  Plan plan = BuildPlan(source, std::move(history).Take(), PlanOptions{options.allow_out_of_order});
  std::vector<const PlanEntry*> problems = plan.Problems();
  if (context.json()) {
    PrintJson(ValidateJson(plan));
  } else if (problems.empty()) {
    context.Say(fmt::format("OK: {} migrations validated against {}.", plan.entries.size(),
                            driver->Target()));
  } else {
    std::string text =
        fmt::format("{} problem{}:", problems.size(), problems.size() == 1 ? "" : "s");
    for (const PlanEntry* entry : problems) text += "\n  - " + entry->message;
    std::fputs((text + "\n").c_str(), stderr);
  }
  return problems.empty() ? 0 : static_cast<int>(ExitCode::kValidation);
}

}  // namespace

void AddValidateCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command =
      app.add_subcommand("validate", "checksums, missing files, order, failed entries");
  DefineWhenChosen(*command, [command, options] {
    command->add_flag("--allow-out-of-order", options->allow_out_of_order,
                      "accept pending versions below the current one");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunValidate(context, *options); };
  });
}

}  // namespace dbshift::cli
