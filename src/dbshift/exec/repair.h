#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/plan/plan.h"

namespace dbshift {

/// One change `repair` makes to the history table.
struct RepairAction {
  enum class Type {
    kRemoveFailed,  ///< delete the failed row: the version becomes pending (or its earlier state)
    kRealignChecksum,  ///< store the file's checksum and description in the applied row
    kRemoveMissing,    ///< delete the rows of a version whose file is gone
  };
  Type type = Type::kRemoveFailed;
  std::string version;
  std::string script;
  std::vector<int64_t> ranks;  ///< the history rows touched
  std::string checksum;        ///< kRealignChecksum: the new checksum
  std::string description;     ///< kRealignChecksum: the new description
  std::string message;         ///< what it does, for the operator
  /// kRemoveFailed: statements of the failed script that had been applied
  /// (outside a transaction), which the operator must have undone by hand.
  int statements_applied = 0;

  bool operator==(const RepairAction& other) const = default;
};

/// Pure: the actions that clear every failed, changed and missing entry of
/// `plan`. `history` is the history the plan was built from.
std::vector<RepairAction> PlanRepair(const Plan& plan, const std::vector<HistoryRow>& history);

/// Takes the lock, re-reads history, and applies the repair in one
/// transaction. `expected` is what the operator confirmed; when the actions
/// computed under the lock differ, throws ValidationError and changes
/// nothing. Returns the actions applied.
std::vector<RepairAction> RunRepair(Driver& driver, const MigrationSet& source, EventSink& sink,
                                    const RunOptions& options,
                                    const std::vector<RepairAction>& expected);

}  // namespace dbshift
