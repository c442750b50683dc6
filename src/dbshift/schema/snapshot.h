#pragma once

// A database's user schema as a flat list of named objects, each with a
// normalised definition, so that two schemas can be compared object by
// object (drift: the migrations' schema against the live one) and kept as
// JSON.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/driver/driver.h"

namespace dbshift::schema {

/// One schema object.
struct SchemaObject {
  /// PostgreSQL: "schema", "extension", "table", "column", "index",
  /// "constraint", "view", "materialized view", "function", "trigger",
  /// "sequence", "type", "domain". SQLite: "table", "column", "index",
  /// "view", "trigger".
  std::string kind;
  /// Qualified and unquoted: "public.users", "public.users.email" (column),
  /// "public.users.users_email_key" (constraint, trigger),
  /// "public.f(integer, text)" (function); SQLite has no schema part:
  /// "users", "users.email". A part that holds '.' or '"' is written in
  /// double quotes, so that names stay unique.
  std::string name;
  /// Normalised text that compares equal when the object is the same.
  std::string definition;

  bool operator==(const SchemaObject& other) const = default;
};

/// Objects sorted by (kind, name); no two share both.
struct Snapshot {
  std::vector<SchemaObject> objects;

  bool operator==(const Snapshot& other) const = default;
};

/// Where two snapshots disagree about one object.
struct SchemaDifference {
  std::string kind;
  std::string name;
  std::optional<std::string> expected;  ///< nullopt: the object is missing from `expected`
  std::optional<std::string> actual;    ///< nullopt: the object is missing from `actual`

  bool operator==(const SchemaDifference& other) const = default;
};

/// `objects` sorted by (kind, name). Throws InternalError when two share
/// both (a reader that names two objects alike is a bug).
Snapshot MakeSnapshot(std::vector<SchemaObject> objects);

/// The user schema of the database the driver is connected to, read from
/// the catalogs on the driver's connection (and its open transaction, if
/// any). Leaves out the engine's own objects and dbshift's: the history
/// table `history_table` (in any schema) with its columns, indexes,
/// constraints and triggers. PostgreSQL: also objects that belong to an
/// extension; the session's search_path is set to pg_catalog while reading
/// (so every name in a definition is schema-qualified) and restored after.
/// Throws UsageError for MySQL/MariaDB (not supported yet), SqlError and
/// ConnectError from the driver.
Snapshot ReadSchema(Driver& driver, const std::string& history_table);

/// Every object whose definition differs, or that only one side has,
/// sorted by (kind, name). Pure.
std::vector<SchemaDifference> CompareSchemas(const Snapshot& expected, const Snapshot& actual);

/// The snapshot as pretty-printed JSON (two-space indent, objects in
/// snapshot order, one key order): equal snapshots give equal text.
/// {"format_version": 1, "objects": [{"kind", "name", "definition"}]}
std::string SnapshotJson(const Snapshot& snapshot);

/// Reads SnapshotJson's output back. Throws ValidationError whose message
/// begins with `where` (a file name, say) when the text is not such a
/// document: bad JSON, a missing or non-string field, an unknown kind, a
/// newer format_version, or two objects of the same kind and name.
Snapshot ParseSnapshot(std::string_view json, const std::string& where);

/// One line for humans, reading `expected` as what the migrations give and
/// `actual` as the live database:
///   "+ column public.users.nickname: text"           (live only)
///   "- index public.users_email_idx: CREATE INDEX ..." (migrations only)
///   "~ column public.users.name: migrations give \"text NOT NULL\", live has \"text\""
/// Line breaks inside definitions are written as \n.
std::string DescribeDifference(const SchemaDifference& difference);

}  // namespace dbshift::schema
