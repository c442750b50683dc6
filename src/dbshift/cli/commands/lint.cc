#include <cstdio>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/script_selection.h"
#include "dbshift/cli/lint_report.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"
#include "dbshift/exec/lint_gate.h"
#include "dbshift/lint/linter.h"
#include "dbshift/source/placeholders.h"

namespace dbshift::cli {
namespace {

int RunLint(CommandContext& context, const ScriptChoice& choice) {
  const LintGate settings = LintSettings(context);
  lint::LintOptions lint_options;
  lint_options.severities = settings.severities;
  const SelectedScripts selected =
      SelectScripts(context, choice, "lint", [&lint_options](Driver& driver) {
        if (driver.dialect() != Dialect::kPostgres) {
          throw UsageError(fmt::format(
              "lint: the rules are PostgreSQL's and the target is {} ({}); name the files, or "
              "use --all, to lint them as PostgreSQL",
              DialectName(driver.dialect()), driver.Target()));
        }
        lint_options.server_version = lint::ServerVersionNumber(driver.ServerVersion());
      });
  const std::vector<Script>& scripts = selected.scripts;

  std::vector<lint::Finding> findings;
  // Pending migrations run in order: tables an earlier one creates are new to
  // the later ones. Named files and --all are read one by one.
  std::set<std::string> new_tables;
  for (const Script& script : scripts) {
    lint::LintInput input =
        LintInputFor(script.name, script.sql, script.directives, settings.lock_timeout_by_default);
    if (choice.pending()) input.new_tables = &new_tables;
    std::vector<lint::Finding> found = lint::Lint(input, lint_options);
    if (!selected.placeholders.empty()) {
      for (lint::Finding& finding : found) {
        finding.message = MaskSecretValues(finding.message, selected.placeholders);
      }
    }
    findings.insert(findings.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
  }

  const std::string& format = context.options().format;
  if (format == "json") {
    PrintJsonText(LintJsonText(findings, scripts.size()));
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
  auto choice = std::make_shared<ScriptChoice>();
  CLI::App* command =
      app.add_subcommand("lint", "lock-safety and compatibility analysis of PostgreSQL migrations");
  DefineWhenChosen(*command, [command, choice] { AddScriptChoice(*command, *choice, "lint"); });
  command->callback([&selected, choice] {
    selected = [choice](CommandContext& context) { return RunLint(context, *choice); };
  });
}

}  // namespace dbshift::cli
