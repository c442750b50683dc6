#include "dbshift/log/event_json.h"

#include <string>

namespace dbshift {
namespace {

void PutIfSet(nlohmann::json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

void PutIfSet(nlohmann::json& out, const char* key, int value) {
  if (value != 0) out[key] = value;
}

bool IsFinished(Event::Type type) {
  return type == Event::Type::kStatementFinished || type == Event::Type::kMigrationFinished ||
         type == Event::Type::kRunFinished;
}

}  // namespace

nlohmann::json EventToJson(const Event& event) {
  nlohmann::json out = nlohmann::json::object();
  out["event"] = EventTypeName(event.type);
  // Always present, so every line of the run log can be ordered in time.
  out["time"] = event.time;

  PutIfSet(out, "run_id", event.run_id);
  PutIfSet(out, "command", event.command);
  PutIfSet(out, "target", event.target);
  PutIfSet(out, "user", event.user);
  PutIfSet(out, "host", event.host);
  if (event.dry_run) out["dry_run"] = true;

  PutIfSet(out, "version", event.version);
  PutIfSet(out, "description", event.description);
  PutIfSet(out, "script", event.script);
  PutIfSet(out, "kind", event.kind);
  PutIfSet(out, "statement_index", event.statement_index);
  PutIfSet(out, "line", event.line);
  PutIfSet(out, "statement", event.statement);
  if (event.ddl) out["ddl"] = true;
  if (!event.executed) out["executed"] = false;

  if (IsFinished(event.type)) {
    // The outcome and the time it took apply to every finished event, even
    // when they are the zero values: a reader should not have to guess.
    out["ok"] = event.ok;
    out["duration_ms"] = static_cast<double>(event.duration.count()) / 1000.0;
  } else if (event.duration.count() != 0) {
    out["duration_ms"] = static_cast<double>(event.duration.count()) / 1000.0;
  }
  PutIfSet(out, "error", event.error);
  if (event.type == Event::Type::kRunFinished) {
    out["applied_count"] = event.applied_count;
  } else {
    PutIfSet(out, "applied_count", event.applied_count);
  }
  PutIfSet(out, "current_version", event.current_version);
  PutIfSet(out, "attempt", event.attempt);
  PutIfSet(out, "attempts", event.attempts);
  PutIfSet(out, "message", event.message);
  PutIfSet(out, "backup", event.backup);
  return out;
}

}  // namespace dbshift
