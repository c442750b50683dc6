#pragma once

// What backup and restore share about a PostgreSQL database: how a name is
// written in SQL, which objects are the user's (the schema reader's
// conditions, schema/postgres_user_objects.h), and in what order tables go.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/driver/driver.h"

namespace dbshift::backup {

/// How long a backup or restore connection may take to connect.
inline constexpr std::chrono::milliseconds kPostgresConnectTimeout{10000};

/// A text cell; NULL as "".
inline std::string CellText(const std::optional<std::string>& cell) { return cell.value_or(""); }

/// The order to start work items of these sizes in, biggest first, so that
/// the last to finish on a pool of connections is a small one.
std::vector<std::size_t> BiggestFirst(const std::vector<std::uint64_t>& sizes);

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
