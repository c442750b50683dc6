#include "dbshift/exec/script_runner.h"

#include "dbshift/common/error.h"
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

ScriptOutcome RunScript(Driver& driver, const Migration& migration, EventSink& sink,
                        const Event& identity, bool in_transaction) {
  using Clock = std::chrono::steady_clock;
  const std::vector<Statement> statements = SplitStatements(migration.sql, driver.dialect());
  ScriptOutcome outcome;
  outcome.statements_total = static_cast<int>(statements.size());
  const Clock::time_point script_start = Clock::now();
  for (const Statement& statement : statements) {
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
