// Rules about whole tables and databases.

#include <string>

#include <fmt/format.h>

#include "dbshift/common/text.h"
#include "dbshift/lint/checks.h"
#include "dbshift/lint/facts.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint::checks {

void RenamingTable(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_RENAME_STMT) return;
  const PgQuery__RenameStmt& rename = *statement.rename_stmt;
  if (rename.rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
      IsNewTable(facts, rename.relation)) {
    return;
  }
  out.Report(
      fmt::format(
          "RENAME TO {} breaks every query of the running application that names {}. Expand: "
          "rename the table and CREATE VIEW {} AS SELECT * FROM {} (a simple view stays "
          "writable); migrate: deploy code that uses the new name; contract: drop the view",
          rename.newname, RelationOf(rename.relation), RelationOf(rename.relation), rename.newname),
      /*breaking=*/true);
}

void BanDropTable(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_DROP_STMT) return;
  const PgQuery__DropStmt& drop = *statement.drop_stmt;
  if (drop.remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) return;
  for (const PgQuery__Node* object : Nodes(drop.objects, drop.n_objects)) {
    // Each object is a List of String names: [schema,] table.
    if (object->node_case != PG_QUERY__NODE__NODE_LIST) continue;
    const PgQuery__List& names = *object->list;
    std::string name;
    for (const PgQuery__Node* part : Nodes(names.items, names.n_items)) {
      if (!name.empty()) name += ".";
      name += StringOf(part);
    }
    name = AsciiLower(name);
    if (facts.created_tables.Contains(name)) continue;
    out.Report(
        fmt::format(
            "DROP TABLE {} breaks the running application if it still uses the table, and its "
            "data is gone for good. Contract only after migrate: deploy code that no longer uses "
            "it, keep a backup, then drop it in a later migration",
            name),
        /*breaking=*/true);
  }
}

void BanDropDatabase(const PgQuery__Node& statement, const ScriptFacts&, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_DROPDB_STMT) return;
  out.Report(
      fmt::format("DROP DATABASE {} has no place in a migration: it cannot be undone",
                  statement.dropdb_stmt->dbname != nullptr ? statement.dropdb_stmt->dbname : ""));
}

void BanTruncateCascade(const PgQuery__Node& statement, const ScriptFacts&, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_TRUNCATE_STMT) return;
  if (statement.truncate_stmt->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) return;
  out.Report(
      "TRUNCATE ... CASCADE also empties every table with a foreign key to these, and the ones "
      "referencing those, which the script does not name. Truncate the tables by name");
}

void RewritesTable(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  switch (statement.node_case) {
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
      if (!LocksExistingTableExclusively(statement, facts)) return;
      out.Report(
          "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE: reads and writes wait until it "
          "ends. Use pg_repack, or plain VACUUM");
      return;
    case PG_QUERY__NODE__NODE_CLUSTER_STMT:
      out.Report(
          "CLUSTER rewrites the table under ACCESS EXCLUSIVE: reads and writes wait until it "
          "ends. Use pg_repack");
      return;
    default:
      break;
  }
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        const char* what = nullptr;
        switch (command.subtype) {
          case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
            what = "SET TABLESPACE";
            break;
          case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
            what = "SET LOGGED";
            break;
          case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
            what = "SET UNLOGGED";
            break;
          default:
            return;
        }
        out.Report(fmt::format(
            "{} rewrites {} under ACCESS EXCLUSIVE: reads and writes wait until the copy ends",
            what, RelationOf(alter.relation)));
      });
}

}  // namespace dbshift::lint::checks
