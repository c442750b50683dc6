// The lock loop: backoff shape, and waiting/timing out against a real
// SQLite lock held by a second driver.
#include "dbshift/exec/migration_lock.h"

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

class RecordingSink : public EventSink {
 public:
  void OnEvent(const Event& event) override { events.push_back(event); }
  std::vector<Event> events;
};

TEST(BackoffDelayTest, DoublesFromInitialAndStaysWithinJitterAndCap) {
  LockPolicy policy;
  policy.initial_backoff = milliseconds(8);
  policy.max_backoff = milliseconds(100);
  std::mt19937 random(42);
  struct Case {
    int attempt;
    long low;
    long high;
  };
  const Case cases[] = {{1, 4, 8}, {2, 8, 16}, {3, 16, 32}, {4, 32, 64}, {5, 50, 100}, {30, 50, 100}};
  for (const Case& c : cases) {
    for (int i = 0; i < 200; ++i) {
      long delay = BackoffDelay(c.attempt, policy, random).count();
      ASSERT_GE(delay, c.low) << "attempt " << c.attempt;
      ASSERT_LE(delay, c.high) << "attempt " << c.attempt;
    }
  }
}

TEST(BackoffDelayTest, JitterSpreadsRunnersApart) {
  LockPolicy policy;
  policy.initial_backoff = milliseconds(100);
  policy.max_backoff = milliseconds(100);
  std::mt19937 random(7);
  std::set<long> seen;
  for (int i = 0; i < 50; ++i) seen.insert(BackoffDelay(1, policy, random).count());
  EXPECT_GT(seen.size(), 10u);
}

class MigrationLockTest : public ::testing::Test {
 protected:
  std::unique_ptr<Driver> Open() {
    return OpenDriver(Url::Parse("sqlite:" + (dir_.path() / "lock.db").string()), {});
  }
  testing::ScopedTempDir dir_;
};

TEST_F(MigrationLockTest, TakesAFreeLockAndReleasesItOnScopeExit) {
  auto first = Open();
  auto second = Open();
  RecordingSink sink;
  {
    MigrationLock lock(*first, LockPolicy{}, sink);
    EXPECT_FALSE(second->TryLock());
  }
  EXPECT_TRUE(second->TryLock());
  EXPECT_TRUE(sink.events.empty());
}

TEST_F(MigrationLockTest, TimesOutNamingTheHolder) {
  auto holder = Open();
  ASSERT_TRUE(holder->TryLock());
  auto waiter = Open();
  RecordingSink sink;
  LockPolicy policy;
  policy.timeout = milliseconds(150);
  auto start = std::chrono::steady_clock::now();
  try {
    MigrationLock lock(*waiter, policy, sink);
    FAIL() << "expected LockTimeout";
  } catch (const LockTimeout& error) {
    EXPECT_EQ(error.code(), ExitCode::kLockTimeout);
    EXPECT_THAT(error.what(), HasSubstr("pid " + std::to_string(getpid())));
    EXPECT_THAT(error.what(), HasSubstr("150ms"));
  }
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(150));
  EXPECT_LT(waited, milliseconds(2000));
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_THAT(sink.events[0].message, HasSubstr("waiting for the migration lock"));
}

TEST_F(MigrationLockTest, WaitsUntilTheHolderLetsGo) {
  auto holder = Open();
  ASSERT_TRUE(holder->TryLock());
  std::thread releaser([&holder] {
    std::this_thread::sleep_for(milliseconds(200));
    holder->Unlock();
  });
  auto waiter = Open();
  RecordingSink sink;
  LockPolicy policy;
  policy.timeout = milliseconds(5000);
  auto start = std::chrono::steady_clock::now();
  {
    MigrationLock lock(*waiter, policy, sink);
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(150));
  }
  releaser.join();
}

}  // namespace
}  // namespace dbshift
