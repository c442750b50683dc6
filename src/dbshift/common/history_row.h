#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbshift {

/// What a history row records. Stored as the lower-case word.
enum class HistoryKind {
  kVersioned,   ///< "versioned": a V script was applied (or failed, success=false)
  kUndo,        ///< "undo": a U script undid its version
  kRepeatable,  ///< "repeatable": an R script ran
  kBaseline,    ///< "baseline": the database was declared to be at `version`
};

/// "versioned", "undo", "repeatable", "baseline".
const char* HistoryKindName(HistoryKind kind);
/// Inverse of HistoryKindName; nullopt for an unknown word.
std::optional<HistoryKind> ParseHistoryKind(std::string_view word);

/// One row of the history table (DESIGN.md "History"). Rows are appended,
/// never rewritten except by `repair`; the effective state of a version is
/// given by its last row in installed_rank order.
struct HistoryRow {
  int64_t installed_rank = 0;  ///< assigned by the driver on append
  std::string version;         ///< as written in the file name; empty for repeatable
  std::string description;
  HistoryKind kind = HistoryKind::kVersioned;
  std::string script;    ///< file name relative to the source folder
  std::string checksum;  ///< "sha256:<hex>"; empty for baseline
  bool success = false;
  int statements_done = 0;
  int statements_total = 0;
  std::string error;       ///< engine message when success is false (no secrets)
  std::string applied_by;  ///< OS user @ host
  std::string applied_at;  ///< ISO 8601 UTC, set by the driver when empty
  int64_t execution_ms = 0;
  std::string run_id;
  std::string tool_version;
  /// A failed script: "sha256:<hex>" of the statements that completed before
  /// the failing one (see StatementsChecksum), so `up --resume` can tell that
  /// they are unchanged. Empty otherwise.
  std::string statements_checksum;

  bool operator==(const HistoryRow& other) const = default;
};

/// Index in HistoryRowParams of the fields an engine may spell its own way.
inline constexpr std::size_t kSuccessParam = 5;
inline constexpr std::size_t kAppliedAtParam = 10;

/// Every column but installed_rank, as text parameters in the history
/// table's column order (version, description, kind, script, checksum,
/// success, statements_done, statements_total, error, applied_by,
/// applied_at, execution_ms, run_id, tool_version, statements_checksum).
/// Empty optional fields are nullopt (SQL NULL), so "no version" is not a
/// version ""; success is "true" or "false"; applied_at is ISO 8601.
std::vector<std::optional<std::string>> HistoryRowParams(const HistoryRow& row);

}  // namespace dbshift
