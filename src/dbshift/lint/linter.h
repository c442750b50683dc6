#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/lint/rule.h"

namespace dbshift::lint {

/// One finding, at the statement it is about.
struct Finding {
  std::string rule;
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;    ///< 1-based line of the statement's first token
  int column = 0;  ///< 1-based column, in characters (UTF-8 code points)
  std::string message;
  /// The change breaks the application version still running; the message
  /// gives the expand / migrate / contract sequence that does it safely.
  bool breaking = false;
};

/// One PostgreSQL script to lint.
struct LintInput {
  std::string file;      ///< as findings name it
  std::string_view sql;  ///< the whole script
  /// The script runs inside a transaction (no `-- dbshift:no-transaction`).
  bool in_transaction = true;
  /// Rules allowed for the whole script (`-- dbshift:allow` at its top).
  std::vector<std::string> allowed;
  /// A lock_timeout above zero will be in force when it runs.
  bool lock_timeout_set = true;
  /// Tables created by the scripts that run before this one in the same
  /// run: they do not exist yet, so no one uses them. Read as new tables;
  /// the tables this script creates are added. Null: this script alone.
  std::set<std::string>* new_tables = nullptr;
};

struct LintOptions {
  /// server_version_num of the target; 150000 when not connected.
  int server_version = 150000;
  /// Severity per rule id, over the rule's own (dbshift.toml [lint]).
  std::map<std::string, Severity, std::less<>> severities;
};

/// server_version_num of a version string: "15.20" -> 150020, "9.6.24" ->
/// 90624; 150000 when it does not read as a version.
int ServerVersionNumber(std::string_view text);

/// The rule id of the finding for a script PostgreSQL's grammar rejects.
inline constexpr std::string_view kSyntaxErrorRule = "syntax-error";

/// Every finding of every rule not turned off, in statement order. A rule
/// allowed for the script, or by a `-- dbshift:allow <rule>` comment right
/// before a statement, reports nothing there.
std::vector<Finding> Lint(const LintInput& input, const LintOptions& options);

}  // namespace dbshift::lint
