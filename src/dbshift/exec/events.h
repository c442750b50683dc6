#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace dbshift {

/// What happened during a run. One flat struct so every sink (terminal, JSON
/// lines, run log) sees the same fields; fields that do not apply to a type
/// stay empty or zero.
struct Event {
  enum class Type {
    kRunStarted,         ///< command, target, run_id, user, host, dry_run
    kMigrationStarted,   ///< version, description, script, kind
    kStatementFinished,  ///< statement_index, line, statement, duration, ok, error
    kMigrationFinished,  ///< version, description, script, duration, ok, error
    kRunFinished,        ///< ok, applied_count, current_version, duration, error
    /// A migration (or, with --single-transaction, the run) that failed on
    /// lock_timeout and was rolled back runs again: version, script, error,
    /// attempt (the try that failed), attempts (allowed), duration (the wait).
    kMigrationRetry,
    kMessage,  ///< message: a note for the operator (warnings, skips)
    /// `up --backup` wrote a backup before applying anything: backup (its
    /// folder), current_version (the version it holds).
    kBackupTaken,
  };
  Type type = Type::kMessage;
  std::string time;  ///< ISO 8601 UTC, filled by the emitter

  // run
  std::string run_id;
  std::string command;  ///< "up", "down", "repair", "baseline"
  std::string target;   ///< redacted URL
  std::string user;
  std::string host;
  bool dry_run = false;

  // migration and statement
  std::string version;
  std::string description;
  std::string script;
  std::string kind;         ///< "versioned", "undo", "repeatable"
  int statement_index = 0;  ///< 1-based within the script
  int line = 0;             ///< 1-based script line of the statement
  std::string statement;    ///< statement text (no COPY data)
  /// True for statements that change schema or permissions (CREATE, ALTER,
  /// DROP, GRANT, REVOKE, ...): the audit log replays these.
  bool ddl = false;
  /// False for statements a dry run lists without executing (scripts it
  /// cannot verify): shown, never run.
  bool executed = true;

  // outcome
  bool ok = true;
  std::string error;  ///< no secrets
  std::chrono::microseconds duration{0};
  int applied_count = 0;
  int attempt = 0;              ///< kMigrationRetry: the 1-based try that failed
  int attempts = 0;             ///< kMigrationRetry: how many tries are allowed
  std::string current_version;  ///< empty when none
  std::string message;
  std::string backup;  ///< kBackupTaken: the backup folder
};

/// "run_started", "migration_started", "statement_finished",
/// "migration_finished", "run_finished", "migration_retry", "message".
const char* EventTypeName(Event::Type type);

/// Receives events. The core never prints; the CLI implements sinks.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
};

/// Sends each event to several sinks in order.
class FanOutSink : public EventSink {
 public:
  void Add(EventSink* sink) { sinks_.push_back(sink); }
  void OnEvent(const Event& event) override {
    for (EventSink* sink : sinks_) sink->OnEvent(event);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace dbshift
