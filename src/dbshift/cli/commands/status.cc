#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/exec/executor.h"
#include "dbshift/history/foreign_history_driver.h"
#include "dbshift/source/layout.h"

namespace dbshift::cli {
namespace {

struct StatusOptions {
  bool allow_out_of_order = false;
};

int RunStatus(CommandContext& context, const StatusOptions& options) {
  auto [source, driver] = context.LoadSourceAndConnect();
  Plan plan = ReadPlan(*driver, source, PlanOptions{options.allow_out_of_order});
  // In compat mode, say whose table this is: it is not dbshift's own.
  const auto* foreign = dynamic_cast<const ForeignHistoryDriver*>(driver.get());
  if (context.json()) {
    nlohmann::json json = StatusJson(plan);
    json["layout"] = LayoutName(source.layout);
    if (foreign != nullptr) {
      json["history"] = {{"format", HistoryFormatName(foreign->table().format())},
                         {"table", foreign->table().table()}};
    }
    PrintJson(json);
  } else {
    context.Say(TargetLine(*driver, context));
    if (foreign != nullptr) {
      context.Say(fmt::format("History: {} ({}'s table, read and written in compat mode)",
                              foreign->table().table(),
                              HistoryFormatName(foreign->table().format())));
    }
    if (source.layout != Layout::kNative) {
      context.Say(fmt::format("Layout: {}", LayoutName(source.layout)));
    }
    context.Say(StatusText(plan));
  }
  return 0;
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command =
      app.add_subcommand("status", "every migration and its state; current version");
  command->add_flag("--allow-out-of-order", options->allow_out_of_order,
                    "do not count pending versions below the current one as problems");
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunStatus(context, *options); };
  });
}

}  // namespace dbshift::cli
