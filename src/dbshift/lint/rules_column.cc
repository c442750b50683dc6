// Rules about adding, changing, renaming and dropping columns. The ones that
// break the application version still running say so, with the expand /
// migrate / contract sequence that makes the same change safely.

#include <string>

#include <fmt/format.h>

#include "dbshift/lint/checks.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint::checks {
namespace {

bool IsSerial(const std::string& type) {
  return type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial4" ||
         type == "serial8" || type == "serial2";
}

// Types whose values a wider type might not fit into: a change to one of
// them may narrow the column.
bool IsBoundedType(const PgQuery__TypeName* type) {
  const std::string name = TypeNameOf(type);
  if (name == "int2" || name == "int4" || name == "float4") return true;
  return type != nullptr && type->n_typmods > 0 &&
         (name == "varchar" || name == "bpchar" || name == "numeric" || name == "bit" ||
          name == "varbit");
}

}  // namespace

void AddingFieldWithDefault(const PgQuery__Node& statement, const ScriptFacts& facts,
                            Reporter& out) {
  ForEachAddedColumn(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__ColumnDef& column) {
        // Values computed per row: every existing row gets its own, so the table
        // is rewritten whatever the server version.
        const char* per_row = nullptr;
        if (IsSerial(TypeNameOf(column.type_name))) per_row = "a serial type (nextval per row)";
        if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY) != nullptr) {
          per_row = "GENERATED AS IDENTITY";
        }
        if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED) != nullptr) {
          per_row = "GENERATED ALWAYS AS ... STORED";
        }
        if (per_row != nullptr) {
          out.Report(fmt::format(
              "ADD COLUMN {} on {} with {} rewrites the whole table under ACCESS EXCLUSIVE. Add a "
              "plain column, fill it in batches, then attach the default or identity",
              column.colname, RelationOf(alter.relation), per_row));
          return;
        }
        const PgQuery__Constraint* with_default =
            ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);
        if (with_default == nullptr) return;
        const bool old_server = facts.server_version < 110000;
        if (!old_server && !IsVolatile(with_default->raw_expr)) return;
        out.Report(fmt::format(
            "ADD COLUMN {} on {} with {} rewrites the whole table under ACCESS EXCLUSIVE. Add the "
            "column without a default, set the default with ALTER COLUMN ... SET DEFAULT, then "
            "fill "
            "existing rows in batches",
            column.colname, RelationOf(alter.relation),
            old_server ? "a DEFAULT, on a server older than PostgreSQL 11,"
                       : "a volatile DEFAULT (evaluated per row)"));
      });
}

void AddingRequiredField(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  ForEachAddedColumn(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__ColumnDef& column) {
        const bool not_null =
            column.is_not_null ||
            ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) != nullptr;
        if (!not_null) return;
        if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT) != nullptr ||
            ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED) != nullptr ||
            ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY) != nullptr ||
            IsSerial(TypeNameOf(column.type_name))) {
          return;
        }
        out.Report(
            fmt::format(
                "ADD COLUMN {} NOT NULL without a DEFAULT fails on {} as soon as it has rows, and "
                "INSERTs of the running application, which do not name the column, fail after it. "
                "Expand: add the column nullable (or with a non-volatile DEFAULT); migrate: deploy "
                "code that writes it and backfill old rows in batches; contract: SET NOT NULL (see "
                "adding-not-nullable-field)",
                column.colname, RelationOf(alter.relation)),
            /*breaking=*/true);
      });
}

void AddingNotNullableField(const PgQuery__Node& statement, const ScriptFacts& facts,
                            Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull) return;
        out.Report(
            fmt::format(
                "SET NOT NULL on {}.{} scans the whole table under ACCESS EXCLUSIVE, and the "
                "running "
                "application fails if it still writes NULL there. Expand: deploy code that always "
                "writes the column and backfill NULLs in batches; migrate: ADD CONSTRAINT ... "
                "CHECK "
                "({} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a later migration; "
                "contract: SET NOT NULL (PostgreSQL 12+ uses the valid CHECK and skips the scan), "
                "then "
                "drop the CHECK",
                RelationOf(alter.relation), command.name, command.name),
            /*breaking=*/true);
      });
}

void AddingSerialPrimaryKeyField(const PgQuery__Node& statement, const ScriptFacts& facts,
                                 Reporter& out) {
  ForEachAddedColumn(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__ColumnDef& column) {
        if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) == nullptr) return;
        out.Report(
            fmt::format("ADD COLUMN {} ... PRIMARY KEY on {} rewrites the table and builds the "
                        "key's index under "
                        "ACCESS EXCLUSIVE. Add the column, fill it in batches, CREATE UNIQUE INDEX "
                        "CONCURRENTLY, "
                        "then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
                        column.colname, RelationOf(alter.relation)));
      });
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        const PgQuery__Constraint* constraint = AddedConstraint(command);
        if (constraint == nullptr || constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
            (constraint->indexname != nullptr && constraint->indexname[0] != '\0')) {
          return;
        }
        out.Report(fmt::format(
            "ADD PRIMARY KEY on {} builds its index under ACCESS EXCLUSIVE. CREATE UNIQUE INDEX "
            "CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
            RelationOf(alter.relation)));
      });
}

void ChangingColumnType(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType ||
            command.def == nullptr || command.def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
          return;
        }
        const PgQuery__TypeName* type = command.def->column_def->type_name;
        const std::string column = fmt::format("{}.{}", RelationOf(alter.relation), command.name);
        if (IsBoundedType(type)) {
          out.Report(
              fmt::format(
                  "ALTER COLUMN {} TYPE {} rewrites the table under ACCESS EXCLUSIVE, and if it "
                  "narrows the column, values the running application writes stop fitting. Expand: "
                  "add a new column of type {}; migrate: deploy code that writes both and copy old "
                  "rows in batches; contract: switch readers to the new column, then drop the old "
                  "one",
                  column, TypeTextOf(type), TypeTextOf(type)),
              /*breaking=*/true);
          return;
        }
        out.Report(fmt::format(
            "ALTER COLUMN {} TYPE {} rewrites the table and rebuilds its indexes under ACCESS "
            "EXCLUSIVE (unless the old type is binary-coercible to it, as varchar to text). Add a "
            "new "
            "column, copy in batches, and switch over instead",
            column, TypeTextOf(type)));
      });
}

void RenamingColumn(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  if (statement.node_case != PG_QUERY__NODE__NODE_RENAME_STMT) return;
  const PgQuery__RenameStmt& rename = *statement.rename_stmt;
  if (rename.rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
      IsNewTable(facts, rename.relation)) {
    return;
  }
  out.Report(
      fmt::format(
          "RENAME COLUMN {} TO {} on {} breaks every query of the running application that "
          "names the old column. Expand: add the new column and keep both in step (trigger or "
          "dual writes), backfill in batches; migrate: deploy code that reads and writes the new "
          "name; contract: drop the old column",
          rename.subname, rename.newname, RelationOf(rename.relation)),
      /*breaking=*/true);
}

void BanDropColumn(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn) return;
        out.Report(
            fmt::format(
                "DROP COLUMN {} on {} breaks the running application if it still reads or writes "
                "the column (SELECT * and ORMs too). Contract only after expand and migrate: first "
                "deploy code that no longer uses the column, then drop it in a later migration",
                command.name, RelationOf(alter.relation)),
            /*breaking=*/true);
      });
}

void BanDropNotNull(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull) return;
        out.Report(
            fmt::format(
                "DROP NOT NULL on {}.{} lets NULLs reach readers of the running application that "
                "do "
                "not expect them. Deploy readers that handle NULL first, then drop the constraint",
                RelationOf(alter.relation), command.name),
            /*breaking=*/true);
      });
}

}  // namespace dbshift::lint::checks
