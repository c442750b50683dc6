#include "dbshift/exec/script_runner.h"

#include <algorithm>
#include <span>

#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"
#include "dbshift/common/system_info.h"
#include "dbshift/exec/statement_kind.h"
#include "dbshift/sql/statement.h"

namespace dbshift {

Event MakeEvent(const Event& identity, Event::Type type) {
  Event event = identity;
  event.type = type;
  event.time = NowUtcIso8601();
  return event;
}

void ListScript(Dialect dialect, const Migration& migration, EventSink& sink,
                const Event& identity) {
  int index = 0;
  for (const Statement& statement : SplitStatements(migration.sql, dialect)) {
    Event event = MakeEvent(identity, Event::Type::kStatementFinished);
    event.statement_index = ++index;
    event.line = statement.line;
    event.statement = statement.text;
    event.ddl = IsSchemaOrPermissionStatement(statement.text);
    event.executed = false;
    sink.OnEvent(event);
  }
}

std::string StatementsChecksum(const std::vector<Statement>& statements, std::size_t count) {
  std::string joined;
  for (std::size_t i = 0; i < count && i < statements.size(); ++i) {
    joined += statements[i].text;
    joined += '\0';  // never inside a statement: "a;b" and "a" + "b" differ
  }
  return Sha256Hex(joined, "sha256:");
}

ScriptOutcome RunScript(Driver& driver, const std::vector<Statement>& statements, std::size_t first,
                        EventSink& sink, const Event& identity, bool in_transaction) {
  using Clock = std::chrono::steady_clock;
  ScriptOutcome outcome;
  outcome.statements_total = static_cast<int>(statements.size());
  first = std::min(first, statements.size());
  outcome.statements_done = static_cast<int>(first);
  const auto statement_event = [&](std::size_t i) {
    Event event = MakeEvent(identity, Event::Type::kStatementFinished);
    event.statement_index = static_cast<int>(i) + 1;
    event.line = statements[i].line;
    event.statement = statements[i].text;
    event.ddl = IsSchemaOrPermissionStatement(statements[i].text);
    return event;
  };
  // Transaction control inside the migration's own transaction is refused
  // where it stands: the statements before it run.
  std::size_t end = statements.size();
  if (in_transaction) {
    for (std::size_t i = first; i < end; ++i) {
      if (IsTransactionControl(statements[i].text)) end = i;
    }
  }
  const Clock::time_point script_start = Clock::now();
  // Each statement's time runs from the end of the one before it: when the
  // driver sends several at once, the server starts each as the one before
  // it ends.
  Clock::time_point start = script_start;
  std::size_t next = first;
  try {
    driver.ExecuteAll(std::span(statements).subspan(first, end - first), [&](std::size_t) {
      const Clock::time_point now = Clock::now();
      Event event = statement_event(next);
      event.duration = std::chrono::duration_cast<std::chrono::microseconds>(now - start);
      start = now;
      sink.OnEvent(event);
      ++next;
      ++outcome.statements_done;
    });
    if (end < statements.size()) {
      throw SqlError(
          "transaction control is not allowed here: the migration already runs in a "
          "transaction that dbshift commits with its history row (remove the statement, or "
          "mark the script -- dbshift:no-transaction)",
          "");
    }
  } catch (const SqlError& error) {
    // The statement that failed is the one after the last that finished.
    next = std::min(next, statements.size() - 1);
    Event event = statement_event(next);
    event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    event.ok = false;
    event.error = error.what();
    event.line = LineOfPosition(statements[next], error.position());
    sink.OnEvent(event);
    outcome.ok = false;
    outcome.failed_line = event.line;
    outcome.error = error.what();
    outcome.sqlstate = error.context().sqlstate;
  }
  outcome.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - script_start);
  return outcome;
}

}  // namespace dbshift
