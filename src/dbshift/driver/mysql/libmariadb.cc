#include "dbshift/driver/mysql/libmariadb.h"

#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/driver/dynamic_library.h"

namespace dbshift::mysql {
namespace {

// The soname of Connector/C's stable ABI (package libmariadb3).
constexpr const char* kLibraryName = "libmariadb.so.3";

}  // namespace

const LibmariadbApi& Libmariadb() {
  return LoadedApiOnce<LibmariadbApi>(
      [](LibmariadbApi& api) {
        return LoadApi(kLibraryName, api, [](LibmariadbApi& table, auto resolve) {
#define DBSHIFT_LIBMARIADB_RESOLVE(name) resolve(table.name, #name);
          DBSHIFT_LIBMARIADB_FUNCTIONS(DBSHIFT_LIBMARIADB_RESOLVE)
#undef DBSHIFT_LIBMARIADB_RESOLVE
        });
      },
      [](const std::string& error) {
        throw ConnectError(fmt::format(
            "cannot load the MySQL/MariaDB client library {}: {}; install the libmariadb3 package",
            kLibraryName, error));
      });
}

}  // namespace dbshift::mysql
