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

}  // namespace dbshift
