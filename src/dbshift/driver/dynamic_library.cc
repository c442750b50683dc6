#include "dbshift/driver/dynamic_library.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace dbshift::dynamic_library_detail {

void* Open(const char* soname, std::string& error) {
  // RTLD_NOW: an unresolvable symbol fails here, not in the middle of a
  // migration. RTLD_LOCAL: the library's symbols stay out of the global
  // scope, so nothing loaded later binds to them.
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) error = dlerror();
  return library;
}

void* Symbol(void* library, const char* soname, const char* name, std::string& error) {
  dlerror();  // clear any earlier error, so the one read below is dlsym's
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    const char* reason = dlerror();
    error = reason != nullptr ? reason : fmt::format("{}: undefined symbol: {}", soname, name);
  }
  return symbol;
}

void Close(void* library) { dlclose(library); }

}  // namespace dbshift::dynamic_library_detail
