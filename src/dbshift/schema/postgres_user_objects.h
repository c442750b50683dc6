#pragma once

// Which PostgreSQL objects are the user's, as SQL conditions: the schema
// reader, backup and restore must agree on it, or a backup would hold a
// table the schema does not show (or the reverse).

#include <string>
#include <string_view>

namespace dbshift::schema {

/// SQL condition on pg_namespace aliased `n`: a schema of the user's, not a
/// system one (catalogs, information_schema, TOAST, sessions' temporary
/// schemas).
std::string PostgresUserSchema();

/// SQL condition: the object `oid` (an SQL expression) of the catalog
/// `catalog` ("pg_class", "pg_proc", ...) is the user's: it lives in the
/// namespace aliased `n`, which PostgresUserSchema accepts, and no
/// extension created it (CREATE EXTENSION did, not the migrations).
std::string PostgresUserObject(std::string_view catalog, std::string_view oid);

}  // namespace dbshift::schema
