#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dbshift {

/// Process exit codes, fixed by DESIGN.md. Scripts and CI depend on them.
enum class ExitCode : int {
  kOk = 0,
  kMigrationFailed = 1,  ///< a migration failed (rolled back, or marked failed)
  kUsage = 2,            ///< usage or configuration error
  kValidation = 3,       ///< validation failed (changed, missing, failed, out of order, bad source)
  kLockTimeout = 4,      ///< the migration lock was not acquired in time
  kLintBlocked = 5,      ///< blocked by lint
  kConnect = 6,          ///< cannot connect to the target
};

/// SQLSTATE lock_not_available: PostgreSQL's lock_timeout expired (or a
/// NOWAIT lock was taken).
inline constexpr std::string_view kSqlstateLockNotAvailable = "55P03";

/// Where an error happened, as far as it is known. Every field is optional.
struct ErrorContext {
  std::string file;      ///< script or config file, relative where possible
  int line = 0;          ///< 1-based line in `file`, 0 if unknown
  std::string version;   ///< migration version as written in the file name
  std::string sqlstate;  ///< SQLSTATE or engine error code
};

/// Base of every failure that ends a command. The message must already be
/// free of secrets (pass text from a server through Url::Scrub first).
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message, ErrorContext context = {});

  ExitCode code() const { return code_; }
  const ErrorContext& context() const { return context_; }

 private:
  ExitCode code_;
  ErrorContext context_;
};

/// Bad command line: exit 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message, ErrorContext context = {})
      : Error(ExitCode::kUsage, message, std::move(context)) {}
};

/// Bad or unreadable configuration (dbshift.toml, URL): exit 2.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message, ErrorContext context = {})
      : Error(ExitCode::kUsage, message, std::move(context)) {}
};

/// The source or the history does not validate: exit 3.
class ValidationError : public Error {
 public:
  explicit ValidationError(const std::string& message, ErrorContext context = {})
      : Error(ExitCode::kValidation, message, std::move(context)) {}
};

/// The migration lock was not acquired within --lock-timeout: exit 4.
class LockTimeout : public Error {
 public:
  explicit LockTimeout(const std::string& message) : Error(ExitCode::kLockTimeout, message) {}
};

/// Lint found a blocking violation: exit 5.
class LintBlocked : public Error {
 public:
  explicit LintBlocked(const std::string& message) : Error(ExitCode::kLintBlocked, message) {}
};

/// The target could not be reached or refused the login: exit 6.
class ConnectError : public Error {
 public:
  explicit ConnectError(const std::string& message) : Error(ExitCode::kConnect, message) {}
};

/// The engine rejected a statement. Drivers throw it; the executor wraps it
/// into MigrationFailed with the script's file and line.
class SqlError : public Error {
 public:
  /// `position` is the 1-based character offset of the error inside the
  /// statement text when the engine reports one, 0 otherwise.
  SqlError(const std::string& message, std::string sqlstate, int position = 0);

  int position() const { return position_; }

 private:
  int position_;
};

/// A migration failed and was rolled back (or marked failed): exit 1.
class MigrationFailed : public Error {
 public:
  MigrationFailed(const std::string& message, ErrorContext context)
      : Error(ExitCode::kMigrationFailed, message, std::move(context)) {}
};

/// A broken invariant inside dbshift: a bug, never a user mistake.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message)
      : Error(ExitCode::kMigrationFailed, "internal error: " + message) {}
};

/// Programmer errors only (DuckDB's D_ASSERT rule): throws InternalError.
#define DBSHIFT_ASSERT(condition)                                                \
  do {                                                                           \
    if (!(condition)) ::dbshift::ThrowAssertion(#condition, __FILE__, __LINE__); \
  } while (false)

[[noreturn]] void ThrowAssertion(const char* condition, const char* file, int line);

}  // namespace dbshift
