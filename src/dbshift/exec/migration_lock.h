#pragma once

#include <chrono>
#include <random>

#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"

namespace dbshift {

/// How the lock is polled: a try-lock every `delay`, the delay doubling from
/// `initial_backoff` up to `max_backoff`, each wait jittered to a random
/// value in [delay/2, delay] so many runners started at once do not poll in
/// step. Never a blocking lock call, so --lock-timeout is exact and a stuck
/// holder cannot hang the runner.
struct LockPolicy {
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds initial_backoff{5};
  std::chrono::milliseconds max_backoff{250};
};

/// The wait before try number `attempt` (1-based, attempt >= 1). Pure, for tests.
std::chrono::milliseconds BackoffDelay(int attempt, const LockPolicy& policy, std::mt19937& random);

/// Holds the migration lock for its lifetime (RAII). The constructor polls
/// driver.TryLock() per `policy`; while waiting it reports the holder once
/// through `sink`. Throws LockTimeout naming the holder when the timeout
/// passes. The destructor releases the lock (never throws).
class MigrationLock {
 public:
  MigrationLock(Driver& driver, const LockPolicy& policy, EventSink& sink);
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Driver& driver_;
};

}  // namespace dbshift
