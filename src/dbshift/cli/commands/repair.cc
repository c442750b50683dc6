#include "dbshift/exec/repair.h"

#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/prompt.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {
namespace {

nlohmann::json RepairJson(const std::vector<RepairAction>& actions) {
  static constexpr const char* kTypeNames[] = {"remove_failed", "realign_checksum",
                                               "remove_missing"};
  nlohmann::json list = nlohmann::json::array();
  for (const RepairAction& action : actions) {
    list.push_back({{"action", kTypeNames[static_cast<int>(action.type)]},
                    {"version", action.version},
                    {"script", action.script},
                    {"message", action.message}});
  }
  return {{"repaired", list}};
}

int RunRepairCommand(CommandContext& context) {
  auto [source, driver] = context.LoadSourceAndConnect();
  context.Say(TargetLine(*driver, context));

  std::vector<HistoryRow> history = driver->ReadHistory();
  std::vector<RepairAction> actions =
      PlanRepair(BuildPlan(source, history, PlanOptions{true}), history);
  if (actions.empty()) {
    if (context.json()) PrintJson(RepairJson(actions));
    context.Say("Nothing to repair.");
    return 0;
  }
  std::string listing;
  bool partial = false;
  for (const RepairAction& action : actions) {
    listing += "\n  - " + action.message;
    partial = partial || action.statements_applied > 0;
  }
  // Removing a half-applied entry is only right once its applied statements
  // are gone: the operator must say so, not just agree to a repair.
  const char* question = partial ? "Have the applied statements listed above been undone by hand? "
                                   "(If not, answer no and run dbshift up --resume instead.)"
                                 : "Proceed?";
  // Shown whether or not there is a terminal to ask on: a refusal says
  // what would have been done.
  context.Note(fmt::format("Repair the history on {}:{}", driver->Target(), listing));
  if (!Confirm(question, context.options().yes)) {
    context.Note("Nothing was repaired.");
    return static_cast<int>(ExitCode::kUsage);
  }
  RunOptions run = MakeRunOptions(context, "repair");
  RunSinks sinks(context, run.run_id, false);
  std::vector<RepairAction> done = RunRepair(*driver, source, sinks.sink(), run, actions);
  if (context.json()) {
    PrintJson(RepairJson(done));
  } else {
    context.Say(fmt::format("Repaired {} entr{}.", done.size(), done.size() == 1 ? "y" : "ies"));
  }
  return 0;
}

}  // namespace

void AddRepairCommand(CLI::App& app, CommandRunner& selected) {
  CLI::App* command = app.add_subcommand(
      "repair", "clear failed entries, realign checksums, forget missing files (asks first)");
  DefineWhenChosen(*command, [command, &selected] {
    command->callback([&selected] { selected = RunRepairCommand; });
  });
}

}  // namespace dbshift::cli
