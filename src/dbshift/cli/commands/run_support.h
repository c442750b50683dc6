#pragma once

#include <memory>
#include <string>

#include "dbshift/cli/context.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"

namespace dbshift::cli {

/// Run options common to every command that changes the database: a new
/// run id and the lock policy.
RunOptions MakeRunOptions(CommandContext& context, const std::string& command);

/// The sinks of a run: the terminal, and the run log.
class RunSinks {
 public:
  RunSinks(CommandContext& context, const std::string& run_id, bool show_statements);
  EventSink& sink() { return fan_out_; }

 private:
  TerminalSink terminal_;
  std::unique_ptr<EventSink> run_log_;
  FanOutSink fan_out_;
};

/// Prints the result of up/down (JSON document or text summary, the failure
/// on stderr) and returns the exit code.
int ReportRun(const CommandContext& context, const RunResult& result, const std::string& verb);

}  // namespace dbshift::cli
