#pragma once

// What backup and restore agree on about a PostgreSQL database: which
// objects are the user's (not the server's, not an extension's), and how a
// name is written in SQL.

#include <string>
#include <string_view>
#include <vector>

#include "dbshift/driver/driver.h"

namespace dbshift::backup {

/// SQL condition on pg_namespace aliased `n`: a schema of the user's, not
/// pg_catalog, information_schema, TOAST or temporary schemas.
inline constexpr const char* kPostgresUserSchema =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// SQL condition: the pg_class row aliased `c` is not part of an extension
/// (CREATE EXTENSION makes those again).
inline constexpr const char* kPostgresNotFromExtension =
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = c.oid AND d.deptype = 'e')";

/// "name", always quoted (correct for every name; these strings are SQL,
/// never shown).
std::string QuotePostgresName(std::string_view name);
/// "schema"."name".
std::string QualifiedPostgresName(std::string_view schema, std::string_view name);
/// 'text' as a string literal.
std::string PostgresLiteral(std::string_view text);

/// `"a", "b"`: a column list for COPY.
std::string PostgresColumnList(const std::vector<std::string>& columns);

/// The user's relations and functions in the database `driver` is on
/// ("schema.name"), sorted: empty for a database restore may write into.
std::vector<std::string> PostgresUserObjects(Driver& driver);

}  // namespace dbshift::backup
