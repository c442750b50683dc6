#pragma once

// Small readers over libpg_query's protobuf-c parse tree, so that rules say
// what they look for instead of walking unions and counts.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pg_query/pg_query.pb-c.h>

#include "dbshift/lint/rule.h"

namespace dbshift::lint {

/// The list `items` of `count` nodes as a span (empty for null).
inline std::span<PgQuery__Node* const> Nodes(PgQuery__Node* const* items, std::size_t count) {
  return items == nullptr ? std::span<PgQuery__Node* const>() : std::span(items, count);
}

/// The text of a String node ("" for anything else).
std::string_view StringOf(const PgQuery__Node* node);

/// The type's last name in lower case, as the parser resolved it: "int4",
/// "varchar", "bpchar", "timestamp", "serial", "text".
std::string TypeNameOf(const PgQuery__TypeName* type);
/// The type as written for a message: "varchar(255)", "int4".
std::string TypeTextOf(const PgQuery__TypeName* type);

/// "schema.table" or "table", lower case, for facts and messages.
std::string RelationOf(const PgQuery__RangeVar* relation);

/// The relations a query reads: every RangeVar below `node` (FROM, JOIN,
/// subqueries, CTE bodies), in tree order, except references to the
/// statement's own WITH queries. Empty for null.
std::vector<const PgQuery__RangeVar*> RangeVarsBelow(const PgQuery__Node* node);

/// True when `relation` was created earlier in the same script.
bool IsNewTable(const ScriptFacts& facts, const PgQuery__RangeVar* relation);

/// The ALTER TABLE statement in `statement` (ALTER TABLE, not ALTER INDEX or
/// others), or null.
const PgQuery__AlterTableStmt* AlterTableOf(const PgQuery__Node& statement);

/// The commands of an ALTER TABLE.
std::span<PgQuery__Node* const> CommandsOf(const PgQuery__AlterTableStmt& alter);

/// The column definitions a statement adds or creates: the ColumnDefs of
/// CREATE TABLE and of ALTER TABLE ... ADD COLUMN.
template <typename Visit>
void ForEachNewColumn(const PgQuery__Node& statement, Visit visit) {
  if (statement.node_case == PG_QUERY__NODE__NODE_CREATE_STMT) {
    const PgQuery__CreateStmt* create = statement.create_stmt;
    for (const PgQuery__Node* element : Nodes(create->table_elts, create->n_table_elts)) {
      if (element->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) visit(*element->column_def);
    }
  } else if (const PgQuery__AlterTableStmt* alter = AlterTableOf(statement)) {
    for (const PgQuery__Node* node : CommandsOf(*alter)) {
      const PgQuery__AlterTableCmd* command = node->alter_table_cmd;
      if (command->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && command->def != nullptr &&
          command->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        visit(*command->def->column_def);
      }
    }
  }
}

/// Calls visit(alter, command) for each command of an ALTER TABLE on a
/// table that existed before the script (new tables are empty and unused).
template <typename Visit>
void ForEachCommandOnExistingTable(const PgQuery__Node& statement, const ScriptFacts& facts,
                                   Visit visit) {
  const PgQuery__AlterTableStmt* alter = AlterTableOf(statement);
  if (alter == nullptr || IsNewTable(facts, alter->relation)) return;
  for (const PgQuery__Node* node : CommandsOf(*alter)) visit(*alter, *node->alter_table_cmd);
}

/// Calls visit(alter, column) for each ADD COLUMN on an existing table.
template <typename Visit>
void ForEachAddedColumn(const PgQuery__Node& statement, const ScriptFacts& facts, Visit visit) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && command.def != nullptr &&
            command.def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
          visit(alter, *command.def->column_def);
        }
      });
}

/// The constraint an ADD CONSTRAINT command adds, or null.
inline const PgQuery__Constraint* AddedConstraint(const PgQuery__AlterTableCmd& command) {
  if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint || command.def == nullptr ||
      command.def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
    return nullptr;
  }
  return command.def->constraint;
}

/// The constraints declared on a column, of the given kind, or null.
const PgQuery__Constraint* ColumnConstraint(const PgQuery__ColumnDef& column,
                                            PgQuery__ConstrType kind);

/// True when `expression` may give a different value per row (a call of a
/// function PostgreSQL does not know to be stable or immutable), so a
/// DEFAULT of it rewrites the table.
bool IsVolatile(const PgQuery__Node* expression);

}  // namespace dbshift::lint
