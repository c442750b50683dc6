#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "dbshift/config/config.h"
#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/history_snapshot.h"
#include "dbshift/exec/migration_lock.h"
#include "dbshift/history/history_format.h"
#include "dbshift/source/loader.h"
#include "dbshift/source/migration.h"

namespace dbshift::cli {

/// Options every command accepts (DESIGN.md "Command line").
struct GlobalOptions {
  std::optional<std::string> url;
  std::optional<std::string> env;
  std::optional<std::string> config;
  std::optional<std::string> dir;
  std::optional<std::string> log_dir;
  std::optional<std::string> lock_timeout;
  std::optional<std::string> history_table;
  std::optional<std::string> layout;
  std::optional<std::string> history;         ///< compat mode: another tool's history table
  std::optional<std::string> namespace_name;  ///< --namespace
  std::string format = "text";
  bool yes = false;
  int verbose = 0;
  bool quiet = false;
};

/// The migration folder, a connection to the target and its history, as a
/// command that plans starts with.
struct LoadedTarget {
  MigrationSet source;
  std::unique_ptr<Driver> driver;
  /// Read after connecting, while the folder was still loading.
  HistorySnapshot history;
};

/// What a command needs from its surroundings, resolved lazily so that a
/// command that never connects never fails on a bad URL.
class CommandContext {
 public:
  explicit CommandContext(GlobalOptions options);

  const GlobalOptions& options() const { return options_; }

  /// The [[namespace]] this command works on (its folder, history table,
  /// schema, layout); null when the config has none. `space` must outlive
  /// the context (it lives in config()).
  void SelectNamespace(const NamespaceConfig* space) { namespace_ = space; }
  bool json() const { return options_.format == "json"; }

  /// dbshift.toml (or defaults). Throws ConfigError.
  const Config& config();
  /// --dir, else the namespace's dir, else the config's dir.
  std::filesystem::path MigrationDir();
  /// How to read the folder: --layout or the config's layout, and the
  /// engine of the target URL (popx picks files by it; empty when the URL
  /// does not resolve, which Connect() reports).
  LoadOptions SourceOptions();
  /// --history: whose history table is read and written.
  HistoryFormat history_format() const;
  /// Commands that copy or restore dbshift's own history refuse another
  /// tool's (UsageError naming `command`).
  void RequireOwnHistory(std::string_view command) const;
  /// Resolves the URL and connects. Throws ConfigError / ConnectError.
  std::unique_ptr<Driver> Connect();
  /// The URL Connect() uses (--url, --env, DATABASE_URL or the default), with
  /// its password: never print it. Throws ConfigError.
  std::string TargetUrl();
  /// The history table Connect()'s driver reads: --history-table, else the
  /// namespace's, the config's, or in compat mode the other tool's default.
  std::string HistoryTable();
  /// PostgreSQL: the schema of the namespace's history; "" when none is set.
  std::string HistorySchema() const;
  /// Loads the migration folder (LoadMigrations with SourceOptions()) and
  /// Connect()s at once: the folder is read on a second
  /// thread while the connection is set up, as both wait on I/O. A source
  /// error is reported before a connection error, so the outcome does not
  /// depend on timing.
  std::pair<MigrationSet, std::unique_ptr<Driver>> LoadSourceAndConnect();
  /// LoadSourceAndConnect(), and the history read on the connection while
  /// the folder is still loading. Another tool's history (compat mode) is
  /// read once the folder is in, as reading it needs the folder.
  LoadedTarget LoadSourceConnectAndReadHistory();
  /// Where the URL came from ("--url", "--env prod", "DATABASE_URL", "default").
  const std::string& url_origin() const { return url_origin_; }
  LockPolicy lock_policy();
  /// Values of ${name} in scripts: the config's [placeholders], those of
  /// --env, then DBSHIFT_PLACEHOLDER_* variables. Throws ConfigError.
  PlaceholderValues placeholders();

  /// The run log for a command that changes the database. When the folder
  /// cannot be written: an error if it was configured explicitly, otherwise
  /// a warning on stderr and no log (a read-only container must still migrate).
  std::unique_ptr<EventSink> OpenRunLog(const std::string& run_id);

  /// Human-readable lines to stdout (text mode only; json mode keeps stdout
  /// for the one JSON document).
  void Say(const std::string& line) const;
  /// Notes and warnings to stderr (both modes), unless --quiet.
  void Note(const std::string& line) const;

 private:
  LoadedTarget LoadAndConnect(bool read_history);

  GlobalOptions options_;
  std::optional<Config> config_;
  std::string url_origin_;
  const NamespaceConfig* namespace_ = nullptr;
};

}  // namespace dbshift::cli
