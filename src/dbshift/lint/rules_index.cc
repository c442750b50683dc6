// Rules about building and dropping indexes.

#include <fmt/format.h>

#include "dbshift/lint/checks.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint::checks {
namespace {

bool HasConcurrentlyOption(PgQuery__Node* const* params, std::size_t count) {
  for (const PgQuery__Node* param : Nodes(params, count)) {
    if (param->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && param->def_elem->defname != nullptr &&
        std::string_view(param->def_elem->defname) == "concurrently") {
      return true;
    }
  }
  return false;
}

bool DropsIndexes(const PgQuery__DropStmt& drop) {
  return drop.remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX;
}

}  // namespace

void RequireConcurrentIndexCreation(const PgQuery__Node& statement, const ScriptFacts& facts,
                                    Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_INDEX_STMT) return;
  const PgQuery__IndexStmt& index = *statement.index_stmt;
  if (index.concurrent || IsNewTable(facts, index.relation)) return;
  out.Report(fmt::format(
      "CREATE INDEX on {} holds a SHARE lock for the whole build: every INSERT, UPDATE and "
      "DELETE on the table waits. Use CREATE INDEX CONCURRENTLY in a script marked "
      "-- dbshift:no-transaction",
      RelationOf(index.relation)));
}

void RequireConcurrentIndexDeletion(const PgQuery__Node& statement, const ScriptFacts&,
                                    Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_DROP_STMT) return;
  const PgQuery__DropStmt& drop = *statement.drop_stmt;
  if (!DropsIndexes(drop) || drop.concurrent) return;
  out.Report(
      "DROP INDEX takes ACCESS EXCLUSIVE on the index's table, blocking reads and writes while it "
      "waits for running queries. Use DROP INDEX CONCURRENTLY in a script marked "
      "-- dbshift:no-transaction");
}

void BanConcurrentIndexCreationInTransaction(const PgQuery__Node& statement,
                                             const ScriptFacts& facts, Reporter& out) {
  if (!facts.in_transaction) return;
  const char* what = nullptr;
  if (statement.node_case == PG_QUERY__NODE__NODE_INDEX_STMT && statement.index_stmt->concurrent) {
    what = "CREATE INDEX CONCURRENTLY";
  } else if (statement.node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
             statement.drop_stmt->concurrent) {
    what = "DROP INDEX CONCURRENTLY";
  } else if (statement.node_case == PG_QUERY__NODE__NODE_REINDEX_STMT &&
             HasConcurrentlyOption(statement.reindex_stmt->params,
                                   statement.reindex_stmt->n_params)) {
    what = "REINDEX CONCURRENTLY";
  }
  if (what == nullptr) return;
  out.Report(fmt::format(
      "{} cannot run inside a transaction block, and dbshift runs this script in one: mark the "
      "script -- dbshift:no-transaction and keep the statement alone in it",
      what));
}

void DisallowedUniqueConstraint(const PgQuery__Node& statement, const ScriptFacts& facts,
                                Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        const PgQuery__Constraint* constraint = AddedConstraint(command);
        if (constraint == nullptr) return;
        const bool unique = constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE;
        const bool builds_index =
            (unique || constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION) &&
            (constraint->indexname == nullptr || constraint->indexname[0] == '\0');
        if (!builds_index) return;
        if (!unique) {
          out.Report(fmt::format(
              "ADD EXCLUDE on {} builds its index under ACCESS EXCLUSIVE: reads and writes wait "
              "for "
              "the whole build, and an exclusion constraint cannot adopt an index built "
              "concurrently. Add it while the table is new or small, or in a maintenance window",
              RelationOf(alter.relation)));
          return;
        }
        out.Report(
            fmt::format("ADD UNIQUE on {} builds its index under ACCESS EXCLUSIVE: reads and "
                        "writes wait for the "
                        "whole build. Build the index first with CREATE UNIQUE INDEX CONCURRENTLY "
                        "(no-transaction "
                        "script), then ADD CONSTRAINT ... UNIQUE USING INDEX",
                        RelationOf(alter.relation)));
      });
  ForEachAddedColumn(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__ColumnDef& column) {
        if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE) == nullptr) return;
        out.Report(fmt::format(
            "ADD COLUMN {} ... UNIQUE on {} builds a unique index under ACCESS EXCLUSIVE. Add the "
            "column, then CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT ... UNIQUE USING "
            "INDEX",
            column.colname, RelationOf(alter.relation)));
      });
}

void RequireConcurrentReindex(const PgQuery__Node& statement, const ScriptFacts&, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_REINDEX_STMT) return;
  const PgQuery__ReindexStmt& reindex = *statement.reindex_stmt;
  if (HasConcurrentlyOption(reindex.params, reindex.n_params)) return;
  out.Report(
      "REINDEX without CONCURRENTLY blocks writes to the table, and reads that would use the "
      "index, until it ends. Use REINDEX ... CONCURRENTLY in a script marked "
      "-- dbshift:no-transaction");
}

}  // namespace dbshift::lint::checks
