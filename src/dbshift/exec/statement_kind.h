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

/// MySQL / MariaDB: true when the server commits the open transaction
/// before (or after) running the statement, so it cannot be rolled back:
/// schema and permission statements, LOCK/UNLOCK TABLES, table maintenance
/// (ANALYZE, OPTIMIZE, REPAIR, CHECK), FLUSH, RESET, INSTALL/UNINSTALL,
/// CACHE INDEX, LOAD INDEX, SET PASSWORD, and CALL (a procedure may do any
/// of these, and its body is not visible here).
bool CommitsImplicitlyOnMysql(std::string_view text);

}  // namespace dbshift
