#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/lint/rule.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/placeholders.h"

namespace dbshift {

/// [statements], or [env.NAME.statements] over it: the limits each
/// migration's statements run under (PostgreSQL). Unset fields fall back to
/// the table above, then to the built-in defaults (RunOptions).
///
///   [statements]
///   lock_timeout = "5s"           # wait at most this long for a lock
///   statement_timeout = "off"     # run at most this long
///   lock_timeout_tries = 5        # tries of a migration that hit lock_timeout
///   lock_timeout_backoff = "1s"   # wait before the second try; doubles
struct StatementLimits {
  std::optional<std::chrono::milliseconds> lock_timeout;       ///< 0: none
  std::optional<std::chrono::milliseconds> statement_timeout;  ///< 0: none
  std::optional<int> lock_timeout_tries;                       ///< >= 1
  std::optional<std::chrono::milliseconds> lock_timeout_backoff;
};

/// One named environment of dbshift.toml ([env.NAME]).
struct EnvironmentConfig {
  std::string url;      ///< may be empty when url_env is used
  std::string url_env;  ///< name of an environment variable holding the URL
  /// [env.NAME.placeholders]: override the top-level ones with --env NAME.
  PlaceholderValues placeholders = {};
  StatementLimits statements = {};
  /// `up` in this environment takes a backup before applying anything, as
  /// with --backup.
  bool require_backup = false;
};

/// One [[namespace]]: an independent migration set of its own folder and
/// history table (or PostgreSQL schema) in the same database.
struct NamespaceConfig {
  std::string name;
  std::filesystem::path dir;     ///< default migrations/<name>
  std::string history_table;     ///< default dbshift_history_<name>
  std::string schema;            ///< PostgreSQL: schema of the history table; empty: search_path
  std::optional<Layout> layout;  ///< default: the top-level layout, else detected
};

/// dbshift.toml. Every field has a default, so a missing file is a valid
/// (empty) config.
///
///   dir = "migrations"
///   history_table = "dbshift_history"
///   log_dir = ".dbshift/log"
///   backup_dir = "backups"      # where backups go
///   lock_timeout = "30s"        # wait for the migration lock
///   [placeholders]
///   owner = "app_owner"
///   [env.dev]
///   url = "sqlite:./dev.db"
///   [env.prod]
///   url_env = "PROD_DATABASE_URL"   # keeps the password out of the file
///   require_backup = true           # up takes a backup before applying
struct Config {
  std::filesystem::path file;  ///< where it was read from; empty if none
  std::filesystem::path dir = "migrations";
  std::string history_table = "dbshift_history";
  std::optional<Layout> layout;  ///< forces the source layout; detected when absent
  std::filesystem::path log_dir = ".dbshift/log";
  /// Where `backup` and `up --backup` write backup folders.
  std::filesystem::path backup_dir = "backups";
  std::chrono::milliseconds lock_timeout{30000};
  std::map<std::string, EnvironmentConfig> environments;
  /// [placeholders]: values of ${name} in scripts, keyed by PlaceholderKey.
  PlaceholderValues placeholders = {};
  /// [[namespace]] tables, in the order written; empty when the database
  /// holds one migration set.
  std::vector<NamespaceConfig> namespaces = {};
  /// [lint.severity]: rule id -> severity, over the rules' own.
  std::map<std::string, lint::Severity, std::less<>> lint_severity = {};
  /// [statements]: the migration statements' lock and statement timeouts.
  StatementLimits statements = {};
};

/// Reads `path`. Throws ConfigError naming path:line:column for malformed
/// TOML, unknown keys, wrong types, bad durations, and placeholders that are
/// not strings or whose names are not placeholder names (or repeat one in
/// another case). Relative `dir` and
/// `log_dir` are resolved against the file's folder.
Config LoadConfig(const std::filesystem::path& path);

/// `explicit_path` when given (must exist, else ConfigError); otherwise
/// ./dbshift.toml when it exists; otherwise the defaults.
Config LoadConfigOrDefault(const std::optional<std::filesystem::path>& explicit_path);

/// Where the target URL came from, for messages ("--url", "--env prod",
/// "DATABASE_URL", "default").
struct ResolvedUrl {
  std::string url;
  std::string origin;
};

/// URL resolution order of DESIGN.md: `url_flag`, then `env_flag` looked up
/// in `config` (ConfigError when unknown, or when its url_env variable is
/// unset), then the DATABASE_URL variable, then "sqlite:./dbshift.db".
ResolvedUrl ResolveUrl(const Config& config, const std::optional<std::string>& url_flag,
                       const std::optional<std::string>& env_flag);

/// The placeholder values of a run, later sources winning: [placeholders],
/// then [env.NAME.placeholders] of `env_flag` (when that environment exists;
/// ResolveUrl reports an unknown one), then DBSHIFT_PLACEHOLDER_<NAME>
/// environment variables. Throws ConfigError for a variable whose <NAME> is
/// not a placeholder name.
PlaceholderValues ResolvePlaceholders(const Config& config,
                                      const std::optional<std::string>& env_flag);

/// [statements] with [env.NAME.statements] of `env_flag` over it, field by
/// field; fields neither sets stay unset.
StatementLimits ResolveStatementLimits(const Config& config,
                                       const std::optional<std::string>& env_flag);

}  // namespace dbshift
