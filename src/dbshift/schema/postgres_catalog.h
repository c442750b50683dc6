#pragma once

// Private to schema/: what the PostgreSQL readers share. Their queries run
// with search_path = pg_catalog (see ReadPostgresSchema), so catalog names
// need no qualification and every user name in a definition comes
// schema-qualified.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/schema/internal.h"
#include "dbshift/schema/postgres_user_objects.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift::schema::internal::postgres {

/// SQL expression: the schema-qualified, quoted name of collation `oid`.
std::string CollationName(std::string_view oid);

/// Whether a boolean cell is true.
bool IsTrue(const Row& row, std::size_t column);

/// "AS bigint START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807
/// NO CYCLE" from six cells starting at `first`: type, start, increment,
/// min, max, cycle (the current value is data, not schema).
std::string SequenceOptions(const Row& row, std::size_t first);

/// Tables, columns, indexes, constraints, views and materialized views,
/// apart from the table `history_table` and what hangs on it.
void ReadRelations(Driver& driver, const std::string& history_table,
                   std::vector<SchemaObject>& objects);

/// Schemas, extensions, functions and procedures, triggers, sequences,
/// types and domains.
void ReadOtherObjects(Driver& driver, const std::string& history_table,
                      std::vector<SchemaObject>& objects);

}  // namespace dbshift::schema::internal::postgres
