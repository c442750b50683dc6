#include "dbshift/exec/script_runner.h"

#include <algorithm>

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
  return "sha256:" + Sha256Hex(joined);
}

ScriptOutcome RunScript(Driver& driver, const std::vector<Statement>& statements, std::size_t first,
                        EventSink& sink, const Event& identity, bool in_transaction) {
  using Clock = std::chrono::steady_clock;
  ScriptOutcome outcome;
  outcome.statements_total = static_cast<int>(statements.size());
  outcome.statements_done = static_cast<int>(std::min(first, statements.size()));
  const Clock::time_point script_start = Clock::now();
  for (std::size_t i = first; i < statements.size(); ++i) {
    const Statement& statement = statements[i];
    Event event = MakeEvent(identity, Event::Type::kStatementFinished);
    event.statement_index = outcome.statements_done + 1;
    event.line = statement.line;
    event.statement = statement.text;
    event.ddl = IsSchemaOrPermissionStatement(statement.text);
    const Clock::time_point start = Clock::now();
    try {
      if (in_transaction && IsTransactionControl(statement.text)) {
        throw SqlError(
            "transaction control is not allowed here: the migration already runs in a "
            "transaction that dbshift commits with its history row (remove the statement, or "
            "mark the script -- dbshift:no-transaction)",
            "");
      }
      driver.Execute(statement);
    } catch (const SqlError& error) {
      event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
      event.ok = false;
      event.error = error.what();
      event.line = LineOfPosition(statement, error.position());
      sink.OnEvent(event);
      outcome.ok = false;
      outcome.failed_line = event.line;
      outcome.error = error.what();
      outcome.sqlstate = error.context().sqlstate;
      break;
    }
    event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    sink.OnEvent(event);
    ++outcome.statements_done;
  }
  outcome.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - script_start);
  return outcome;
}

}  // namespace dbshift
