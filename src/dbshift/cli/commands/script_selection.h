#pragma once

// Which scripts lint and plan read: the pending migrations of the target
// (the default), every migration of the folder (--all), or the files named.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "dbshift/cli/context.h"
#include "dbshift/driver/driver.h"
#include "dbshift/exec/lint_gate.h"
#include "dbshift/source/directives.h"
#include "dbshift/source/placeholders.h"

namespace dbshift::cli {

/// FILES and --all as given on the command line.
struct ScriptChoice {
  std::vector<std::string> files;
  bool all = false;
  /// Neither FILES nor --all: the pending migrations of the target.
  bool pending() const { return files.empty() && !all; }
};

/// Adds the FILES argument and --all to `command`; `verb` ("lint", "plan")
/// words their help.
void AddScriptChoice(CLI::App& command, ScriptChoice& choice, std::string_view verb);

/// A script to read, with the name reports give it.
struct Script {
  std::string name;  ///< the file as the user can open it
  /// The SQL that runs: placeholders replaced with their values (a
  /// placeholder without one stays as written), a UTF-8 BOM removed.
  std::string sql;
  Directives directives;
  std::optional<std::string> version;  ///< as written in the file name; absent for repeatable
  std::string description;
};

struct SelectedScripts {
  /// Pending: in the order they run. --all: versioned, undo, repeatable.
  std::vector<Script> scripts;
  /// Pending only: the connection to the target; null otherwise.
  std::unique_ptr<Driver> driver;
  /// The values substituted, to mask secret ones in what is printed.
  PlaceholderValues placeholders;
};

/// The lint settings of dbshift.toml for the chosen environment: severity
/// per rule, and whether migrations run under a lock_timeout unless a
/// directive says otherwise ([statements] lock_timeout not "off").
LintGate LintSettings(CommandContext& context);

/// Reads the scripts `choice` names. Only the pending mode connects; it
/// calls `check_target` with the connection before it reads history, so a
/// command can refuse (throw) or warn about the target. Throws UsageError
/// for a file that cannot be read, ConfigError / ConnectError / ValidationError
/// as loading the folder and connecting do. Each placeholder without a value
/// is a warning on stderr (`up` would refuse, exit 3).
SelectedScripts SelectScripts(CommandContext& context, const ScriptChoice& choice,
                              std::string_view verb,
                              const std::function<void(Driver&)>& check_target);

}  // namespace dbshift::cli
