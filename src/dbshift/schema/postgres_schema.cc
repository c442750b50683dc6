// ReadSchema for PostgreSQL: the catalogs, read through Driver::Query.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/schema/internal.h"
#include "dbshift/schema/postgres_catalog.h"

namespace dbshift::schema::internal {
namespace {

// pg_get_viewdef, format_type and the other deparsers qualify a name only
// when search_path does not find it, so the same view would read
// differently on two sessions with different search paths (a database
// default, a role's setting, the URL's options). With pg_catalog alone every
// user name comes qualified. The session's own path comes back afterwards.
class CatalogSearchPath {
 public:
  explicit CatalogSearchPath(Driver& driver) : driver_(driver) {
    const QueryRows saved = driver_.Query("SELECT pg_catalog.current_setting('search_path')");
    saved_ = saved.empty() || saved.front().empty() ? "" : saved.front().front().value_or("");
    driver_.Query("SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)");
  }
  ~CatalogSearchPath() {
    try {
      driver_.Query("SELECT pg_catalog.set_config('search_path', $1, false)", {saved_});
    } catch (const Error&) {
      // The connection is gone, or its transaction failed (and its rollback
      // restores the setting): nothing to put back.
    }
  }
  CatalogSearchPath(const CatalogSearchPath&) = delete;
  CatalogSearchPath& operator=(const CatalogSearchPath&) = delete;

 private:
  Driver& driver_;
  std::string saved_;
};

}  // namespace

namespace postgres {

std::string CollationName(std::string_view oid) {
  return fmt::format(
      "(SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co"
      " JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = {})",
      oid);
}

bool IsTrue(const Row& row, std::size_t column) { return Text(row, column) == "t"; }

std::string SequenceOptions(const Row& row, std::size_t first) {
  return fmt::format("AS {} START {} INCREMENT {} MINVALUE {} MAXVALUE {} {}", Text(row, first),
                     Text(row, first + 1), Text(row, first + 2), Text(row, first + 3),
                     Text(row, first + 4), IsTrue(row, first + 5) ? "CYCLE" : "NO CYCLE");
}

}  // namespace postgres

Snapshot ReadPostgresSchema(Driver& driver, const std::string& history_table) {
  const CatalogSearchPath search_path(driver);
  std::vector<SchemaObject> objects;
  postgres::ReadRelations(driver, history_table, objects);
  postgres::ReadOtherObjects(driver, history_table, objects);
  return MakeSnapshot(std::move(objects));
}

}  // namespace dbshift::schema::internal

namespace dbshift::schema {

std::string PostgresUserSchema() {
  return "n.nspname NOT IN ('pg_catalog', 'information_schema')"
         " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
}

std::string PostgresUserObject(std::string_view catalog, std::string_view oid) {
  return fmt::format(
      "{} AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '{}'::regclass"
      " AND x.objid = {} AND x.deptype = 'e')",
      PostgresUserSchema(), catalog, oid);
}

}  // namespace dbshift::schema
