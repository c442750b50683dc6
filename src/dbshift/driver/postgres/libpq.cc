#include "dbshift/driver/postgres/libpq.h"

#include <dlfcn.h>
#include <mutex>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift::postgres {
namespace {

// The soname of libpq's stable ABI (libpq5), not the unversioned libpq.so,
// which only the -dev package installs.
constexpr const char* kLibraryName = "libpq.so.5";

// Fills `api` from libpq.so.5; returns what went wrong, or "" on success.
std::string Load(LibpqApi& api) {
  // RTLD_NOW: an unresolvable symbol fails here, not in the middle of a
  // migration. RTLD_LOCAL: the symbols of libpq and its dependencies stay
  // out of the global scope, so nothing loaded later binds to them.
  void* library = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return dlerror();
  LibpqApi loaded;
  std::string error;
  const auto resolve = [&](auto& function, const char* name) {
    if (!error.empty()) return;
    dlerror();  // clear any earlier error, so the one read below is dlsym's
    void* symbol = dlsym(library, name);
    if (symbol == nullptr) {
      const char* reason = dlerror();
      error =
          reason != nullptr ? reason : fmt::format("{}: undefined symbol: {}", kLibraryName, name);
      return;
    }
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(symbol);
  };
#define DBSHIFT_LIBPQ_RESOLVE(name) resolve(loaded.name, #name);
  DBSHIFT_LIBPQ_FUNCTIONS(DBSHIFT_LIBPQ_RESOLVE)
#undef DBSHIFT_LIBPQ_RESOLVE
  if (!error.empty()) {
    dlclose(library);
    return error;
  }
  // The library is never closed: connections and results may live until
  // exit, and libpq's dependencies do not all support being unloaded.
  api = loaded;
  return "";
}

}  // namespace

const LibpqApi& Libpq() {
  static std::once_flag once;
  static LibpqApi api;
  static std::string error;
  // Load reports failure as a value, so the once_flag is set either way and
  // a failure is remembered, not retried on every call.
  std::call_once(once, [] { error = Load(api); });
  if (!error.empty()) {
    throw ConnectError(
        fmt::format("cannot load the PostgreSQL client library {}: {}; install the libpq5 package",
                    kLibraryName, error));
  }
  return api;
}

}  // namespace dbshift::postgres
