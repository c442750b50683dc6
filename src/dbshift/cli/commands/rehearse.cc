#include "dbshift/exec/rehearse.h"

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/common/error.h"
#include "dbshift/config/config.h"

namespace dbshift::cli {
namespace {

struct RehearseFlags {
  bool allow_out_of_order = false;
  std::string copy = "auto";
};

CopyMethod ParseCopyMethod(const std::string& name) {
  if (name == "template") return CopyMethod::kTemplate;
  if (name == "backup") return CopyMethod::kBackup;
  return CopyMethod::kAuto;  // CLI11 has checked the name
}

nlohmann::json RehearsalJson(const RehearsalResult& result) {
  nlohmann::json applied = nlohmann::json::array();
  for (const AppliedMigration& migration : result.applied) {
    nlohmann::json entry = {{"version", migration.version},
                            {"description", migration.description},
                            {"script", migration.script},
                            {"execution_ms", migration.execution_ms}};
    if (const auto found = result.locks.find(migration.script); found != result.locks.end()) {
      nlohmann::json locks = nlohmann::json::array();
      for (const HeldLock& lock : found->second) {
        locks.push_back({{"relation", lock.relation}, {"mode", lock.mode}});
      }
      entry["locks"] = std::move(locks);
    }
    applied.push_back(std::move(entry));
  }
  nlohmann::json document = {
      {"ok", result.ok()},
      {"copy",
       result.copy_method.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.copy_method)},
      {"from_version", result.target_version.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(result.target_version)},
      {"applied", std::move(applied)},
      {"round_trip", result.round_trip},
      {"schema_differences", result.schema_differences}};
  if (!result.copy_note.empty()) document["copy_note"] = result.copy_note;
  if (result.failure) document["error"] = FailureJson(*result.failure);
  return document;
}

int RunRehearse(CommandContext& context, const RehearseFlags& flags) {
  // The copy is read and written with dbshift's own history.
  context.RequireOwnHistory("rehearse");
  auto [source, driver] = context.LoadSourceAndConnect();
  context.Say(TargetLine(*driver, context));
  RehearseRequest request;
  request.target_url = context.TargetUrl();
  request.history_table = context.HistoryTable();
  request.copy = ParseCopyMethod(flags.copy);
  request.reconnect = [&context] { return context.Connect(); };
  RunOptions run = MakeRunOptions(context, "rehearse");
  run.allow_out_of_order = flags.allow_out_of_order;
  run.placeholders = context.placeholders();
  // Events of the copy go to the terminal only: the run log records changes
  // to databases, and the copy is thrown away.
  TerminalSink terminal(context, false);
  context.Say("Rehearsing on a copy of the target; the target is only read.");
  const RehearsalResult result = Rehearse(driver, request, source, run, terminal);
  if (result.copy_method == "template") {
    context.Say(
        "The copy was made with CREATE DATABASE ... TEMPLATE: no other session was "
        "connected to the target.");
  } else if (result.copy_method == "backup") {
    context.Say(fmt::format("The copy was made from a backup of the target{}.",
                            result.copy_note.empty() ? "" : ": " + result.copy_note));
  }

  if (context.json()) {
    PrintJson(RehearsalJson(result));
  } else {
    if (result.applied.empty() && !result.failure) {
      context.Say("Nothing pending: nothing to rehearse.");
    }
    for (const AppliedMigration& migration : result.applied) {
      const auto found = result.locks.find(migration.script);
      if (found == result.locks.end()) continue;
      std::vector<std::string> locks;
      for (const HeldLock& lock : found->second) {
        locks.push_back(fmt::format("{} on {}", lock.mode, lock.relation));
      }
      context.Say(fmt::format(
          "Locks held by {} ({} ms): {}", migration.script, migration.execution_ms,
          locks.empty() ? "none on tables" : fmt::format("{}", fmt::join(locks, ", "))));
    }
    if (!result.round_trip.empty()) {
      context.Say(
          fmt::format("Undone and applied again: {}{}", fmt::join(result.round_trip, ", "),
                      result.schema_differences.empty() ? "; the schema came back identical" : ""));
    } else if (!result.applied.empty() && !result.failure) {
      context.Say("No undo script for the newest rehearsed migration: no undo round trip.");
    }
    for (const std::string& difference : result.schema_differences) {
      std::fprintf(stderr, "dbshift: error: schema differs %s\n", difference.c_str());
    }
    if (result.failure) {
      std::fprintf(stderr, "dbshift: error: rehearsal failed: %s\n",
                   result.failure->message.c_str());
    }
    if (result.ok()) context.Say("Rehearsal passed. The copy was removed.");
  }
  if (result.failure) return static_cast<int>(ExitCode::kMigrationFailed);
  return result.schema_differences.empty() ? 0 : static_cast<int>(ExitCode::kValidation);
}

}  // namespace

void AddRehearseCommand(CLI::App& app, CommandRunner& selected) {
  auto flags = std::make_shared<RehearseFlags>();
  CLI::App* command = app.add_subcommand(
      "rehearse",
      "apply the pending migrations to a copy of the target, undo and redo them, and report");
  DefineWhenChosen(*command, [command, flags] {
    command->add_flag("--allow-out-of-order", flags->allow_out_of_order,
                      "rehearse pending versions lower than the current one too");
    command
        ->add_option("--copy", flags->copy,
                     "PostgreSQL: how the target is copied: auto (by template when no other "
                     "session is connected, else by backup), template, backup")
        ->check(CLI::IsMember({"auto", "template", "backup"}));
  });
  command->callback([&selected, flags] {
    selected = [flags](CommandContext& context) { return RunRehearse(context, *flags); };
  });
}

}  // namespace dbshift::cli
