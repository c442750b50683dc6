#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/source/migration.h"
#include "dbshift/sql/statement.h"

namespace dbshift {

/// What happened when a script ran. A failing statement is an expected
/// outcome here (a value), not an exception: the executor decides whether
/// to roll back or record the migration as failed.
struct ScriptOutcome {
  bool ok = true;
  int statements_done = 0;  ///< statements that completed
  int statements_total = 0;
  int failed_line = 0;  ///< script line of the failing statement (and error position)
  std::string error;    ///< engine message of the failure
  std::string sqlstate;
  std::chrono::microseconds duration{0};
};

/// Executes statements[first..] (the statements of one script, split in the
/// driver's dialect), emitting a kStatementFinished event (text, line,
/// duration, outcome, DDL flag, 1-based index in the script) for each.
/// Stops at the first failing statement. statements_done counts from the
/// script's start, so statements before `first` count as done.
/// Transaction control is the caller's: when `in_transaction`, a statement
/// that would end the transaction (COMMIT, ROLLBACK, BEGIN, ...) fails the
/// script at its line without being executed. Connection loss (ConnectError)
/// and other non-SQL failures propagate as exceptions.
ScriptOutcome RunScript(Driver& driver, const std::vector<Statement>& statements, std::size_t first,
                        EventSink& sink, const Event& identity, bool in_transaction);

/// "sha256:<hex>" of the first `count` statements' texts: what a failed run
/// records, so that a resumed run can tell those statements are unchanged.
std::string StatementsChecksum(const std::vector<Statement>& statements, std::size_t count);

/// Emits a kStatementFinished event with executed=false for every statement
/// of `migration`, running nothing: a dry run shows what it cannot verify.
void ListScript(Dialect dialect, const Migration& migration, EventSink& sink,
                const Event& identity);

/// A copy of `identity` (run id, command, version, ...) typed `type` and
/// timestamped now.
Event MakeEvent(const Event& identity, Event::Type type);

}  // namespace dbshift
