#include "dbshift/cli/context.h"

#include <exception>
#include <future>
#include <unistd.h>

#include <fmt/format.h>

#include "dbshift/common/duration.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/history/foreign_history_driver.h"
#include "dbshift/log/run_log.h"
#include "dbshift/source/layout.h"
#include "dbshift/source/loader.h"

namespace dbshift::cli {

CommandContext::CommandContext(GlobalOptions options) : options_(std::move(options)) {}

const Config& CommandContext::config() {
  if (!config_) {
    std::optional<std::filesystem::path> path;
    if (options_.config) path = *options_.config;
    config_ = LoadConfigOrDefault(path);
  }
  return *config_;
}

std::filesystem::path CommandContext::MigrationDir() {
  if (options_.dir) return *options_.dir;
  if (namespace_ != nullptr) return namespace_->dir;
  return config().dir;
}

LoadOptions CommandContext::SourceOptions() {
  LoadOptions load;
  // main() has checked --layout against the names already.
  if (options_.layout) {
    load.layout = ParseLayoutName(*options_.layout);
  } else if (namespace_ != nullptr && namespace_->layout) {
    load.layout = namespace_->layout;
  } else {
    load.layout = config().layout;
  }
  try {
    load.dialect = Url::Parse(ResolveUrl(config(), options_.url, options_.env).url).scheme();
  } catch (const Error&) {
    // Connect() resolves the URL again and reports the error where it belongs.
  }
  return load;
}

std::pair<MigrationSet, std::unique_ptr<Driver>> CommandContext::LoadSourceAndConnect() {
  LoadedTarget loaded = LoadAndConnect(/*read_history=*/false);
  return {std::move(loaded.source), std::move(loaded.driver)};
}

LoadedTarget CommandContext::LoadSourceConnectAndReadHistory() {
  return LoadAndConnect(/*read_history=*/true);
}

LoadedTarget CommandContext::LoadAndConnect(bool read_history) {
  std::filesystem::path dir = MigrationDir();  // reads the config on this thread first
  LoadOptions load = SourceOptions();
  std::future<MigrationSet> source =
      std::async(std::launch::async, [dir, load] { return LoadMigrations(dir, load); });
  LoadedTarget loaded;
  std::exception_ptr connect_error;
  try {
    loaded.driver = Connect();
  } catch (...) {
    connect_error = std::current_exception();
  }
  auto* foreign = dynamic_cast<ForeignHistoryDriver*>(loaded.driver.get());
  // Without waiting for the folder: on a server the query's round trip, on
  // SQLite the read of the rows, overlap with the file reads.
  const bool read_now = read_history && loaded.driver && foreign == nullptr;
  if (read_now) loaded.history = HistorySnapshot::Read(*loaded.driver);
  loaded.source = source.get();  // rethrows a source error first
  if (connect_error) std::rethrow_exception(connect_error);
  if (foreign != nullptr) {
    foreign->AttachSource(loaded.source);
    if (read_history) loaded.history = HistorySnapshot::Read(*foreign);
  }
  return loaded;
}

std::unique_ptr<Driver> CommandContext::Connect() {
  ResolvedUrl resolved = ResolveUrl(config(), options_.url, options_.env);
  url_origin_ = resolved.origin;
  DriverOptions driver_options;
  driver_options.schema = HistorySchema();
  const HistoryFormat format = history_format();
  if (format == HistoryFormat::kNative) {
    driver_options.history_table = HistoryTable();
    return OpenDriver(Url::Parse(resolved.url), driver_options);
  }
  // The lock stays dbshift's own (keyed by its default table); --history-table
  // names the other tool's table.
  return std::make_unique<ForeignHistoryDriver>(
      OpenDriver(Url::Parse(resolved.url), driver_options), format, HistoryTable());
}

std::string CommandContext::TargetUrl() {
  return ResolveUrl(config(), options_.url, options_.env).url;
}

std::string CommandContext::HistoryTable() {
  const HistoryFormat format = history_format();
  if (format != HistoryFormat::kNative) {
    return options_.history_table.value_or(DefaultHistoryTable(format));
  }
  return options_.history_table.value_or(namespace_ != nullptr ? namespace_->history_table
                                                               : config().history_table);
}

std::string CommandContext::HistorySchema() const {
  return namespace_ != nullptr ? namespace_->schema : "";
}

HistoryFormat CommandContext::history_format() const {
  // main() has checked --history against the names already.
  return options_.history ? ParseHistoryFormat(*options_.history).value_or(HistoryFormat::kNative)
                          : HistoryFormat::kNative;
}

void CommandContext::RequireOwnHistory(std::string_view command) const {
  if (history_format() != HistoryFormat::kNative) {
    throw UsageError(fmt::format("{} reads dbshift's own history: leave out --history", command));
  }
}

LockPolicy CommandContext::lock_policy() {
  LockPolicy policy;
  policy.timeout = options_.lock_timeout ? ParseDuration(*options_.lock_timeout, "--lock-timeout")
                                         : config().lock_timeout;
  return policy;
}

PlaceholderValues CommandContext::placeholders() {
  return ResolvePlaceholders(config(), options_.env);
}

std::unique_ptr<EventSink> CommandContext::OpenRunLog(const std::string& run_id) {
  std::filesystem::path dir =
      options_.log_dir ? std::filesystem::path(*options_.log_dir) : config().log_dir;
  try {
    return std::make_unique<RunLog>(dir, run_id);
  } catch (const ConfigError& error) {
    if (options_.log_dir) throw;
    Note(fmt::format("warning: no run log: {}", error.what()));
    return nullptr;
  }
}

void CommandContext::Say(const std::string& line) const {
  if (json() || options_.quiet) return;
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
}

void CommandContext::Note(const std::string& line) const {
  if (options_.quiet) return;
  std::fputs(line.c_str(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace dbshift::cli
