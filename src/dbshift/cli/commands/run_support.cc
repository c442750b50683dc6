#include "dbshift/cli/commands/run_support.h"

#include <cstdio>

#include <fmt/format.h>

#include "dbshift/cli/commands/script_selection.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"

namespace dbshift::cli {

RunOptions MakeRunOptions(CommandContext& context, const std::string& command) {
  RunOptions options;
  options.command = command;
  options.run_id = NewRunId();
  options.lock = context.lock_policy();
  options.lint = LintSettings(context);
  const StatementLimits limits = ResolveStatementLimits(context.config(), context.options().env);
  options.default_lock_timeout = limits.lock_timeout.value_or(options.default_lock_timeout);
  options.default_statement_timeout =
      limits.statement_timeout.value_or(options.default_statement_timeout);
  options.lock_timeout_tries = limits.lock_timeout_tries.value_or(options.lock_timeout_tries);
  options.lock_timeout_backoff = limits.lock_timeout_backoff.value_or(options.lock_timeout_backoff);
  return options;
}

RunSinks::RunSinks(CommandContext& context, const std::string& run_id, bool show_statements)
    : terminal_(context, show_statements || context.options().verbose > 0),
      run_log_(context.OpenRunLog(run_id)) {
  fan_out_.Add(&terminal_);
  if (run_log_) fan_out_.Add(run_log_.get());
}

namespace {

// A statement's first line, shortened: enough to recognise it in a listing.
std::string FirstLine(const std::string& text) {
  constexpr std::size_t kMax = 100;
  const std::size_t end = text.find('\n');
  std::string line = text.substr(0, end);
  bool shortened = end != std::string::npos;
  if (line.size() > kMax) {
    line.resize(kMax);
    shortened = true;
  }
  return shortened ? line + " ..." : line;
}

}  // namespace

int ReportRun(const CommandContext& context, const RunResult& result, const std::string& verb) {
  if (context.json()) {
    PrintJson(RunJson(result));
  } else {
    context.Say(RunSummaryText(result, verb));
  }
  if (!result.failure) return 0;
  const RunFailure& failure = *result.failure;
  std::string where =
      failure.line > 0 ? fmt::format("{}:{}", failure.file, failure.line) : failure.file;
  const std::string tries =
      failure.tries > 1 ? fmt::format(" on each of {} tries", failure.tries) : "";
  std::string text = fmt::format("error: {}: migration {} failed{}: {}", where, failure.version,
                                 tries, failure.message);
  if (failure.whole_run_rolled_back) {
    text += "\n  the whole run was one transaction and was rolled back; nothing was applied";
  } else if (failure.rolled_back) {
    text += "\n  its transaction was rolled back; the migrations before it stay applied";
  } else {
    text += fmt::format(
        "\n  it ran outside a transaction (DDL commits at once on MySQL and MariaDB) and is "
        "recorded as failed at statement {} of {}",
        failure.statement_index, failure.statements_total);
    if (failure.applied_statements.empty()) {
      text += "\n  no statement of it had been applied";
    } else {
      text += fmt::format(
          "\n  {} statement{} before it stay applied:", failure.applied_statements.size(),
          failure.applied_statements.size() == 1 ? "" : "s");
      for (const RunFailure::AppliedStatement& statement : failure.applied_statements) {
        text += fmt::format("\n    {}. line {}: {}", statement.index, statement.line,
                            FirstLine(statement.text));
      }
    }
    // An undo is not resumed by up: only a person can finish or revert it.
    text += verb == "applied"
                ? "\n  fix the cause and run `dbshift up --resume` to continue from the failing "
                  "statement, or undo the applied statements by hand and run `dbshift repair`"
                : "\n  finish or revert the statements by hand, then run `dbshift repair`";
  }
  std::fputs((text + "\n").c_str(), stderr);
  return static_cast<int>(ExitCode::kMigrationFailed);
}

}  // namespace dbshift::cli
