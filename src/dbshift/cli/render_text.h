#pragma once

#include <string>

#include "dbshift/cli/context.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/plan/plan.h"

namespace dbshift::cli {

/// Prints a run's progress for people: one line per migration, and every
/// statement when `show_statements` (dry-run, -v). Notes go to stderr. In
/// JSON mode it prints only notes, to stderr.
class TerminalSink : public EventSink {
 public:
  TerminalSink(const CommandContext& context, bool show_statements)
      : context_(context), show_statements_(show_statements) {}
  void OnEvent(const Event& event) override;

 private:
  const CommandContext& context_;
  bool show_statements_;
};

/// The status table: version, description, state, applied at; problems
/// explained under it.
std::string StatusText(const Plan& plan);

/// One line per applied migration is already printed by TerminalSink; this
/// is the closing summary of up/down (and the failure, if any).
std::string RunSummaryText(const RunResult& result, const std::string& verb);

}  // namespace dbshift::cli
