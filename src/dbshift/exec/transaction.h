#pragma once

#include "dbshift/driver/driver.h"

namespace dbshift {

/// A transaction on the driver's migration connection that rolls back when
/// it goes out of scope without Commit() (an exception, an early return).
class Transaction {
 public:
  explicit Transaction(Driver& driver) : driver_(driver) { driver_.Begin(); }
  ~Transaction() {
    if (open_) driver_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit() {
    open_ = false;
    try {
      driver_.Commit();
    } catch (...) {
      // A commit that failed before the server ended the transaction (a
      // history row sent with it was refused, SQLITE_BUSY) leaves it open.
      driver_.Rollback();
      throw;
    }
  }
  void Rollback() noexcept {
    if (open_) driver_.Rollback();
    open_ = false;
  }

 private:
  Driver& driver_;
  bool open_ = true;
};

}  // namespace dbshift
