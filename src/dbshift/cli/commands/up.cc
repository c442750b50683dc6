#include <memory>
#include <utility>

#include <fmt/format.h>

#include "dbshift/cli/commands/backup_support.h"
#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {
namespace {

struct UpOptions {
  TargetFlags target;
  bool dry_run = false;
  bool single_transaction = false;
  bool allow_out_of_order = false;
  bool resume = false;
  bool backup = false;
};

int RunUp(CommandContext& context, const UpOptions& options) {
  auto [source, driver, history] = context.LoadSourceConnectAndReadHistory();
  context.Say(TargetLine(*driver, context));

  RunOptions run = MakeRunOptions(context, "up");
  run.dry_run = options.dry_run;
  run.single_transaction = options.single_transaction;
  run.allow_out_of_order = options.allow_out_of_order;
  run.resume = options.resume;
  run.target = ToTarget(options.target);
  run.placeholders = context.placeholders();
  run.backup_before_apply = BackupBeforeApply(context, source, options.backup);
  run.history_before_lock = std::move(history);

  RunSinks sinks(context, run.run_id, options.dry_run);
  Executor executor(*driver, source, sinks.sink(), run);
  return ReportRun(context, executor.Up(), "applied");
}

}  // namespace

void AddUpCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<UpOptions>();
  CLI::App* command = app.add_subcommand("up", "apply pending migrations");
  DefineWhenChosen(*command, [command, options] {
    AddTargetFlags(*command, options->target, "apply up to and including this version");
    command->add_flag("--dry-run", options->dry_run,
                      "print the plan and every statement; execute them in a transaction that is "
                      "rolled back");
    command->add_flag("--single-transaction", options->single_transaction,
                      "apply all pending migrations in one transaction: all or nothing");
    command->add_flag("--allow-out-of-order", options->allow_out_of_order,
                      "apply pending versions lower than the current one");
    command->add_flag("--resume", options->resume,
                      "continue a failed migration from its failing statement, once its cause is "
                      "fixed; the statements before it must be unchanged");
    command->add_flag(
        "--backup", options->backup,
        "take a backup (as `dbshift backup`) under the migration lock before applying "
        "anything; also when the --env environment sets require_backup = true");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunUp(context, *options); };
  });
}

}  // namespace dbshift::cli
