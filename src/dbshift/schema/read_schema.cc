#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/schema/internal.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift::schema {

Snapshot ReadSchema(Driver& driver, const std::string& history_table) {
  switch (driver.dialect()) {
    case Dialect::kPostgres:
      return internal::ReadPostgresSchema(driver, history_table);
    case Dialect::kSqlite:
      return internal::ReadSqliteSchema(driver, history_table);
    case Dialect::kMysql:
      break;
  }
  throw UsageError(fmt::format("reading the schema of {} databases is not supported yet",
                               DialectName(driver.dialect())));
}

}  // namespace dbshift::schema
