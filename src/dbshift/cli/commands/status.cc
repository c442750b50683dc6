#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"
#include "dbshift/history/foreign_history_driver.h"
#include "dbshift/source/layout.h"

namespace dbshift::cli {
namespace {

struct StatusOptions {
  bool allow_out_of_order = false;
};

// With no history of its own, a database may still carry another tool's:
// name it, so that the next step (adopt, or compat mode) is obvious.
std::vector<HistoryFormat> ForeignHistoriesPresent(Driver& driver) {
  std::vector<HistoryFormat> found;
  const SourceFacts no_facts;  // only Exists() is asked, which needs none
  for (HistoryFormat format : {HistoryFormat::kFlyway, HistoryFormat::kGolangMigrate,
                               HistoryFormat::kDbmate, HistoryFormat::kPopx}) {
    if (!MakeForeignTable(format, DefaultHistoryTable(format), no_facts)->Exists(driver)) continue;
    if (format == HistoryFormat::kGolangMigrate || format == HistoryFormat::kDbmate) {
      // Both tools call it schema_migrations; golang-migrate's has "dirty".
      bool has_dirty = true;
      try {
        driver.Query("SELECT dirty FROM schema_migrations WHERE 1 = 0");
      } catch (const SqlError&) {
        has_dirty = false;
      }
      if (has_dirty != (format == HistoryFormat::kGolangMigrate)) continue;
    }
    found.push_back(format);
  }
  return found;
}

int RunStatus(CommandContext& context, const StatusOptions& options) {
  auto [source, driver, history] = context.LoadSourceConnectAndReadHistory();
  Plan plan = BuildPlan(source, std::move(history).Take(), PlanOptions{options.allow_out_of_order});
  // In compat mode, say whose table this is: it is not dbshift's own.
  const auto* foreign = dynamic_cast<const ForeignHistoryDriver*>(driver.get());
  std::vector<HistoryFormat> others;
  const bool no_history =
      std::none_of(plan.entries.begin(), plan.entries.end(),
                   [](const PlanEntry& entry) { return entry.applied != nullptr; });
  if (foreign == nullptr && no_history) {
    others = ForeignHistoriesPresent(*driver);
  }
  if (context.json()) {
    nlohmann::json json = StatusJson(plan);
    json["layout"] = LayoutName(source.layout);
    if (foreign != nullptr) {
      json["history"] = {{"format", HistoryFormatName(foreign->table().format())},
                         {"table", foreign->table().table()}};
    }
    for (HistoryFormat format : others) {
      json["foreign_history"].push_back(
          {{"format", HistoryFormatName(format)}, {"table", DefaultHistoryTable(format)}});
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
    for (HistoryFormat format : others) {
      const char* name = HistoryFormatName(format);
      context.Say(
          fmt::format("Found {}'s history table {}: `dbshift adopt --from {}` copies it, "
                      "or --history {} works on it as it is.",
                      name, DefaultHistoryTable(format), name, name));
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
  DefineWhenChosen(*command, [command, options] {
    command->add_flag("--allow-out-of-order", options->allow_out_of_order,
                      "do not count pending versions below the current one as problems");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunStatus(context, *options); };
  });
}

}  // namespace dbshift::cli
