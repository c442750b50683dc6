// dbshift: the command-line front end. Parses the command line, runs one
// command, and turns every error into its message and DESIGN.md exit code.
// This is the one place that catches everything (STYLE.md "Error-handling").

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/context.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {
namespace {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "did you mean" for a mistyped command, as ninja does for its tools.
std::string Suggestion(const CLI::App& app, const std::vector<std::string>& extras) {
  if (extras.empty()) return "";
  for (const CLI::App* command : app.get_subcommands({})) {
    if (EditDistance(extras.front(), command->get_name()) <= 2) {
      return fmt::format(" (did you mean `{}`?)", command->get_name());
    }
  }
  return "";
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--url", options.url, "database URL (sqlite:PATH, postgres://...)");
  app.add_option("--env", options.env, "an [env.NAME] of the config file");
  app.add_option("--config", options.config, "config file (default ./dbshift.toml if present)");
  app.add_option("--dir", options.dir, "migration folder (default migrations)");
  app.add_option("--format", options.format, "output: text or json (lint: also sarif)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  app.add_flag("-y,--yes", options.yes, "do not ask for confirmation");
  app.add_option("--lock-timeout", options.lock_timeout,
                 "how long to wait for the migration lock (e.g. 30s, 5m)");
  app.add_option("--log-dir", options.log_dir, "folder of the run log (default .dbshift/log)");
  app.add_option("--history-table", options.history_table,
                 "history table name (default dbshift_history)");
  app.add_option("--layout", options.layout,
                 "file naming of the migration folder (default: detected)")
      ->check(CLI::IsMember({"native", "golang-migrate", "dbmate", "popx"}));
  app.add_option("--history", options.history,
                 "read and write another tool's history table (compat mode; default native)")
      ->check(CLI::IsMember({"native", "flyway", "golang-migrate", "dbmate", "popx"}));
  app.add_option("--namespace", options.namespace_name,
                 "one [[namespace]] of the config (default: all, in their order)");
  app.add_flag("-v,--verbose", options.verbose, "print every statement");
  app.add_flag("-q,--quiet", options.quiet, "print only errors and the result");
}

int ReportError(const CommandContext& context, const Error& error) {
  if (context.json()) PrintJson(ErrorJson(error));
  std::string location;
  if (!error.context().file.empty() && error.context().line > 0 &&
      std::string(error.what()).find(error.context().file) == std::string::npos) {
    location = fmt::format("{}:{}: ", error.context().file, error.context().line);
  }
  std::fprintf(stderr, "dbshift: error: %s%s\n", location.c_str(), error.what());
  return static_cast<int>(error.code());
}

int RunOne(CommandContext& context, const CommandRunner& selected) {
  try {
    return selected(context);
  } catch (const Error& error) {
    return ReportError(context, error);
  } catch (const std::exception& error) {
    return ReportError(context, InternalError(error.what()));
  }
}

// The [[namespace]]s of the config that `command` runs on: the one named by
// --namespace, else all of them in their order; none when the config lists
// none. init is about the project and runs once; new writes one file, so it
// needs to be told where.
std::vector<const NamespaceConfig*> NamespacesToRun(CommandContext& context,
                                                    const std::string& command) {
  const std::vector<NamespaceConfig>& all = context.config().namespaces;
  const std::optional<std::string>& wanted = context.options().namespace_name;
  std::string names;
  for (const NamespaceConfig& space : all) names += (names.empty() ? "" : ", ") + space.name;
  if (wanted) {
    for (const NamespaceConfig& space : all) {
      if (space.name == *wanted) return {&space};
    }
    if (all.empty()) {
      throw UsageError(fmt::format("--namespace {}: the config lists no [[namespace]]", *wanted));
    }
    throw UsageError(
        fmt::format("--namespace {}: no such namespace (the config lists {})", *wanted, names));
  }
  if (command == "init" || all.empty()) return {};
  if (command == "new" && all.size() > 1) {
    throw UsageError(
        fmt::format("new: say which namespace the migration is for with --namespace "
                    "({})",
                    names));
  }
  if (all.size() > 1 && context.options().dir) {
    throw UsageError(
        fmt::format("--dir names one folder but the config lists {} namespaces ({}); "
                    "add --namespace",
                    all.size(), names));
  }
  std::vector<const NamespaceConfig*> spaces;
  spaces.reserve(all.size());
  for (const NamespaceConfig& space : all) spaces.push_back(&space);
  return spaces;
}

int Main(int argc, char** argv) {
  CLI::App app{"dbshift: versioned, recorded, lock-safe database migrations"};
  app.require_subcommand(1);
  app.fallthrough();
  // The app's help flag is added after the subcommands, which would each copy
  // it (see DefineWhenChosen), and before every other option, to come first.
  app.set_help_flag();
  CommandRunner selected;
  AddInitCommand(app, selected);
  AddNewCommand(app, selected);
  AddStatusCommand(app, selected);
  AddUpCommand(app, selected);
  AddDownCommand(app, selected);
  AddValidateCommand(app, selected);
  AddRepairCommand(app, selected);
  AddBaselineCommand(app, selected);
  AddLockCommand(app, selected);
  AddAdoptCommand(app, selected);
  AddLintCommand(app, selected);
  AddPlanCommand(app, selected);
  AddBackupCommand(app, selected);
  AddRestoreCommand(app, selected);
  AddRehearseCommand(app, selected);
  AddDriftCommand(app, selected);
  app.set_help_flag(kHelpFlag, kHelpDescription);
  app.set_version_flag("--version", kToolVersion);
  GlobalOptions options;
  AddGlobalOptions(app, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::fprintf(stderr, "dbshift: error: %s%s\nRun `dbshift --help` for the commands.\n",
                 error.what(), Suggestion(app, app.remaining()).c_str());
    return static_cast<int>(ExitCode::kUsage);
  }

  const std::string command = app.get_subcommands().front()->get_name();
  if (options.format == "sarif" && command != "lint") {
    std::fprintf(stderr, "dbshift: error: --format sarif is for lint only\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  CommandContext context(options);
  std::vector<const NamespaceConfig*> spaces;
  try {
    spaces = NamespacesToRun(context, command);
  } catch (const Error& error) {
    return ReportError(context, error);
  }
  if (spaces.size() <= 1) {
    if (!spaces.empty()) context.SelectNamespace(spaces.front());
    return RunOne(context, selected);
  }
  // Each namespace in the order listed. A command that changes the database
  // stops at the first failure: later sets may build on earlier ones.
  const bool read_only = command == "status" || command == "validate" || command == "lock" ||
                         command == "lint" || command == "plan" || command == "drift";
  std::optional<JsonCollector> collector;
  if (context.json()) collector.emplace();
  int result = 0;
  for (const NamespaceConfig* space : spaces) {
    context.SelectNamespace(space);
    if (collector) collector->SetNamespace(space->name);
    context.Say(fmt::format("== namespace {} ==", space->name));
    const int code = RunOne(context, selected);
    if (code != 0 && result == 0) result = code;
    if (code != 0 && !read_only) break;
  }
  if (collector) collector->Print();
  return result;
}

}  // namespace
}  // namespace dbshift::cli

int main(int argc, char** argv) {
  // GnuTLS comes in only as a dependency of libldap, which libpq links, and
  // libldap initialises it itself before its first TLS connection. GnuTLS's
  // own initialisation when it is loaded costs about 1 ms of every
  // PostgreSQL run. Set here, before any thread exists (setenv is not
  // thread-safe), and only when the user has not set it.
  setenv("GNUTLS_NO_IMPLICIT_INIT", "1", /*overwrite=*/0);
  return dbshift::cli::Main(argc, argv);
}
