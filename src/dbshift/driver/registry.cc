// The scheme -> driver table. Explicit rather than self-registering drivers:
// the linker drops unreferenced objects from static libraries, so a driver
// that registered itself from a static initializer could silently vanish.

#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/driver/mysql/mysql_driver.h"
#include "dbshift/driver/postgres/postgres_driver.h"
#include "dbshift/driver/sqlite/sqlite_driver.h"

namespace dbshift {
namespace {

using DriverFactory = std::unique_ptr<Driver> (*)(const Url&, const DriverOptions&);

struct DriverEntry {
  std::string_view scheme;  // as Url::scheme() reports it (aliases folded)
  DriverFactory open;       // nullptr: the URL parses but no driver exists yet
};

constexpr DriverEntry kDrivers[] = {
    {"sqlite", &OpenSqliteDriver},
    {"postgres", &OpenPostgresDriver},
    {"mysql", &OpenMysqlDriver},
};

}  // namespace

std::unique_ptr<Driver> OpenDriver(const Url& url, const DriverOptions& options) {
  for (const DriverEntry& entry : kDrivers) {
    if (entry.scheme != url.scheme()) continue;
    if (entry.open == nullptr) {
      throw ConfigError(
          fmt::format("{}:// is not supported yet (target {})", entry.scheme, url.Redacted()));
    }
    return entry.open(url, options);
  }
  throw ConfigError(
      fmt::format("no driver for the scheme '{}' (target {}); supported: sqlite, "
                  "postgres, mysql",
                  url.scheme(), url.Redacted()));
}

}  // namespace dbshift
