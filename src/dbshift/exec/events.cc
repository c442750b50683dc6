#include "dbshift/exec/events.h"

namespace dbshift {

const char* EventTypeName(Event::Type type) {
  switch (type) {
    case Event::Type::kRunStarted:
      return "run_started";
    case Event::Type::kMigrationStarted:
      return "migration_started";
    case Event::Type::kStatementFinished:
      return "statement_finished";
    case Event::Type::kMigrationFinished:
      return "migration_finished";
    case Event::Type::kRunFinished:
      return "run_finished";
    case Event::Type::kMigrationRetry:
      return "migration_retry";
    case Event::Type::kMessage:
      return "message";
    case Event::Type::kBackupTaken:
      return "backup_taken";
  }
  // Unreachable with a valid enum value; -Wswitch flags a missing case.
  return "unknown";
}

}  // namespace dbshift
