#include "dbshift/config/config.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "dbshift/common/duration.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/source/layout.h"

namespace dbshift {
namespace {

constexpr std::string_view kDefaultConfigFile = "dbshift.toml";
constexpr std::string_view kDefaultUrl = "sqlite:./dbshift.db";
constexpr std::array<std::string_view, 11> kTopLevelKeys = {
    "dir",          "history_table", "layout",    "log_dir",    "lock_timeout", "env",
    "placeholders", "lint",          "namespace", "statements", "backup_dir"};
constexpr std::array<std::string_view, 5> kNamespaceKeys = {"name", "dir", "history_table",
                                                            "schema", "layout"};
constexpr std::array<std::string_view, 5> kEnvKeys = {"url", "url_env", "placeholders",
                                                      "statements", "require_backup"};
constexpr std::array<std::string_view, 4> kStatementKeys = {
    "lock_timeout", "statement_timeout", "lock_timeout_tries", "lock_timeout_backoff"};

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean \"x\"?)" for a near miss, empty otherwise. Two edits catch
// typos and swapped letters without suggesting unrelated words.
template <typename Names>
std::string DidYouMean(std::string_view word, const Names& names) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view name : names) {
    const std::size_t distance = EditDistance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", best);
}

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Builds errors that point at a place in the config file.
class Reporter {
 public:
  explicit Reporter(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const toml::source_region& where, std::string_view message) const {
    const int line = static_cast<int>(where.begin.line);
    ErrorContext context;
    context.file = file_;
    context.line = line;
    if (line == 0) throw ConfigError(fmt::format("{}: {}", file_, message), std::move(context));
    throw ConfigError(fmt::format("{}:{}:{}: {}", file_, line, where.begin.column, message),
                      std::move(context));
  }

  const std::string& ExpectString(const toml::node& node, std::string_view key) const {
    const toml::value<std::string>* value = node.as_string();
    if (value == nullptr) {
      Fail(node.source(),
           fmt::format("\"{}\" must be a string, not {}", key, TypeName(node.type())));
    }
    return value->get();
  }

  bool ExpectBool(const toml::node& node, std::string_view key) const {
    const toml::value<bool>* value = node.as_boolean();
    if (value == nullptr) {
      Fail(node.source(),
           fmt::format("\"{}\" must be true or false, not {}", key, TypeName(node.type())));
    }
    return value->get();
  }

  const toml::table& ExpectTable(const toml::node& node, std::string_view key) const {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      Fail(node.source(),
           fmt::format("\"{}\" must be a table, not {}", key, TypeName(node.type())));
    }
    return *table;
  }

 private:
  std::string file_;
};

// A duration: "500ms", "30s", "1m30s", an integer of seconds, or (where
// `off_allowed`) "off" for no limit, read as 0.
std::chrono::milliseconds ReadDuration(const Reporter& reporter, const toml::node& node,
                                       std::string_view key, bool off_allowed = false) {
  // An integer means seconds, as a bare number does in a duration string.
  if (const toml::value<int64_t>* seconds = node.as_integer()) {
    if (seconds->get() < 0 || seconds->get() > INT64_MAX / 1000) {
      reporter.Fail(node.source(), fmt::format("\"{}\": {} is not a duration (use e.g. "
                                               "500ms, 30s, 5m, 1h)",
                                               key, seconds->get()));
    }
    return std::chrono::seconds(seconds->get());
  }
  const std::string& text = reporter.ExpectString(node, key);
  if (off_allowed && text == "off") return std::chrono::milliseconds(0);
  try {
    return ParseDuration(text, fmt::format("\"{}\"", key));
  } catch (const UsageError& error) {
    reporter.Fail(node.source(), error.what());
  }
}

// [statements] or [env.NAME.statements].
StatementLimits ReadStatementLimits(const Reporter& reporter, std::string_view path,
                                    const toml::node& node) {
  StatementLimits limits;
  for (const auto& [key, value] : reporter.ExpectTable(node, path)) {
    const std::string_view name = key.str();
    const std::string full_name = fmt::format("{}.{}", path, name);
    if (name == "lock_timeout") {
      limits.lock_timeout = ReadDuration(reporter, value, full_name, true);
    } else if (name == "statement_timeout") {
      limits.statement_timeout = ReadDuration(reporter, value, full_name, true);
    } else if (name == "lock_timeout_backoff") {
      limits.lock_timeout_backoff = ReadDuration(reporter, value, full_name);
    } else if (name == "lock_timeout_tries") {
      const toml::value<int64_t>* tries = value.as_integer();
      if (tries == nullptr || tries->get() < 1 || tries->get() > 100) {
        reporter.Fail(
            value.source(),
            fmt::format("\"{}\" must be a whole number of tries from 1 to 100", full_name));
      }
      limits.lock_timeout_tries = static_cast<int>(tries->get());
    } else {
      reporter.Fail(key.source(),
                    fmt::format("unknown key \"{}\" in [{}]{}; expected {}", name, path,
                                DidYouMean(name, kStatementKeys), fmt::join(kStatementKeys, ", ")));
    }
  }
  return limits;
}

// [placeholders] or [env.NAME.placeholders]: string values under names that
// scripts can write as ${name}.
PlaceholderValues ReadPlaceholders(const Reporter& reporter, std::string_view path,
                                   const toml::node& node) {
  PlaceholderValues values;
  for (const auto& [key, value] : reporter.ExpectTable(node, path)) {
    const std::string_view name = key.str();
    if (!IsPlaceholderName(name)) {
      reporter.Fail(key.source(),
                    fmt::format("[{}]: \"{}\" is not a placeholder name (letters, digits and _)",
                                path, name));
    }
    const std::string full_name = fmt::format("{}.{}", path, name);
    const std::string& text = reporter.ExpectString(value, full_name);
    // Names match case-insensitively, so two spellings would be one name
    // with two values.
    if (!values.emplace(PlaceholderKey(name), text).second) {
      reporter.Fail(key.source(),
                    fmt::format("[{}]: \"{}\" is given twice (names ignore case)", path, name));
    }
  }
  return values;
}

// [lint] with its [lint.severity] table: rule id = "off" | "warning" | "error".
std::map<std::string, lint::Severity, std::less<>> ReadLint(const Reporter& reporter,
                                                            const toml::node& node) {
  std::vector<std::string_view> rule_ids;
  for (const lint::Rule& rule : lint::AllRules()) rule_ids.push_back(rule.id);
  std::map<std::string, lint::Severity, std::less<>> severities;
  for (const auto& [key, value] : reporter.ExpectTable(node, "lint")) {
    if (key.str() != "severity") {
      reporter.Fail(key.source(),
                    fmt::format("unknown key \"{}\" in [lint]; expected severity", key.str()));
    }
    for (const auto& [rule, level] : reporter.ExpectTable(value, "lint.severity")) {
      if (lint::FindRule(rule.str()) == nullptr) {
        reporter.Fail(rule.source(), fmt::format("[lint.severity]: unknown rule \"{}\"{}",
                                                 rule.str(), DidYouMean(rule.str(), rule_ids)));
      }
      const std::string text =
          reporter.ExpectString(level, fmt::format("lint.severity.{}", rule.str()));
      const std::optional<lint::Severity> severity = lint::ParseSeverity(text);
      if (!severity) {
        reporter.Fail(level.source(),
                      fmt::format("[lint.severity]: {} = \"{}\"; expected \"off\", \"warning\" or "
                                  "\"error\"",
                                  rule.str(), text));
      }
      severities[std::string(rule.str())] = *severity;
    }
  }
  return severities;
}

std::optional<Layout> ReadLayout(const Reporter& reporter, const toml::node& node) {
  const std::string text = reporter.ExpectString(node, "layout");
  std::optional<Layout> layout = ParseLayoutName(text);
  if (!layout) {
    reporter.Fail(
        node.source(),
        fmt::format("unknown layout \"{}\" (native, golang-migrate, dbmate or popx)", text));
  }
  return layout;
}

bool IsNamespaceName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// One [[namespace]] table; relative folders are resolved later with the rest.
NamespaceConfig ReadNamespace(const Reporter& reporter, const toml::node& node) {
  const toml::table& table = reporter.ExpectTable(node, "namespace");
  NamespaceConfig space;
  for (const auto& [key, value] : table) {
    const std::string_view name = key.str();
    if (name == "name") {
      space.name = reporter.ExpectString(value, "namespace.name");
      if (!IsNamespaceName(space.name)) {
        reporter.Fail(value.source(),
                      fmt::format("namespace name \"{}\": use a-z, 0-9, _ and -", space.name));
      }
    } else if (name == "dir") {
      space.dir = reporter.ExpectString(value, "namespace.dir");
    } else if (name == "history_table") {
      space.history_table = reporter.ExpectString(value, "namespace.history_table");
    } else if (name == "schema") {
      space.schema = reporter.ExpectString(value, "namespace.schema");
    } else if (name == "layout") {
      space.layout = ReadLayout(reporter, value);
    } else {
      reporter.Fail(key.source(), fmt::format("unknown key \"{}\" in [[namespace]]{}", name,
                                              DidYouMean(name, kNamespaceKeys)));
    }
  }
  if (space.name.empty()) reporter.Fail(node.source(), "[[namespace]] needs a name");
  if (space.dir.empty()) space.dir = std::filesystem::path("migrations") / space.name;
  if (space.history_table.empty()) space.history_table = "dbshift_history_" + space.name;
  return space;
}

std::vector<NamespaceConfig> ReadNamespaces(const Reporter& reporter, const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    reporter.Fail(node.source(), "\"namespace\" must be written as [[namespace]] tables");
  }
  std::vector<NamespaceConfig> spaces;
  for (const toml::node& element : *array) {
    NamespaceConfig space = ReadNamespace(reporter, element);
    for (const NamespaceConfig& other : spaces) {
      if (other.name == space.name) {
        reporter.Fail(element.source(),
                      fmt::format("namespace \"{}\" is listed twice", space.name));
      }
      // Two sets in one history would see each other's versions as missing files.
      if (other.history_table == space.history_table && other.schema == space.schema) {
        reporter.Fail(element.source(),
                      fmt::format("namespaces \"{}\" and \"{}\" share the history table {}; give "
                                  "each its own history_table or schema",
                                  other.name, space.name, space.history_table));
      }
    }
    spaces.push_back(std::move(space));
  }
  return spaces;
}

EnvironmentConfig ReadEnvironment(const Reporter& reporter, std::string_view name,
                                  const toml::node& node) {
  const std::string path = fmt::format("env.{}", name);
  const toml::table& table = reporter.ExpectTable(node, path);
  EnvironmentConfig env;
  for (const auto& [key, value] : table) {
    if (key.str() == "url") {
      env.url = reporter.ExpectString(value, fmt::format("{}.url", path));
      try {
        Url::Parse(env.url);  // fail at load time, at the right line
      } catch (const ConfigError& error) {
        reporter.Fail(value.source(), fmt::format("[{}] url: {}", path, error.what()));
      }
    } else if (key.str() == "url_env") {
      env.url_env = reporter.ExpectString(value, fmt::format("{}.url_env", path));
      if (env.url_env.empty()) {
        reporter.Fail(value.source(), fmt::format("[{}] url_env is empty", path));
      }
    } else if (key.str() == "placeholders") {
      env.placeholders = ReadPlaceholders(reporter, fmt::format("{}.placeholders", path), value);
    } else if (key.str() == "statements") {
      env.statements = ReadStatementLimits(reporter, fmt::format("{}.statements", path), value);
    } else if (key.str() == "require_backup") {
      env.require_backup = reporter.ExpectBool(value, fmt::format("{}.require_backup", path));
    } else {
      reporter.Fail(key.source(),
                    fmt::format("unknown key \"{}\" in [{}]{}; expected url, url_env, "
                                "placeholders, statements or require_backup",
                                key.str(), path, DidYouMean(key.str(), kEnvKeys)));
    }
  }
  if (!env.url.empty() && !env.url_env.empty()) {
    reporter.Fail(node.source(),
                  fmt::format("[{}] sets both url and url_env; keep one of them", path));
  }
  if (env.url.empty() && env.url_env.empty()) {
    reporter.Fail(node.source(), fmt::format("[{}] needs url or url_env", path));
  }
  return env;
}

std::filesystem::path ResolveAgainst(const std::filesystem::path& folder,
                                     const std::filesystem::path& path) {
  if (path.is_absolute() || folder.empty()) return path;
  return folder / path;
}

}  // namespace

Config LoadConfig(const std::filesystem::path& path) {
  const Reporter reporter(path.string());
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw ConfigError(fmt::format("{}: config file does not exist or is not a file", path.string()),
                      ErrorContext{path.string(), 0, "", ""});
  }
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& parse_error) {
    reporter.Fail(parse_error.source(), parse_error.description());
  }

  Config config;
  config.file = path;
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();
    if (name == "dir") {
      config.dir = reporter.ExpectString(node, name);
      if (config.dir.empty()) reporter.Fail(node.source(), "dir is empty");
    } else if (name == "history_table") {
      config.history_table = reporter.ExpectString(node, name);
      if (config.history_table.empty()) reporter.Fail(node.source(), "history_table is empty");
    } else if (name == "layout") {
      config.layout = ReadLayout(reporter, node);
    } else if (name == "namespace") {
      config.namespaces = ReadNamespaces(reporter, node);
    } else if (name == "log_dir") {
      config.log_dir = reporter.ExpectString(node, name);
      if (config.log_dir.empty()) reporter.Fail(node.source(), "log_dir is empty");
    } else if (name == "backup_dir") {
      config.backup_dir = reporter.ExpectString(node, name);
      if (config.backup_dir.empty()) reporter.Fail(node.source(), "backup_dir is empty");
    } else if (name == "lock_timeout") {
      config.lock_timeout = ReadDuration(reporter, node, name);
    } else if (name == "statements") {
      config.statements = ReadStatementLimits(reporter, name, node);
    } else if (name == "placeholders") {
      config.placeholders = ReadPlaceholders(reporter, name, node);
    } else if (name == "lint") {
      config.lint_severity = ReadLint(reporter, node);
    } else if (name == "env") {
      for (const auto& [env_name, env_node] : reporter.ExpectTable(node, name)) {
        config.environments[std::string(env_name.str())] =
            ReadEnvironment(reporter, env_name.str(), env_node);
      }
    } else {
      reporter.Fail(key.source(),
                    fmt::format("unknown key \"{}\"{}", name, DidYouMean(name, kTopLevelKeys)));
    }
  }
  // Defaults resolve too: "migrations" means the folder beside dbshift.toml.
  const std::filesystem::path folder = path.parent_path();
  config.dir = ResolveAgainst(folder, config.dir);
  config.log_dir = ResolveAgainst(folder, config.log_dir);
  config.backup_dir = ResolveAgainst(folder, config.backup_dir);
  for (NamespaceConfig& space : config.namespaces) space.dir = ResolveAgainst(folder, space.dir);
  return config;
}

Config LoadConfigOrDefault(const std::optional<std::filesystem::path>& explicit_path) {
  if (explicit_path) return LoadConfig(*explicit_path);
  std::error_code error;
  if (std::filesystem::exists(kDefaultConfigFile, error)) return LoadConfig(kDefaultConfigFile);
  return Config{};
}

ResolvedUrl ResolveUrl(const Config& config, const std::optional<std::string>& url_flag,
                       const std::optional<std::string>& env_flag) {
  if (url_flag) return {*url_flag, "--url"};
  if (env_flag) {
    const std::string origin = fmt::format("--env {}", *env_flag);
    const auto found = config.environments.find(*env_flag);
    if (found == config.environments.end()) {
      const std::string file =
          config.file.empty() ? std::string(kDefaultConfigFile) : config.file.string();
      if (config.environments.empty()) {
        throw ConfigError(fmt::format("unknown environment \"{}\": {} defines no [env.NAME] tables",
                                      *env_flag, file));
      }
      std::vector<std::string_view> names;
      for (const auto& entry : config.environments) names.push_back(entry.first);
      throw ConfigError(fmt::format("unknown environment \"{}\"{}; {} defines {}", *env_flag,
                                    DidYouMean(*env_flag, names), file, fmt::join(names, ", ")));
    }
    const EnvironmentConfig& env = found->second;
    if (!env.url.empty()) return {env.url, origin};
    const char* value = std::getenv(env.url_env.c_str());
    if (value == nullptr || value[0] == '\0') {
      throw ConfigError(
          fmt::format("environment \"{}\" reads its URL from the variable {}, which is not set",
                      *env_flag, env.url_env));
    }
    return {value, origin};
  }
  if (const char* value = std::getenv("DATABASE_URL"); value != nullptr && value[0] != '\0') {
    return {value, "DATABASE_URL"};
  }
  return {std::string(kDefaultUrl), "default"};
}

PlaceholderValues ResolvePlaceholders(const Config& config,
                                      const std::optional<std::string>& env_flag) {
  PlaceholderValues values = config.placeholders;
  if (env_flag) {
    if (const auto found = config.environments.find(*env_flag);
        found != config.environments.end()) {
      for (const auto& [name, value] : found->second.placeholders) values[name] = value;
    }
  }
  std::vector<std::string_view> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) entries.emplace_back(*entry);
  for (auto& [name, value] : PlaceholdersFromEnvironment(entries)) values[name] = std::move(value);
  return values;
}

StatementLimits ResolveStatementLimits(const Config& config,
                                       const std::optional<std::string>& env_flag) {
  StatementLimits limits = config.statements;
  if (!env_flag) return limits;
  const auto found = config.environments.find(*env_flag);
  if (found == config.environments.end()) return limits;
  const StatementLimits& env = found->second.statements;
  if (env.lock_timeout) limits.lock_timeout = env.lock_timeout;
  if (env.statement_timeout) limits.statement_timeout = env.statement_timeout;
  if (env.lock_timeout_tries) limits.lock_timeout_tries = env.lock_timeout_tries;
  if (env.lock_timeout_backoff) limits.lock_timeout_backoff = env.lock_timeout_backoff;
  return limits;
}

}  // namespace dbshift
