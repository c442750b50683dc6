#pragma once

#include <exception>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/driver/driver.h"

namespace dbshift {

/// The history read once, ahead of the plan that uses it: commands read it
/// while the migration folder is still loading on other threads, so that the
/// query and the file reads overlap. A failed read is kept rather than
/// thrown, and Take() throws it where the command would have read the
/// history itself: what happens on an error does not depend on the
/// read having been early.
class HistorySnapshot {
 public:
  /// Reads `driver`'s history now. Never throws.
  static HistorySnapshot Read(Driver& driver);

  /// The rows read, or the read's error rethrown. Once.
  std::vector<HistoryRow> Take() &&;

 private:
  std::vector<HistoryRow> rows_;
  std::exception_ptr error_;
};

}  // namespace dbshift
