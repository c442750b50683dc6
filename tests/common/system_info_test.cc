#include "dbshift/common/system_info.h"

#include <regex>
#include <set>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

TEST(SystemInfoTest, OsUserIsStableAndNonEmpty) {
  EXPECT_FALSE(OsUser().empty());
  // Cached: the same object every time.
  EXPECT_EQ(&OsUser(), &OsUser());
}

TEST(SystemInfoTest, HostNameMatchesGethostname) {
  char buffer[256] = {};
  ASSERT_EQ(gethostname(buffer, sizeof(buffer) - 1), 0);
  EXPECT_EQ(HostName(), std::string(buffer));
  EXPECT_EQ(&HostName(), &HostName());
}

TEST(SystemInfoTest, ProcessIdIsGetpid) { EXPECT_EQ(ProcessId(), static_cast<int>(getpid())); }

TEST(SystemInfoTest, NowIsIso8601UtcWithMilliseconds) {
  const std::regex format(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const std::string now = NowUtcIso8601();
  EXPECT_TRUE(std::regex_match(now, format)) << now;
  EXPECT_GE(now.substr(0, 4), "2024");
  // Fixed-width fields make string order time order.
  EXPECT_LE(now, NowUtcIso8601());
}

TEST(SystemInfoTest, RunIdsAreHexAndDistinct) {
  const std::regex format("[0-9a-f]{32}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRunId();
    EXPECT_TRUE(std::regex_match(id, format)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SystemInfoTest, UtcIso8601FormatsMillisecondsSinceTheEpochInUtc) {
  EXPECT_EQ(UtcIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(UtcIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(UtcIso8601(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(UtcIso8601(946684800000), "2000-01-01T00:00:00.000Z");
  EXPECT_EQ(UtcIso8601(1600000000123), "2020-09-13T12:26:40.123Z");
  EXPECT_EQ(UtcIso8601(951782400007), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(UtcIso8601(1709251199999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(UtcIso8601(4107542400000), "2100-03-01T00:00:00.000Z");  // 2100 is no leap year
  EXPECT_EQ(UtcIso8601(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(UtcIso8601(-2208988799999), "1900-01-01T00:00:00.001Z");
}

}  // namespace
}  // namespace dbshift
