#include "dbshift/source/placeholders.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

constexpr std::string_view kMask = "***";
constexpr std::array<std::string_view, 3> kSecretWords = {"password", "secret", "token"};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

const std::string* FindValue(const PlaceholderValues& values, std::string_view name) {
  const auto found = values.find(PlaceholderKey(name));
  return found == values.end() ? nullptr : &found->second;
}

std::string FileName(const Migration& migration) {
  return migration.file.empty() ? migration.script : migration.file;
}

}  // namespace

bool IsPlaceholderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsNameChar);
}

std::string PlaceholderKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) c = ToLower(c);
  return key;
}

bool IsSecretPlaceholderName(std::string_view name) {
  const std::string key = PlaceholderKey(name);
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&key](std::string_view word) { return key.find(word) != std::string::npos; });
}

std::vector<PlaceholderUse> FindPlaceholders(std::string_view sql) {
  std::vector<PlaceholderUse> uses;
  int line = 1;
  std::size_t counted_to = 0;  // lines are counted up to here
  std::size_t pos = sql.find("${");
  while (pos != std::string_view::npos) {
    std::size_t end = pos + 2;
    while (end < sql.size() && IsNameChar(sql[end])) ++end;
    if (end > pos + 2 && end < sql.size() && sql[end] == '}') {
      line += static_cast<int>(std::count(sql.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                          sql.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
      counted_to = pos;
      uses.push_back(PlaceholderUse{std::string(sql.substr(pos + 2, end - pos - 2)), line, pos,
                                    end + 1 - pos});
      pos = sql.find("${", end + 1);
    } else {
      // Not a placeholder; a "${" may still start right after this "$"
      // ("$${x}" holds one).
      pos = sql.find("${", pos + 1);
    }
  }
  return uses;
}

std::string SubstitutePlaceholders(std::string_view sql, const PlaceholderValues& values) {
  std::string result;
  result.reserve(sql.size());
  std::size_t copied_to = 0;
  for (const PlaceholderUse& use : FindPlaceholders(sql)) {
    const std::string* value = FindValue(values, use.name);
    if (value == nullptr) continue;
    result.append(sql.substr(copied_to, use.offset - copied_to));
    result.append(*value);
    copied_to = use.offset + use.length;
  }
  result.append(sql.substr(copied_to));
  return result;
}

std::vector<PlaceholderUse> FindUndefinedPlaceholders(std::string_view sql,
                                                      const PlaceholderValues& values) {
  std::vector<PlaceholderUse> undefined = FindPlaceholders(sql);
  std::erase_if(undefined, [&values](const PlaceholderUse& use) {
    return FindValue(values, use.name) != nullptr;
  });
  return undefined;
}

std::string MaskSecretValues(std::string_view text, const PlaceholderValues& values) {
  std::string masked(text);
  // Longer values first: a secret that contains another is masked whole.
  std::vector<const std::string*> secrets;
  for (const auto& [name, value] : values) {
    if (!value.empty() && IsSecretPlaceholderName(name)) secrets.push_back(&value);
  }
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* secret : secrets) {
    std::size_t pos = masked.find(*secret);
    while (pos != std::string::npos) {
      masked.replace(pos, secret->size(), kMask);
      pos = masked.find(*secret, pos + kMask.size());
    }
  }
  return masked;
}

PlaceholderValues PlaceholdersFromEnvironment(const std::vector<std::string_view>& entries) {
  PlaceholderValues values;
  for (std::string_view entry : entries) {
    if (!entry.starts_with(kPlaceholderEnvPrefix)) continue;
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view variable = entry.substr(0, equals);
    const std::string_view name = variable.substr(kPlaceholderEnvPrefix.size());
    if (!IsPlaceholderName(name)) {
      throw ConfigError(fmt::format(
          "environment variable {}: \"{}\" is not a placeholder name (letters, digits and _)",
          variable, name));
    }
    values[PlaceholderKey(name)] = std::string(entry.substr(equals + 1));
  }
  return values;
}

std::string SqlToRun(const Migration& migration, const PlaceholderValues& values) {
  if (!migration.directives.placeholders) return migration.sql;
  return SubstitutePlaceholders(migration.sql, values);
}

void CheckPlaceholdersDefined(const std::vector<const Migration*>& migrations,
                              const PlaceholderValues& values) {
  std::string list;
  int count = 0;
  ErrorContext context;
  for (const Migration* migration : migrations) {
    if (!migration->directives.placeholders) continue;
    for (const PlaceholderUse& use : FindUndefinedPlaceholders(migration->sql, values)) {
      const std::string file = FileName(*migration);
      if (count++ == 0) {
        context.file = file;
        context.line = use.line;
        context.version = migration->version ? migration->version->text() : "";
      }
      list += fmt::format(
          "\n  - {}:{}: ${{{}}}: define {} under [placeholders] in dbshift.toml "
          "or set {}{}",
          file, use.line, use.name, PlaceholderKey(use.name), kPlaceholderEnvPrefix,
          ToUpper(use.name));
    }
  }
  if (count == 0) return;
  throw ValidationError(
      fmt::format("{} undefined placeholder{}; nothing was run:{}\n(a script that must keep "
                  "${{...}} as it is can say -- dbshift:placeholders off)",
                  count, count == 1 ? "" : "s", list),
      std::move(context));
}

}  // namespace dbshift
