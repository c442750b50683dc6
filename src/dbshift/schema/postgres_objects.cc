// PostgreSQL objects other than tables and views: schemas, extensions,
// functions, triggers, sequences, types and domains.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/schema/internal.h"
#include "dbshift/schema/postgres_catalog.h"

namespace dbshift::schema::internal::postgres {
namespace {

void ReadSchemasAndExtensions(Driver& driver, std::vector<SchemaObject>& objects) {
  for (const Row& row : driver.Query(fmt::format("SELECT n.nspname FROM pg_namespace n WHERE {}",
                                                 PostgresUserObject("pg_namespace", "n.oid")))) {
    objects.push_back({"schema", QualifiedName({Text(row, 0)}), ""});
  }
  // Extensions belong to the database, not to a schema; their version is
  // the server package's business.
  for (const Row& row : driver.Query("SELECT e.extname, n.nspname FROM pg_extension e"
                                     " JOIN pg_namespace n ON n.oid = e.extnamespace")) {
    objects.push_back({"extension", QualifiedName({Text(row, 0)}), "SCHEMA " + Text(row, 1)});
  }
}

// Functions and procedures (aggregates have no pg_get_functiondef), named
// with their argument types since they overload.
void ReadFunctions(Driver& driver, std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(fmt::format(
      "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),"
      " pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
      " WHERE p.prokind IN ('f', 'p', 'w') AND {}",
      PostgresUserObject("pg_proc", "p.oid")));
  for (const Row& row : rows) {
    objects.push_back({"function",
                       QualifiedName({Text(row, 0), Text(row, 1)}) + "(" + Text(row, 2) + ")",
                       NormalizeSqlText(Text(row, 3), true)});
  }
}

// Triggers the server makes for constraints (tgisinternal) are the
// constraints' business.
void ReadTriggers(Driver& driver, const std::string& history_table,
                  std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(
      fmt::format("SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled"
                  " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                  " JOIN pg_namespace n ON n.oid = c.relnamespace"
                  " WHERE NOT t.tgisinternal AND c.relname <> $1 AND {}",
                  PostgresUserObject("pg_class", "c.oid")),
      {history_table});
  for (const Row& row : rows) {
    const std::string& enabled = Text(row, 4);
    const char* state = enabled == "D"   ? "(DISABLED)"
                        : enabled == "R" ? "(ENABLED REPLICA)"
                        : enabled == "A" ? "(ENABLED ALWAYS)"
                                         : "";
    objects.push_back({"trigger", QualifiedName({Text(row, 0), Text(row, 1), Text(row, 2)}),
                       JoinWords({Text(row, 3), state})});
  }
}

// Sequences of identity columns are part of their column's definition.
void ReadSequences(Driver& driver, std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(fmt::format(
      "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,"
      " s.seqmin, s.seqmax, s.seqcycle,"
      " (SELECT quote_ident(own_n.nspname) || '.' || quote_ident(own_c.relname) || '.'"
      "   || quote_ident(own_a.attname) FROM pg_depend own"
      "   JOIN pg_class own_c ON own_c.oid = own.refobjid"
      "   JOIN pg_namespace own_n ON own_n.oid = own_c.relnamespace"
      "   JOIN pg_attribute own_a ON own_a.attrelid = own.refobjid"
      "   AND own_a.attnum = own.refobjsubid"
      "   WHERE own.classid = 'pg_class'::regclass AND own.objid = c.oid"
      "   AND own.refclassid = 'pg_class'::regclass AND own.deptype = 'a' LIMIT 1)"
      " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid"
      " JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass"
      "   AND i.objid = c.oid AND i.deptype = 'i') AND {}",
      PostgresUserObject("pg_class", "c.oid")));
  for (const Row& row : rows) {
    const std::string& owner = Text(row, 8);
    objects.push_back(
        {"sequence", QualifiedName({Text(row, 0), Text(row, 1)}),
         JoinWords({SequenceOptions(row, 2), owner.empty() ? "" : "OWNED BY " + owner})});
  }
}

// Enum, composite (not the row types of tables) and range types. Enum
// labels and attributes keep their order: it is part of the type.
void ReadTypes(Driver& driver, std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(fmt::format(
      "SELECT n.nspname, t.typname, t.typtype, CASE t.typtype"
      " WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', '"
      "   ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)"
      " WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r"
      "   WHERE r.rngtypid = t.oid)"
      " ELSE (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid,"
      "   a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_attribute a"
      "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END"
      " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
      " WHERE (t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class r"
      "   WHERE r.oid = t.typrelid AND r.relkind = 'c'))) AND {}",
      PostgresUserObject("pg_type", "t.oid")));
  for (const Row& row : rows) {
    const std::string& type = Text(row, 2);
    const std::string& body = Text(row, 3);
    const std::string definition = type == "e"   ? fmt::format("ENUM ({})", body)
                                   : type == "r" ? fmt::format("RANGE (SUBTYPE = {})", body)
                                                 : fmt::format("({})", body);
    objects.push_back({"type", QualifiedName({Text(row, 0), Text(row, 1)}), definition});
  }
}

void ReadDomains(Driver& driver, std::vector<SchemaObject>& objects) {
  const QueryRows rows = driver.Query(
      fmt::format("SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),"
                  " CASE WHEN t.typcollation <> b.typcollation THEN {} END, t.typnotnull,"
                  " pg_get_expr(t.typdefaultbin, 0),"
                  " (SELECT string_agg('CONSTRAINT ' || quote_ident(k.conname) || ' '"
                  "   || pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname) FROM pg_constraint k"
                  "   WHERE k.contypid = t.oid)"
                  " FROM pg_type t JOIN pg_type b ON b.oid = t.typbasetype"
                  " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND {}",
                  CollationName("t.typcollation"), PostgresUserObject("pg_type", "t.oid")));
  for (const Row& row : rows) {
    const std::string& collation = Text(row, 3);
    const std::string& default_value = Text(row, 5);
    objects.push_back(
        {"domain", QualifiedName({Text(row, 0), Text(row, 1)}),
         JoinWords({Text(row, 2), collation.empty() ? "" : "COLLATE " + collation,
                    IsTrue(row, 4) ? "NOT NULL" : "",
                    default_value.empty() ? "" : "DEFAULT " + default_value, Text(row, 6)})});
  }
}

}  // namespace

void ReadOtherObjects(Driver& driver, const std::string& history_table,
                      std::vector<SchemaObject>& objects) {
  ReadSchemasAndExtensions(driver, objects);
  ReadFunctions(driver, objects);
  ReadTriggers(driver, history_table, objects);
  ReadSequences(driver, objects);
  ReadTypes(driver, objects);
  ReadDomains(driver, objects);
}

}  // namespace dbshift::schema::internal::postgres
