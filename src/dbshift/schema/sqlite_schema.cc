// ReadSchema for SQLite: sqlite_schema and the table pragmas.
//
// SQLite keeps each object's CREATE statement as the user wrote it, and
// ALTER TABLE ADD COLUMN edits that text in place, so a table's statement
// depends on the path that built it. Tables are therefore read as their
// columns (pragma_table_xinfo) plus the table-wide parts: options, primary
// key, unique and foreign keys, checks. Indexes, views and triggers are
// their statements with whitespace and comments normalised.

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dbshift/common/text.h"
#include "dbshift/schema/internal.h"

namespace dbshift::schema::internal {
namespace {

std::vector<std::string> Column(const QueryRows& rows) {
  std::vector<std::string> values;
  for (const Row& row : rows) values.push_back(Text(row, 0));
  return values;
}

std::string ColumnDefinition(const Row& row) {
  const std::string& default_value = Text(row, 3);
  const std::string& hidden = Text(row, 4);
  const char* generated = hidden == "2"   ? "GENERATED VIRTUAL"
                          : hidden == "3" ? "GENERATED STORED"
                          : hidden == "1" ? "HIDDEN"
                                          : "";
  return JoinWords(
      {Text(row, 1), Text(row, 2) == "1" ? "NOT NULL" : "",
       default_value.empty() ? "" : "DEFAULT " + NormalizeSqlText(default_value, false),
       generated});
}

void ReadColumns(Driver& driver, const std::string& table, std::vector<SchemaObject>& objects) {
  for (const Row& row : driver.Query(
           "SELECT name, type, \"notnull\", dflt_value, hidden FROM pragma_table_xinfo($1)",
           {table})) {
    objects.push_back({"column", QualifiedName({table, Text(row, 0)}), ColumnDefinition(row)});
  }
}

// UNIQUE constraints, which SQLite keeps as automatic indexes without SQL.
std::vector<std::string> UniqueKeys(Driver& driver, const std::string& table) {
  std::vector<std::string> keys;
  for (const Row& index : driver.Query(
           "SELECT name FROM pragma_index_list($1) WHERE origin = 'u' ORDER BY name", {table})) {
    const std::vector<std::string> columns = Column(
        driver.Query("SELECT name FROM pragma_index_info($1) ORDER BY seqno", {Text(index, 0)}));
    keys.push_back(fmt::format("UNIQUE ({})", fmt::join(columns, ", ")));
  }
  return keys;
}

std::vector<std::string> ForeignKeys(Driver& driver, const std::string& table) {
  const QueryRows rows = driver.Query(
      "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete"
      " FROM pragma_foreign_key_list($1) ORDER BY id, seq",
      {table});
  std::vector<std::string> keys;
  std::size_t i = 0;
  while (i < rows.size()) {
    std::vector<std::string> from;
    std::vector<std::string> to;
    const std::size_t first = i;
    for (; i < rows.size() && Text(rows[i], 0) == Text(rows[first], 0); ++i) {
      from.push_back(Text(rows[i], 2));
      if (!Text(rows[i], 3).empty()) to.push_back(Text(rows[i], 3));
    }
    const Row& key = rows[first];
    keys.push_back(fmt::format("FOREIGN KEY ({}) REFERENCES {}{} ON UPDATE {} ON DELETE {}",
                               fmt::join(from, ", "), Text(key, 1),
                               to.empty() ? "" : fmt::format(" ({})", fmt::join(to, ", ")),
                               Text(key, 4), Text(key, 5)));
  }
  return keys;
}

// The table-wide parts of a table, each kind in a fixed order, since the
// order in which they were written means nothing.
std::string TableDefinition(Driver& driver, const std::string& table, const std::string& sql) {
  const std::string normalized = NormalizeSqlText(sql, false);
  if (AsciiLower(normalized).starts_with("create virtual table")) return normalized;
  const std::vector<std::string> primary_key = Column(
      driver.Query("SELECT name FROM pragma_table_xinfo($1) WHERE pk > 0 ORDER BY pk", {table}));
  std::vector<std::string> parts;
  if (!primary_key.empty()) {
    parts.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(primary_key, ", ")));
  }
  for (std::vector<std::string> group :
       {UniqueKeys(driver, table), ForeignKeys(driver, table), CheckClauses(normalized)}) {
    std::sort(group.begin(), group.end());
    parts.insert(parts.end(), group.begin(), group.end());
  }
  std::string definition = fmt::format("{}", fmt::join(parts, ", "));
  return JoinWords({definition, TextAfterColumnList(normalized)});
}

}  // namespace

Snapshot ReadSqliteSchema(Driver& driver, const std::string& history_table) {
  // sqlite_% are SQLite's own (sqlite_sequence, sqlite_stat1); automatic
  // indexes have no SQL and belong to their table's definition. Names
  // compare without case, as SQLite compares them.
  const QueryRows entries = driver.Query(
      "SELECT type, name, tbl_name, sql FROM sqlite_schema"
      " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
      " AND tbl_name <> $1 COLLATE NOCASE",
      {history_table});
  std::vector<SchemaObject> objects;
  for (const Row& entry : entries) {
    const std::string& type = Text(entry, 0);
    const std::string& name = Text(entry, 1);
    const std::string& sql = Text(entry, 3);
    if (type == "table") {
      objects.push_back({"table", QualifiedName({name}), TableDefinition(driver, name, sql)});
      ReadColumns(driver, name, objects);
    } else if (type == "trigger") {
      objects.push_back(
          {"trigger", QualifiedName({Text(entry, 2), name}), NormalizeSqlText(sql, false)});
    } else if (type == "index" || type == "view") {
      objects.push_back({type, QualifiedName({name}), NormalizeSqlText(sql, false)});
    }
  }
  return MakeSnapshot(std::move(objects));
}

}  // namespace dbshift::schema::internal
