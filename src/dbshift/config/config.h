#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "dbshift/source/migration.h"

namespace dbshift {

/// One named environment of dbshift.toml ([env.NAME]).
struct EnvironmentConfig {
  std::string url;      ///< may be empty when url_env is used
  std::string url_env;  ///< name of an environment variable holding the URL
};

/// dbshift.toml. Every field has a default, so a missing file is a valid
/// (empty) config.
///
///   dir = "migrations"
///   history_table = "dbshift_history"
///   log_dir = ".dbshift/log"
///   lock_timeout = "30s"
///   [env.dev]
///   url = "sqlite:./dev.db"
///   [env.prod]
///   url_env = "PROD_DATABASE_URL"   # keeps the password out of the file
struct Config {
  std::filesystem::path file;  ///< where it was read from; empty if none
  std::filesystem::path dir = "migrations";
  std::string history_table = "dbshift_history";
  std::optional<Layout> layout;  ///< forces the source layout; detected when absent
  std::filesystem::path log_dir = ".dbshift/log";
  std::chrono::milliseconds lock_timeout{30000};
  std::map<std::string, EnvironmentConfig> environments;
};

/// Reads `path`. Throws ConfigError naming path:line:column for malformed
/// TOML, unknown keys, wrong types and bad durations. Relative `dir` and
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

}  // namespace dbshift
