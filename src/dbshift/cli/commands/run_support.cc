#include "dbshift/cli/commands/run_support.h"

#include <cstdio>

#include <fmt/format.h>

#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"

namespace dbshift::cli {

RunOptions MakeRunOptions(CommandContext& context, const std::string& command) {
  RunOptions options;
  options.command = command;
  options.run_id = NewRunId();
  options.lock = context.lock_policy();
  return options;
}

RunSinks::RunSinks(CommandContext& context, const std::string& run_id, bool show_statements)
    : terminal_(context, show_statements || context.options().verbose > 0),
      run_log_(context.OpenRunLog(run_id)) {
  fan_out_.Add(&terminal_);
  if (run_log_) fan_out_.Add(run_log_.get());
}

int ReportRun(const CommandContext& context, const RunResult& result, const std::string& verb) {
  if (context.json()) {
    PrintJson(RunJson(result));
  } else {
    context.Say(RunSummaryText(result, verb));
  }
  if (!result.failure) return 0;
  const RunFailure& failure = *result.failure;
  std::string where = failure.line > 0 ? fmt::format("{}:{}", failure.file, failure.line) : failure.file;
  std::string text = fmt::format("error: {}: migration {} failed: {}", where, failure.version,
                                 failure.message);
  if (failure.whole_run_rolled_back) {
    text += "\n  the whole run was one transaction and was rolled back; nothing was applied";
  } else if (failure.rolled_back) {
    text += "\n  its transaction was rolled back; the migrations before it stay applied";
  } else {
    text +=
        "\n  it ran outside a transaction and is recorded as failed; fix the database by hand, "
        "then run `dbshift repair`";
  }
  std::fputs((text + "\n").c_str(), stderr);
  return static_cast<int>(ExitCode::kMigrationFailed);
}

}  // namespace dbshift::cli
