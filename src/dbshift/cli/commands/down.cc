#include <memory>
#include <utility>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/prompt.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {
namespace {

struct DownOptions {
  TargetFlags target;
  bool dry_run = false;
  bool single_transaction = false;
};

int RunDown(CommandContext& context, const DownOptions& options) {
  auto [source, driver, history] = context.LoadSourceConnectAndReadHistory();
  context.Say(TargetLine(*driver, context));

  RunOptions run = MakeRunOptions(context, "down");
  run.dry_run = options.dry_run;
  run.single_transaction = options.single_transaction;
  run.target = ToTarget(options.target);
  run.placeholders = context.placeholders();

  // Preview without the lock, so a person deciding at the prompt does not
  // hold up deploys; the executor checks under the lock that nothing moved.
  Plan preview = BuildPlan(source, std::move(history).Take(), PlanOptions{true});
  std::vector<const PlanEntry*> selected = SelectDown(preview, source, run.target);
  if (selected.empty()) {
    RunResult nothing;
    nothing.dry_run = options.dry_run;
    if (preview.current_version) nothing.current_version = preview.current_version->text();
    return ReportRun(context, nothing, "undone");
  }
  std::vector<std::string> versions;
  std::vector<const Migration*> undo_scripts;
  std::string listing;
  for (const PlanEntry* entry : selected) {
    versions.push_back(entry->version->text());
    undo_scripts.push_back(source.FindUndo(*entry->version));
    listing += fmt::format("\n  {} {} (undo: {})", entry->version->text(), entry->description,
                           undo_scripts.back()->script);
  }
  // Refuse before asking: a confirmed undo must not stop on a missing value.
  CheckPlaceholdersDefined(undo_scripts, run.placeholders);
  std::string question = fmt::format("Undo {} migration{} on {}?{}\nProceed?", selected.size(),
                                     selected.size() == 1 ? "" : "s", driver->Target(), listing);
  if (!Confirm(question, context.options().yes || options.dry_run)) {
    context.Note("Nothing was undone.");
    return static_cast<int>(ExitCode::kUsage);
  }

  RunSinks sinks(context, run.run_id, options.dry_run);
  Executor executor(*driver, source, sinks.sink(), run);
  return ReportRun(context, executor.Down(versions), "undone");
}

}  // namespace

void AddDownCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<DownOptions>();
  CLI::App* command =
      app.add_subcommand("down", "undo applied migrations (asks first; --yes without a terminal)");
  DefineWhenChosen(*command, [command, options] {
    AddTargetFlags(*command, options->target, "undo every migration above this version");
    command->add_flag(
        "--dry-run", options->dry_run,
        "print every undo statement; execute them in a transaction that is rolled back");
    command->add_flag("--single-transaction", options->single_transaction,
                      "undo all selected migrations in one transaction");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunDown(context, *options); };
  });
}

}  // namespace dbshift::cli
