#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "dbshift/cli/context.h"
#include "dbshift/plan/plan.h"

namespace dbshift::cli {

/// The command chosen on the command line, ready to run; returns the exit code.
using CommandRunner = std::function<int(CommandContext&)>;

// Each adds its subcommand to `app`; when the subcommand is chosen, its
// parse callback stores the runner in `selected`. One file per command.
void AddInitCommand(CLI::App& app, CommandRunner& selected);
void AddNewCommand(CLI::App& app, CommandRunner& selected);
void AddStatusCommand(CLI::App& app, CommandRunner& selected);
void AddUpCommand(CLI::App& app, CommandRunner& selected);
void AddDownCommand(CLI::App& app, CommandRunner& selected);
void AddValidateCommand(CLI::App& app, CommandRunner& selected);
void AddRepairCommand(CLI::App& app, CommandRunner& selected);
void AddBaselineCommand(CLI::App& app, CommandRunner& selected);
void AddLockCommand(CLI::App& app, CommandRunner& selected);
void AddAdoptCommand(CLI::App& app, CommandRunner& selected);
void AddLintCommand(CLI::App& app, CommandRunner& selected);
void AddPlanCommand(CLI::App& app, CommandRunner& selected);
void AddBackupCommand(CLI::App& app, CommandRunner& selected);
void AddRestoreCommand(CLI::App& app, CommandRunner& selected);
void AddRehearseCommand(CLI::App& app, CommandRunner& selected);
void AddDriftCommand(CLI::App& app, CommandRunner& selected);

/// Runs `define`, which adds a subcommand's options, flags, subcommands and
/// callback, only when that subcommand is the one on the command line. CLI11
/// calls it before it parses the subcommand's arguments, so `--help` lists
/// them. Building every command's options, and a help flag for each, cost
/// more than the rest of start-up: the parent app has no help flag while its
/// subcommands are added (they would each copy it), and the chosen one gets
/// its own here. Every subcommand is added through this.
void DefineWhenChosen(CLI::App& command, std::function<void()> define);
inline constexpr const char* kHelpFlag = "-h,--help";
inline constexpr const char* kHelpDescription = "Print this help message and exit";

/// Adds --to and -n to an up/down subcommand.
struct TargetFlags {
  std::string to;
  std::optional<int> count;  ///< absent unless -n was given (-n 0 is an error, not "all")
};
void AddTargetFlags(CLI::App& command, TargetFlags& flags, const char* to_help);
/// Turns the flags into a plan Target; throws UsageError for a bad version.
Target ToTarget(const TargetFlags& flags);

/// "Target: <redacted url> (from <origin>)" for text output.
std::string TargetLine(const Driver& driver, const CommandContext& context);

}  // namespace dbshift::cli
