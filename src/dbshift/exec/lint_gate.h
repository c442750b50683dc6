#pragma once

#include <map>
#include <string>
#include <vector>

#include "dbshift/driver/driver.h"
#include "dbshift/lint/rule.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// What `up` asks of the lint before it runs anything.
struct LintGate {
  bool enabled = true;
  /// Severity per rule id, over the rules' own (dbshift.toml [lint.severity]).
  std::map<std::string, lint::Severity, std::less<>> severities;
};

/// Lints `scripts` (their SQL as it will run) when the target is
/// PostgreSQL, whose grammar the rules read; other engines pass. Throws
/// LintBlocked listing every error finding, by file, line and column, when
/// there is one. Warnings never block.
void CheckLintGate(const std::vector<Migration>& scripts, Driver& driver, const LintGate& gate);

}  // namespace dbshift
