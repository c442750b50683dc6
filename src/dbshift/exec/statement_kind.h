#pragma once

#include <string_view>

namespace dbshift {

/// True when a statement changes schema or permissions (CREATE, ALTER, DROP,
/// TRUNCATE, RENAME, COMMENT, GRANT, REVOKE, REINDEX, CLUSTER): the audit log
/// marks these so they can be replayed elsewhere. `text` starts at the
/// statement's first token, as the splitter gives it.
bool IsSchemaOrPermissionStatement(std::string_view text);

/// True when a statement ends or starts a transaction (BEGIN, START
/// TRANSACTION, COMMIT, END, ROLLBACK but not ROLLBACK TO, ABORT, PREPARE
/// TRANSACTION): inside a migration's own transaction such a statement would
/// commit half a migration, or make a dry run real.
bool IsTransactionControl(std::string_view text);

}  // namespace dbshift
