#pragma once

// Client libraries loaded on demand (see postgres/libpq.h for why): a table
// of function pointers filled from a shared library the first time an URL of
// its engine is opened. Each engine declares its table with an X-macro list
// and calls LoadApi once.

#include <mutex>
#include <string>
#include <type_traits>

namespace dbshift {

namespace dynamic_library_detail {
/// dlopen(soname, RTLD_NOW | RTLD_LOCAL); null with `error` set on failure.
void* Open(const char* soname, std::string& error);
/// dlsym; null with `error` set when the symbol is missing.
void* Symbol(void* library, const char* soname, const char* name, std::string& error);
void Close(void* library);
}  // namespace dynamic_library_detail

/// Resolves every function of `Api` from `soname` into `api`. `for_each`
/// is called as for_each(api_table, resolve) and must call
/// resolve(table.member, "name") for each member. Returns what went wrong,
/// or "" when every symbol resolved (then the library stays loaded for
/// good: handles it created may live until exit).
template <typename Api, typename ForEach>
std::string LoadApi(const char* soname, Api& api, ForEach for_each) {
  namespace detail = dynamic_library_detail;
  std::string error;
  void* library = detail::Open(soname, error);
  if (library == nullptr) return error;
  Api loaded;
  for_each(loaded, [&](auto& function, const char* name) {
    if (!error.empty()) return;
    void* symbol = detail::Symbol(library, soname, name, error);
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(symbol);
  });
  if (!error.empty()) {
    detail::Close(library);
    return error;
  }
  api = loaded;
  return "";
}

/// The table of `Api`, loaded on the first call (thread-safe, once): a
/// failure is remembered and reported by `fail(error)`, which must throw,
/// on this and every later call.
template <typename Api, typename Load, typename Fail>
const Api& LoadedApiOnce(Load load, Fail fail) {
  static std::once_flag once;
  static Api api;
  static std::string error;
  std::call_once(once, [&] { error = load(api); });
  if (!error.empty()) fail(error);
  return api;
}

}  // namespace dbshift
