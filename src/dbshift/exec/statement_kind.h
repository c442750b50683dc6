#pragma once

#include <string_view>

namespace dbshift {

/// True when a statement changes schema or permissions (CREATE, ALTER, DROP,
/// TRUNCATE, RENAME, COMMENT, GRANT, REVOKE, REINDEX, CLUSTER): the audit log
/// marks these so they can be replayed elsewhere. `text` starts at the
/// statement's first token, as the splitter gives it.
bool IsSchemaOrPermissionStatement(std::string_view text);

}  // namespace dbshift
