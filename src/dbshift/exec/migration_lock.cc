#include "dbshift/exec/migration_lock.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "dbshift/common/duration.h"
#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"

namespace dbshift {
namespace {

std::string DescribeHolder(Driver& driver) {
  try {
    std::optional<LockHolder> holder = driver.LockStatus();
    if (!holder) return "another runner";
    return holder->since.empty() ? holder->who
                                 : fmt::format("{} (since {})", holder->who, holder->since);
  } catch (const Error&) {
    return "another runner";  // the holder is a nicety; the timeout is what matters
  }
}

}  // namespace

std::chrono::milliseconds BackoffDelay(int attempt, const LockPolicy& policy,
                                       std::mt19937& random) {
  std::chrono::milliseconds delay = policy.initial_backoff;
  for (int i = 1; i < attempt && delay < policy.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, policy.max_backoff);
  std::uniform_int_distribution<long> jitter(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(jitter(random));
}

MigrationLock::MigrationLock(Driver& driver, const LockPolicy& policy, EventSink& sink)
    : driver_(driver) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + policy.timeout;
  std::mt19937 random(static_cast<std::mt19937::result_type>(
      ProcessId() ^ Clock::now().time_since_epoch().count()));
  bool announced = false;
  for (int attempt = 1;; ++attempt) {
    if (driver_.TryLock()) return;
    Clock::time_point now = Clock::now();
    if (now >= deadline) {
      throw LockTimeout(fmt::format("the migration lock on {} is held by {}; gave up after {}",
                                    driver_.Target(), DescribeHolder(driver_),
                                    FormatDuration(policy.timeout)));
    }
    if (!announced) {
      Event event;
      event.type = Event::Type::kMessage;
      event.message =
          fmt::format("waiting for the migration lock held by {}", DescribeHolder(driver_));
      sink.OnEvent(event);
      announced = true;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(BackoffDelay(attempt, policy, random), remaining));
  }
}

MigrationLock::~MigrationLock() { driver_.Unlock(); }

}  // namespace dbshift
