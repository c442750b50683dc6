// PostgreSQL tables and what belongs to them: columns, indexes,
// constraints; and views.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/schema/internal.h"
#include "dbshift/schema/postgres_catalog.h"

namespace dbshift::schema::internal::postgres {
namespace {

// Relations of the user schemas, created by the migrations (not by an
// extension), other than the history table. `c` is the table.
std::string UserTable() { return PostgresUserObject("pg_class", "c.oid") + " AND c.relname <> $1"; }

void ReadTables(Driver& driver, const std::string& history_table,
                std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(
      fmt::format(
          "SELECT n.nspname, c.relname, c.relpersistence, pg_get_partkeydef(c.oid),"
          " CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,"
          " (SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', '"
          "   ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent"
          "   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid),"
          " array_to_string(c.reloptions, ', '), c.relrowsecurity, c.relforcerowsecurity"
          " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          " WHERE c.relkind IN ('r', 'p') AND {}",
          UserTable()),
      {history_table});
  for (const Row& row : rows) {
    const std::string& partition_key = Text(row, 3);
    const std::string& partition_bound = Text(row, 4);
    const std::string& parents = Text(row, 5);
    const std::string& options = Text(row, 6);
    std::string inheritance;
    if (!partition_bound.empty()) {
      inheritance = fmt::format("PARTITION OF {} {}", parents, partition_bound);
    } else if (!parents.empty()) {
      inheritance = fmt::format("INHERITS ({})", parents);
    }
    objects.push_back({"table", QualifiedName({Text(row, 0), Text(row, 1)}),
                       JoinWords({Text(row, 2) == "u" ? "UNLOGGED" : "",
                                  partition_key.empty() ? "" : "PARTITION BY " + partition_key,
                                  inheritance, options.empty() ? "" : "WITH (" + options + ")",
                                  IsTrue(row, 7) ? "ROW LEVEL SECURITY" : "",
                                  IsTrue(row, 8) ? "FORCE ROW LEVEL SECURITY" : ""})});
  }
}

// Not the position: a column added later by ALTER TABLE is the same column
// as one written into CREATE TABLE.
void ReadColumns(Driver& driver, const std::string& history_table,
                 std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(
      fmt::format(
          "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),"
          " CASE WHEN a.attcollation <> t.typcollation THEN {} END, a.attnotnull,"
          " pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attidentity,"
          " format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,"
          " s.seqcycle"
          " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
          " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
          " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
          " LEFT JOIN LATERAL (SELECT q.* FROM pg_depend sd"
          "   JOIN pg_sequence q ON q.seqrelid = sd.objid"
          "   WHERE a.attidentity <> '' AND sd.classid = 'pg_class'::regclass"
          "   AND sd.refclassid = 'pg_class'::regclass AND sd.refobjid = c.oid"
          "   AND sd.refobjsubid = a.attnum AND sd.deptype = 'i' LIMIT 1) s ON true"
          " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {}",
          CollationName("a.attcollation"), UserTable()),
      {history_table});
  for (const Row& row : rows) {
    const std::string& collation = Text(row, 4);
    const std::string& expression = Text(row, 6);
    std::string value;
    if (Text(row, 7) == "s") {
      value = fmt::format("GENERATED ALWAYS AS ({}) STORED", expression);
    } else if (!expression.empty()) {
      value = "DEFAULT " + expression;
    }
    std::string identity;
    if (!Text(row, 8).empty()) {
      identity =
          fmt::format("GENERATED {} AS IDENTITY ({})",
                      Text(row, 8) == "a" ? "ALWAYS" : "BY DEFAULT", SequenceOptions(row, 9));
    }
    objects.push_back({"column", QualifiedName({Text(row, 0), Text(row, 1), Text(row, 2)}),
                       JoinWords({Text(row, 3), collation.empty() ? "" : "COLLATE " + collation,
                                  IsTrue(row, 5) ? "NOT NULL" : "", value, identity})});
  }
}

// An index that a primary key, unique or exclusion constraint created is
// left to the constraint, which names and defines it.
void ReadIndexes(Driver& driver, const std::string& history_table,
                 std::vector<SchemaObject>& objects) {
  const QueryRows rows =
      driver.Query(fmt::format("SELECT n.nspname, ic.relname, pg_get_indexdef(i.indexrelid)"
                               " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                               " JOIN pg_class c ON c.oid = i.indrelid"
                               " JOIN pg_namespace n ON n.oid = ic.relnamespace"
                               " WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k"
                               "   WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid"
                               "   AND k.contype IN ('p', 'u', 'x')) AND {}",
                               UserTable()),
                   {history_table});
  for (const Row& row : rows) {
    objects.push_back({"index", QualifiedName({Text(row, 0), Text(row, 1)}), Text(row, 2)});
  }
}

void ReadConstraints(Driver& driver, const std::string& history_table,
                     std::vector<SchemaObject>& objects) {
  const QueryRows rows =
      driver.Query(fmt::format("SELECT n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)"
                               " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                               " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {}",
                               UserTable()),
                   {history_table});
  for (const Row& row : rows) {
    objects.push_back(
        {"constraint", QualifiedName({Text(row, 0), Text(row, 1), Text(row, 2)}), Text(row, 3)});
  }
}

void ReadViews(Driver& driver, std::vector<SchemaObject>& objects) {
  const QueryRows rows =
      driver.Query(fmt::format("SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid),"
                               " array_to_string(c.reloptions, ', ')"
                               " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                               " WHERE c.relkind IN ('v', 'm') AND {}",
                               PostgresUserObject("pg_class", "c.oid")));
  for (const Row& row : rows) {
    const std::string& options = Text(row, 4);
    objects.push_back({Text(row, 2) == "m" ? "materialized view" : "view",
                       QualifiedName({Text(row, 0), Text(row, 1)}),
                       JoinWords({options.empty() ? "" : "WITH (" + options + ")",
                                  NormalizeSqlText(Text(row, 3), true)})});
  }
}

}  // namespace

void ReadRelations(Driver& driver, const std::string& history_table,
                   std::vector<SchemaObject>& objects) {
  ReadTables(driver, history_table, objects);
  ReadColumns(driver, history_table, objects);
  ReadIndexes(driver, history_table, objects);
  ReadConstraints(driver, history_table, objects);
  ReadViews(driver, objects);
}

}  // namespace dbshift::schema::internal::postgres
