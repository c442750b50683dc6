#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbshift {

/// Settings a script declares in comment lines at its top, before the first
/// statement:
///   -- dbshift:no-transaction
///   -- dbshift:lock-timeout 5s
///   -- dbshift:statement-timeout 10m
///   -- dbshift:allow <lint-rule>[, <lint-rule>...]
///   -- dbshift:placeholders off
struct Directives {
  bool no_transaction = false;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::vector<std::string> allowed_lint_rules;
  /// False with `placeholders off`: `${name}` stays as written (PL/pgSQL or
  /// JavaScript bodies that use `${` themselves).
  bool placeholders = true;
};

/// Reads the directives at the top of `script`. Only comment lines and blank
/// lines before the first statement are read; a `-- dbshift:` line further
/// down is SQL comment like any other. Throws ValidationError naming
/// `file_name` and the line for an unknown directive or a bad value.
Directives ParseDirectives(std::string_view script, std::string_view file_name);

}  // namespace dbshift
