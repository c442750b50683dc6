// The MySQL driver's migration lock when the server ends the connection that
// holds it (KILL, wait_timeout, a restart).

#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

#include "testing/test_databases.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;

// The server's id of the connection holding the lock, from LockStatus
// ("..., connection <id>").
std::string HolderConnectionId(Driver& observer) {
  const std::optional<LockHolder> holder = observer.LockStatus();
  if (!holder) return "";
  std::smatch match;
  if (!std::regex_search(holder->who, match, std::regex(R"(connection (\d+))"))) return "";
  return match[1];
}

TEST(MysqlLock, LockWhoseConnectionTheServerKilledFailsTheCheck) {
  DBSHIFT_MYSQL_DATABASE_OR_SKIP(database);
  const Url url = Url::Parse(database.url());
  std::unique_ptr<Driver> holder = OpenDriver(url, {});
  std::unique_ptr<Driver> observer = OpenDriver(url, {});
  holder->CheckLockStillHeld();  // holds nothing: nothing to lose
  ASSERT_TRUE(holder->TryLock());
  holder->CheckLockStillHeld();
  const std::string id = HolderConnectionId(*observer);
  ASSERT_FALSE(id.empty());

  Statement kill;
  kill.text = "KILL " + id;
  observer->Execute(kill);
  for (int i = 0; i < 250 && observer->LockStatus().has_value(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(observer->LockStatus().has_value()) << "the server kept the lock";

  try {
    holder->CheckLockStillHeld();
    ADD_FAILURE() << "no error for a lock the server dropped";
  } catch (const ConnectError& e) {
    EXPECT_THAT(e.what(), HasSubstr("lost the migration lock"));
    EXPECT_THAT(e.what(), HasSubstr(url.Redacted()));
  }
  // Said once; the driver can take the lock again on a new connection.
  holder->CheckLockStillHeld();
  ASSERT_TRUE(holder->TryLock());
  holder->CheckLockStillHeld();
  holder->Unlock();
}

}  // namespace
}  // namespace dbshift
