#pragma once

#include <chrono>
#include <string>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// What happened when a script ran. A failing statement is an expected
/// outcome here (a value), not an exception: the executor decides whether
/// to roll back or record the migration as failed.
struct ScriptOutcome {
  bool ok = true;
  int statements_done = 0;   ///< statements that completed
  int statements_total = 0;
  int failed_line = 0;       ///< script line of the failing statement (and error position)
  std::string error;         ///< engine message of the failure
  std::string sqlstate;
  std::chrono::microseconds duration{0};
};

/// Splits `migration.sql` in the driver's dialect and executes each
/// statement, emitting a kStatementFinished event (text, line, duration,
/// outcome, DDL flag) for each. Stops at the first failing statement.
/// Transaction control is the caller's: when `in_transaction`, a statement
/// that would end the transaction (COMMIT, ROLLBACK, BEGIN, ...) fails the
/// script at its line without being executed. Connection loss (ConnectError)
/// and other non-SQL failures propagate as exceptions.
ScriptOutcome RunScript(Driver& driver, const Migration& migration, EventSink& sink,
                        const Event& identity, bool in_transaction);

/// Emits a kStatementFinished event with executed=false for every statement
/// of `migration`, running nothing: a dry run shows what it cannot verify.
void ListScript(Dialect dialect, const Migration& migration, EventSink& sink,
                const Event& identity);

/// A copy of `identity` (run id, command, version, ...) typed `type` and
/// timestamped now.
Event MakeEvent(const Event& identity, Event::Type type);

}  // namespace dbshift
