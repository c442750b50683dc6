#pragma once

// The lint rules: each a function over one statement's parse tree and what
// the linter knows of the script so far. Rule ids follow squawk's where a
// rule means what one of squawk's means, so its users' knowledge carries over.

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <pg_query/pg_query.pb-c.h>

namespace dbshift::lint {

enum class Severity { kOff, kWarning, kError };

/// "off", "warning", "error".
const char* SeverityName(Severity severity);
/// Inverse of SeverityName; nullopt for any other word.
std::optional<Severity> ParseSeverity(std::string_view word);

/// Tables new to the run: created by the scripts before this one (the
/// caller's set, read only) or earlier in this script. A view rather than a
/// copy, because a run of thousands of scripts would copy a growing set once
/// per script.
class CreatedTables {
 public:
  explicit CreatedTables(const std::set<std::string>* earlier_scripts = nullptr)
      : earlier_scripts_(earlier_scripts) {}
  bool Contains(const std::string& name) const {
    return own_.contains(name) || (earlier_scripts_ != nullptr && earlier_scripts_->contains(name));
  }
  void Insert(std::string name) { own_.insert(std::move(name)); }
  /// Moves this script's tables into `into` (usually the earlier scripts' set).
  void MoveInto(std::set<std::string>& into) { into.merge(own_); }

 private:
  const std::set<std::string>* earlier_scripts_;
  std::set<std::string> own_;
};

/// What the linter has learned from the statements before the current one.
struct ScriptFacts {
  /// The script runs inside a transaction (no `-- dbshift:no-transaction`).
  bool in_transaction = true;
  /// server_version_num of the target (150000 when not connected).
  int server_version = 150000;
  /// Tables created earlier in this run, as "schema.table" or "table"
  /// (lower case): they are new and empty, so no one else is locked out.
  CreatedTables created_tables;
  /// A lock_timeout above zero will be in force (dbshift's setting, the
  /// script's directive, or a SET earlier in the script).
  bool lock_timeout_set = true;
  /// A statement before took ACCESS EXCLUSIVE on a table that existed.
  bool holds_access_exclusive = false;
  /// A statement before updated or deleted rows of a whole table.
  bool ran_bulk_dml = false;
  /// Constraints added NOT VALID earlier in this script, "table.constraint".
  std::set<std::string> not_valid_constraints;
};

/// Receives the findings of one rule on one statement.
class Reporter {
 public:
  virtual ~Reporter() = default;
  /// A finding; `breaking` when the change breaks the application version
  /// still running (the message then gives the expand/migrate/contract path).
  virtual void Report(std::string message, bool breaking = false) = 0;
};

using Check = void (*)(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out);

struct Rule {
  std::string_view id;
  Severity severity;  ///< unless dbshift.toml says otherwise
  std::string_view summary;
  Check check;
};

/// Every rule, in id order.
std::span<const Rule> AllRules();
/// The rule with `id`, or null.
const Rule* FindRule(std::string_view id);

}  // namespace dbshift::lint
