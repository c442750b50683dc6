#pragma once

#include <map>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/lint/linter.h"
#include "dbshift/lint/rule.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// What `up` asks of the lint before it runs anything.
struct LintGate {
  bool enabled = true;
  /// Severity per rule id, over the rules' own (dbshift.toml [lint.severity]).
  std::map<std::string, lint::Severity, std::less<>> severities;
  /// Migrations run with a lock_timeout unless a directive turns it off
  /// (false when dbshift.toml [statements] lock_timeout is "off").
  bool lock_timeout_by_default = true;
};

/// The lint's view of one script: its directives decide the transaction, the
/// allowed rules and whether a lock_timeout is in force (its directive's, or
/// else the default's when `lock_timeout_by_default`).
lint::LintInput LintInputFor(std::string file, std::string_view sql, const Directives& directives,
                             bool lock_timeout_by_default = true);

/// Lints `scripts` (their SQL as it will run) when the target is
/// PostgreSQL, whose grammar the rules read; other engines pass. Throws
/// LintBlocked listing every error finding, by file, line and column, when
/// there is one. Warnings never block.
void CheckLintGate(const std::vector<Migration>& scripts, Driver& driver, const LintGate& gate);

}  // namespace dbshift
