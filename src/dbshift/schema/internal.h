#pragma once

// Private to schema/: the engines' readers behind ReadSchema and the pieces
// they share.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift::schema::internal {

Snapshot ReadPostgresSchema(Driver& driver, const std::string& history_table);
Snapshot ReadSqliteSchema(Driver& driver, const std::string& history_table);

/// One row of Driver::Query.
using Row = std::vector<std::optional<std::string>>;

/// The cell as text; "" for NULL.
const std::string& Text(const Row& row, std::size_t column);

/// Sorts `objects` by (kind, name) and returns the first of two that share
/// both, or nullptr.
const SchemaObject* SortAndFindTwin(std::vector<SchemaObject>& objects);

/// The parts joined by '.'; a part that holds '.' or '"' is double-quoted
/// (with '"' doubled), so that "a.b" + "c" and "a" + "b.c" stay apart.
std::string QualifiedName(std::initializer_list<std::string_view> parts);

/// `words` joined by single spaces, empty ones left out.
std::string JoinWords(std::initializer_list<std::string_view> words);

/// SQL text as a user wrote it, in one canonical spelling: comments removed,
/// every run of whitespace one space, none at either end. Quoted text
/// ('...', "...", `...`, [...], and with `dollar_quotes` PostgreSQL's
/// $tag$...$tag$) is kept byte for byte.
std::string NormalizeSqlText(std::string_view sql, bool dollar_quotes);

/// What follows the parenthesised column list of a normalised CREATE TABLE
/// (SQLite's "WITHOUT ROWID", "STRICT"); "" when nothing does.
std::string TextAfterColumnList(std::string_view normalized_sql);

/// The parenthesised expressions that follow the keyword CHECK (outside
/// quoted text) in normalised SQL, each as "CHECK (...)", in text order.
std::vector<std::string> CheckClauses(std::string_view normalized_sql);

}  // namespace dbshift::schema::internal
