#include "dbshift/exec/history_snapshot.h"

#include <utility>

namespace dbshift {

HistorySnapshot HistorySnapshot::Read(Driver& driver) {
  HistorySnapshot snapshot;
  try {
    snapshot.rows_ = driver.ReadHistory();
  } catch (...) {
    snapshot.error_ = std::current_exception();
  }
  return snapshot;
}

std::vector<HistoryRow> HistorySnapshot::Take() && {
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  return std::move(rows_);
}

}  // namespace dbshift
