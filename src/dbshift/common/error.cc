#include "dbshift/common/error.h"

#include <fmt/format.h>

namespace dbshift {
namespace {

ErrorContext MakeSqlContext(std::string sqlstate) {
  ErrorContext context;
  context.sqlstate = std::move(sqlstate);
  return context;
}

}  // namespace

Error::Error(ExitCode code, const std::string& message, ErrorContext context)
    : std::runtime_error(message), code_(code), context_(std::move(context)) {}

SqlError::SqlError(const std::string& message, std::string sqlstate, int position)
    : Error(ExitCode::kMigrationFailed, message, MakeSqlContext(std::move(sqlstate))),
      position_(position) {}

void ThrowAssertion(const char* condition, const char* file, int line) {
  throw InternalError(fmt::format("assertion failed: {} at {}:{}", condition, file, line));
}

}  // namespace dbshift
