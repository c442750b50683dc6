#include "dbshift/exec/lint_gate.h"

#include <set>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/lint/linter.h"

namespace dbshift {
lint::LintInput LintInputFor(std::string file, std::string_view sql, const Directives& directives,
                             bool lock_timeout_by_default) {
  lint::LintInput input;
  input.file = std::move(file);
  input.sql = sql;
  input.in_transaction = !directives.no_transaction;
  input.allowed = directives.allowed_lint_rules;
  input.lock_timeout_set =
      directives.lock_timeout ? directives.lock_timeout->count() > 0 : lock_timeout_by_default;
  return input;
}

void CheckLintGate(const std::vector<Migration>& scripts, Driver& driver, const LintGate& gate) {
  if (!gate.enabled || scripts.empty() || driver.dialect() != Dialect::kPostgres) return;
  lint::LintOptions options;
  options.severities = gate.severities;
  options.server_version = lint::ServerVersionNumber(driver.ServerVersion());
  std::vector<lint::Finding> errors;
  // The scripts run in this order, one after the other: a table an earlier
  // one creates is new to the later ones.
  std::set<std::string> new_tables;
  for (const Migration& script : scripts) {
    lint::LintInput input =
        LintInputFor(script.script, script.sql, script.directives, gate.lock_timeout_by_default);
    input.new_tables = &new_tables;
    for (lint::Finding& finding : lint::Lint(input, options)) {
      if (finding.severity == lint::Severity::kError) errors.push_back(std::move(finding));
    }
  }
  if (errors.empty()) return;
  std::string message = fmt::format(
      "blocked by lint: {} error{} in the migrations to run; nothing was applied. Fix the "
      "script, or accept a finding with -- dbshift:allow <rule> (or its severity in "
      "dbshift.toml [lint.severity]):",
      errors.size(), errors.size() == 1 ? "" : "s");
  for (const lint::Finding& finding : errors) {
    message += fmt::format("\n  {}:{}:{}: [{}]{} {}", finding.file, finding.line, finding.column,
                           finding.rule, finding.breaking ? " (breaking)" : "", finding.message);
  }
  throw LintBlocked(message);
}

}  // namespace dbshift
