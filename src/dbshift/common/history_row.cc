#include "dbshift/common/history_row.h"

#include <array>
#include <string_view>
#include <utility>

namespace dbshift {
namespace {

// One table for both directions, so a new kind cannot get a name without
// also becoming parseable.
constexpr std::array<std::pair<HistoryKind, const char*>, 4> kKindNames = {{
    {HistoryKind::kVersioned, "versioned"},
    {HistoryKind::kUndo, "undo"},
    {HistoryKind::kRepeatable, "repeatable"},
    {HistoryKind::kBaseline, "baseline"},
}};

}  // namespace

const char* HistoryKindName(HistoryKind kind) {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) return name;
  }
  return "unknown";
}

std::optional<HistoryKind> ParseHistoryKind(std::string_view word) {
  for (const auto& [value, name] : kKindNames) {
    if (word == name) return value;
  }
  return std::nullopt;
}

namespace {
std::optional<std::string> NullIfEmpty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}
}  // namespace

std::vector<std::optional<std::string>> HistoryRowParams(const HistoryRow& row) {
  return {
      NullIfEmpty(row.version),
      row.description,
      std::string(HistoryKindName(row.kind)),
      row.script,
      NullIfEmpty(row.checksum),
      std::string(row.success ? "true" : "false"),
      std::to_string(row.statements_done),
      std::to_string(row.statements_total),
      NullIfEmpty(row.error),
      row.applied_by,
      NullIfEmpty(row.applied_at),
      std::to_string(row.execution_ms),
      NullIfEmpty(row.run_id),
      row.tool_version,
      NullIfEmpty(row.statements_checksum),
  };
}

}  // namespace dbshift
