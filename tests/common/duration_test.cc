#include "dbshift/common/duration.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

using std::chrono::milliseconds;

struct GoodCase {
  std::string text;
  int64_t millis;
};

class ParseDurationTest : public ::testing::TestWithParam<GoodCase> {};

TEST_P(ParseDurationTest, Parses) {
  EXPECT_EQ(ParseDuration(GetParam().text, "--lock-timeout").count(), GetParam().millis);
}

const GoodCase kGoodCases[] = {
    {"0", 0},
    {"5", 5000},
    {"0s", 0},
    {"250ms", 250},
    {"5s", 5000},
    {"2m", 120000},
    {"1h", 3600000},
    {"1m30s", 90000},
    {"1h30m", 5400000},
    {"1s500ms", 1500},
    {"1h2m3s4ms", 3723004},
    {"90s", 90000},
    {"007s", 7000},
    {"1500ms", 1500},
    {"9223372036854775807ms", INT64_MAX},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseDurationTest, ::testing::ValuesIn(kGoodCases));

class ParseDurationBadTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseDurationBadTest, ThrowsUsageErrorNamingFlagAndText) {
  const std::string& text = GetParam();
  try {
    ParseDuration(text, "--lock-timeout");
    FAIL() << "parsed: " << text;
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()),
              "--lock-timeout: \"" + text + "\" is not a duration (use e.g. 500ms, 30s, 5m, 1h)");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ParseDurationBadTest,
                         ::testing::Values("", "5x", "-5s", "-1", "s", "ms", "1.5s", " 5s", "5s ",
                                           "5 s", "5S", "1d", "30s1m", "1s1s", "5ms3s", "5sms",
                                           "1m30", "+5s", "9223372036854775808",
                                           "9223372036854775807s", "99999999999999999999ms",
                                           "9223372036854775807ms1h"));

TEST(ParseDurationTest, MessageWithoutFlagName) {
  try {
    ParseDuration("5x", "");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()), "\"5x\" is not a duration (use e.g. 500ms, 30s, 5m, 1h)");
  }
}

struct FormatCase {
  int64_t millis;
  std::string text;
};

class FormatDurationTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatDurationTest, FormatsAndRoundTrips) {
  const FormatCase& c = GetParam();
  EXPECT_EQ(FormatDuration(milliseconds(c.millis)), c.text);
  EXPECT_EQ(ParseDuration(c.text, "x").count(), c.millis);
}

const FormatCase kFormatCases[] = {
    {0, "0s"},         {1, "1ms"},         {250, "250ms"},
    {1000, "1s"},      {1500, "1s500ms"},  {60000, "1m"},
    {90000, "1m30s"},  {3600000, "1h"},    {3723004, "1h2m3s4ms"},
    {86400000, "24h"}, {5400000, "1h30m"},
};

INSTANTIATE_TEST_SUITE_P(Cases, FormatDurationTest, ::testing::ValuesIn(kFormatCases));

TEST(FormatDurationTest, Negative) { EXPECT_EQ(FormatDuration(milliseconds(-1500)), "-1s500ms"); }

}  // namespace
}  // namespace dbshift
