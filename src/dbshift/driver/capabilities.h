#pragma once

namespace dbshift {

/// What an engine can do; the executor chooses its policy from these.
struct Capabilities {
  /// DDL can be rolled back: the history row commits with the migration and
  /// a dry-run can execute and roll back.
  bool transactional_ddl = false;
  /// Lock and statement timeouts can be set per session.
  bool lock_timeout = false;
  bool statement_timeout = false;
};

}  // namespace dbshift
