#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/source/migration.h"

namespace dbshift {

/// `${name}` placeholders in migration scripts, as in Flyway. A placeholder
/// is `${`, a name of ASCII letters, digits and '_', and `}`; any other `${`
/// (`${a.b}`, `${ x }`, `${}`) is ordinary text. Placeholders are replaced
/// everywhere in a script, comments and string literals included, unless the
/// script says `-- dbshift:placeholders off`. All functions here are pure and
/// thread-safe.

/// Placeholder values keyed by PlaceholderKey(name): names match
/// case-insensitively, so `${Owner}` and DBSHIFT_PLACEHOLDER_OWNER meet.
using PlaceholderValues = std::map<std::string, std::string>;

/// The prefix of environment variables that define placeholders:
/// DBSHIFT_PLACEHOLDER_OWNER=app defines ${owner}.
inline constexpr std::string_view kPlaceholderEnvPrefix = "DBSHIFT_PLACEHOLDER_";

/// True for a non-empty name of ASCII letters, digits and '_'.
bool IsPlaceholderName(std::string_view name);

/// `name` in lower case: the key of PlaceholderValues.
std::string PlaceholderKey(std::string_view name);

/// True when a value named `name` may be a credential, whose value must
/// never be written to logs: the name contains "password", "secret" or
/// "token", in any case.
bool IsSecretPlaceholderName(std::string_view name);

/// One `${name}` in a script.
struct PlaceholderUse {
  std::string name;        ///< as written in the script
  int line = 1;            ///< 1-based line of the `$`
  std::size_t offset = 0;  ///< byte offset of the `$`
  std::size_t length = 0;  ///< bytes of `${name}`
};

/// Every placeholder of `sql`, in order of appearance.
std::vector<PlaceholderUse> FindPlaceholders(std::string_view sql);

/// `sql` with each placeholder replaced by its value. A placeholder without
/// a value stays as written (check first with FindUndefinedPlaceholders).
/// Values are inserted as they are: no quoting, and no second substitution
/// of a `${...}` inside a value.
std::string SubstitutePlaceholders(std::string_view sql, const PlaceholderValues& values);

/// The placeholders of `sql` that `values` does not define.
std::vector<PlaceholderUse> FindUndefinedPlaceholders(std::string_view sql,
                                                      const PlaceholderValues& values);

/// `text` with every occurrence of the value of a secret placeholder (see
/// IsSecretPlaceholderName) replaced by "***", for statement texts and
/// error messages bound for logs and terminals. Masks by value, so the
/// engine's messages that quote a value are covered too; a value that also
/// appears as ordinary text is masked there as well, which errs towards
/// secrecy. Empty values mask nothing.
std::string MaskSecretValues(std::string_view text, const PlaceholderValues& values);

/// Placeholder values from environment entries "NAME=value" (as in
/// `environ`): those starting with DBSHIFT_PLACEHOLDER_ define the
/// placeholder named by the rest. Throws ConfigError naming the variable
/// when that rest is not a placeholder name.
PlaceholderValues PlaceholdersFromEnvironment(const std::vector<std::string_view>& entries);

/// The SQL a migration runs: its placeholders replaced, or its text as it is
/// when its directives turn placeholders off. The checksum is not affected:
/// it stays that of the file as written.
std::string SqlToRun(const Migration& migration, const PlaceholderValues& values);

/// Throws ValidationError (exit 3) listing every undefined placeholder of
/// every script in `migrations` (file, line, name, how to define it), so a
/// run can refuse before its first migration changes anything. Scripts with
/// placeholders off are not checked. The context names the first one.
void CheckPlaceholdersDefined(const std::vector<const Migration*>& migrations,
                              const PlaceholderValues& values);

}  // namespace dbshift
