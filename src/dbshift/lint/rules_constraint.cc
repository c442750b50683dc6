// Rules about adding and validating constraints.

#include <string>

#include <fmt/format.h>

#include "dbshift/lint/checks.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint::checks {

void AddingForeignKeyConstraint(const PgQuery__Node& statement, const ScriptFacts& facts,
                                Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        const PgQuery__Constraint* constraint = AddedConstraint(command);
        if (constraint == nullptr || constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ||
            constraint->skip_validation) {
          return;
        }
        out.Report(fmt::format(
            "ADD FOREIGN KEY on {} checks every row while it holds SHARE ROW EXCLUSIVE on {} and "
            "{}: "
            "writes to both wait. Add it NOT VALID, then VALIDATE CONSTRAINT in a later migration "
            "(which takes only SHARE UPDATE EXCLUSIVE)",
            RelationOf(alter.relation), RelationOf(alter.relation),
            RelationOf(constraint->pktable)));
      });
  ForEachAddedColumn(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__ColumnDef& column) {
        const PgQuery__Constraint* references =
            ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN);
        if (references == nullptr) return;
        out.Report(fmt::format(
            "ADD COLUMN {} ... REFERENCES {} on {} checks the new column under ACCESS EXCLUSIVE "
            "and "
            "holds SHARE ROW EXCLUSIVE on the referenced table. Add the column, then ADD "
            "CONSTRAINT "
            "... FOREIGN KEY ... NOT VALID and VALIDATE CONSTRAINT later",
            column.colname, RelationOf(references->pktable), RelationOf(alter.relation)));
      });
}

void ConstraintMissingNotValid(const PgQuery__Node& statement, const ScriptFacts& facts,
                               Reporter& out) {
  ForEachCommandOnExistingTable(
      statement, facts,
      [&](const PgQuery__AlterTableStmt& alter, const PgQuery__AlterTableCmd& command) {
        if (const PgQuery__Constraint* constraint = AddedConstraint(command)) {
          if (constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
              constraint->skip_validation) {
            return;
          }
          out.Report(
              fmt::format("ADD CHECK on {} scans every row under ACCESS EXCLUSIVE. Add it NOT "
                          "VALID (new rows are "
                          "checked at once), then VALIDATE CONSTRAINT in a later migration",
                          RelationOf(alter.relation)));
          return;
        }
        if (command.subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
            !facts.in_transaction || command.name == nullptr) {
          return;
        }
        // NOT VALID then VALIDATE in one transaction keeps the ADD's lock (ACCESS
        // EXCLUSIVE, or SHARE ROW EXCLUSIVE for a foreign key) through the whole
        // scan: nothing was gained.
        if (!facts.not_valid_constraints.contains(RelationOf(alter.relation) + "." + command.name))
          return;
        out.Report(fmt::format(
            "VALIDATE CONSTRAINT {} runs in the same transaction that added it NOT VALID, so the "
            "ADD's lock, which blocks writes, is held through the whole scan. Validate in a later "
            "migration",
            command.name));
      });
}

}  // namespace dbshift::lint::checks
