#include "dbshift/driver/postgres/libpq.h"

#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/driver/dynamic_library.h"

namespace dbshift::postgres {
namespace {

// The soname of libpq's stable ABI (libpq5), not the unversioned libpq.so,
// which only the -dev package installs.
constexpr const char* kLibraryName = "libpq.so.5";

}  // namespace

const LibpqApi& Libpq() {
  return LoadedApiOnce<LibpqApi>(
      [](LibpqApi& api) {
        return LoadApi(kLibraryName, api, [](LibpqApi& table, auto resolve) {
#define DBSHIFT_LIBPQ_RESOLVE(name) resolve(table.name, #name);
          DBSHIFT_LIBPQ_FUNCTIONS(DBSHIFT_LIBPQ_RESOLVE)
#undef DBSHIFT_LIBPQ_RESOLVE
        });
      },
      [](const std::string& error) {
        throw ConnectError(fmt::format(
            "cannot load the PostgreSQL client library {}: {}; install the libpq5 package",
            kLibraryName, error));
      });
}

}  // namespace dbshift::postgres
