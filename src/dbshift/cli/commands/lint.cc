#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/lint_report.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"
#include "dbshift/exec/lint_gate.h"
#include "dbshift/lint/linter.h"
#include "dbshift/source/directives.h"
#include "dbshift/source/loader.h"

namespace dbshift::cli {
namespace {

struct LintCommandOptions {
  std::vector<std::string> files;
  bool all = false;
};

// A script to lint, with the name findings give it.
struct Script {
  std::string name;
  std::string sql;
  Directives directives;
};

Script ReadScript(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError(fmt::format("lint: cannot read {}", file));
  std::ostringstream text;
  text << in.rdbuf();
  Script script{file, text.str(), {}};
  script.directives = ParseDirectives(script.sql, file);
  return script;
}

Script FromMigration(const Migration& migration, const std::filesystem::path& dir) {
  return Script{(dir / migration.script).lexically_normal().string(), migration.sql,
                migration.directives};
}

std::vector<Script> PendingScripts(CommandContext& context, int& server_version) {
  auto [source, driver] = context.LoadSourceAndConnect();
  if (driver->dialect() != Dialect::kPostgres) {
    throw UsageError(fmt::format(
        "lint: the rules are PostgreSQL's and the target is {} ({}); name the files, or use "
        "--all, to lint them as PostgreSQL",
        DialectName(driver->dialect()), driver->Target()));
  }
  server_version = lint::ServerVersionNumber(driver->ServerVersion());
  const Plan plan = ReadPlan(*driver, source, PlanOptions{});
  std::vector<Script> scripts;
  for (const PlanEntry* entry : SelectUp(plan, Target{})) {
    if (entry->migration != nullptr)
      scripts.push_back(FromMigration(*entry->migration, context.MigrationDir()));
  }
  return scripts;
}

std::vector<Script> AllScripts(CommandContext& context) {
  const std::filesystem::path dir = context.MigrationDir();
  const MigrationSet source = LoadMigrations(dir, context.SourceOptions());
  std::vector<Script> scripts;
  for (const auto* list : {&source.versioned, &source.undo, &source.repeatable}) {
    for (const Migration& migration : *list) scripts.push_back(FromMigration(migration, dir));
  }
  return scripts;
}

int RunLint(CommandContext& context, const LintCommandOptions& options) {
  lint::LintOptions lint_options;
  lint_options.severities = context.config().lint_severity;
  std::vector<Script> scripts;
  if (!options.files.empty()) {
    for (const std::string& file : options.files) scripts.push_back(ReadScript(file));
  } else if (options.all) {
    scripts = AllScripts(context);
  } else {
    scripts = PendingScripts(context, lint_options.server_version);
  }

  std::vector<lint::Finding> findings;
  // Pending migrations run in order: tables an earlier one creates are new to
  // the later ones. Named files and --all are read one by one.
  const bool pending = options.files.empty() && !options.all;
  std::set<std::string> new_tables;
  for (const Script& script : scripts) {
    lint::LintInput input = LintInputFor(script.name, script.sql, script.directives);
    if (pending) input.new_tables = &new_tables;
    std::vector<lint::Finding> found = lint::Lint(input, lint_options);
    findings.insert(findings.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
  }

  const std::string& format = context.options().format;
  if (format == "json") {
    PrintJson(LintJson(findings, scripts.size()));
  } else if (format == "sarif") {
    std::fputs((LintSarif(findings, kToolVersion).dump(2) + "\n").c_str(), stdout);
  } else {
    std::fputs(LintText(findings, scripts.size()).c_str(), stdout);
  }
  for (const lint::Finding& finding : findings) {
    if (finding.severity == lint::Severity::kError) return static_cast<int>(ExitCode::kLintBlocked);
  }
  return 0;
}

}  // namespace

void AddLintCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<LintCommandOptions>();
  CLI::App* command =
      app.add_subcommand("lint", "lock-safety and compatibility analysis of PostgreSQL migrations");
  command->add_option("files", options->files,
                      "scripts to lint (default: the pending migrations of the target)");
  command->add_flag("--all", options->all, "lint every migration of the folder, applied or not");
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunLint(context, *options); };
  });
}

}  // namespace dbshift::cli
