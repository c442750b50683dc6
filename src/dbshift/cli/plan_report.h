#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbshift/lint/linter.h"
#include "dbshift/lint/lock_plan.h"

namespace dbshift::cli {

/// What the target says about a relation a plan names (one query for all).
struct RelationFacts {
  bool found = false;  ///< false: no such relation in the target (yet)
  /// pg_total_relation_size of the table (for an index: of its table).
  std::optional<std::int64_t> size_bytes;
  /// pg_class.reltuples of that table; absent when never vacuumed or analysed.
  std::optional<std::int64_t> estimated_rows;
  /// For an index: the table it is on.
  std::optional<lint::Lock> table;
};

/// Facts keyed by lint::Lock::QualifiedName().
using RelationFactsMap = std::map<std::string, RelationFacts, std::less<>>;

/// One migration (or named file) and what its statements lock.
struct MigrationPlan {
  std::string file;
  std::optional<std::string> version;
  std::string description;
  lint::ScriptPlan plan;
  /// findings[i]: the lint's findings on plan.statements[i].
  std::vector<std::vector<lint::Finding>> findings;
};

struct PlanReport {
  std::vector<MigrationPlan> migrations;
  /// False when the target is not PostgreSQL: statements are listed only.
  bool lock_analysis = true;
  /// The pending migrations of a target were read (and relation facts asked).
  bool connected = false;
  std::string target;   ///< redacted URL; empty when not connected
  std::string dialect;  ///< "postgres", "sqlite", "mysql"
  int server_version = 150000;
  RelationFactsMap relations;
};

/// {"migrations": [{"version", "description", "file", "in_transaction",
/// "statements": [{"line", "column", "text", "analyzed", "note", "locks":
/// [{"relation", "object", "mode", "blocks", "new_table", ...}], "rewrites",
/// "scans", "effects", "relation_size_bytes", "estimated_rows", "findings"}],
/// "held_until_commit": [{"relation", "object", "mode", "line"}]}],
/// "lock_analysis", "connected", "dialect", "server_version"}.
nlohmann::json PlanJson(const PlanReport& report);

/// Per migration, each statement with its locks, effects and findings
/// aligned beneath it, then what the transaction holds until commit; a
/// summary line last.
std::string PlanText(const PlanReport& report);

/// The first line of `text`, at most `width` characters, "..." when cut.
std::string Abbreviate(std::string_view text, std::size_t width);

}  // namespace dbshift::cli
