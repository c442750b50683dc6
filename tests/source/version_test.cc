#include "dbshift/source/version.h"

#include <compare>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

struct ParseCase {
  std::string text;
  std::vector<std::string> parts;  // empty: Parse must fail
  bool is_integer = false;
};

const ParseCase kParseCases[] = {
    {"1", {"1"}, true},
    {"0", {"0"}, true},
    {"00", {"0"}, true},
    {"007", {"7"}, true},
    {"1.2", {"1", "2"}, false},
    {"1_2", {"1", "2"}, false},
    {"1.2_3", {"1", "2", "3"}, false},
    {"1.0", {"1"}, false},
    {"1.0.0", {"1"}, false},
    {"0.0", {"0"}, false},
    {"1.0.1", {"1", "0", "1"}, false},
    {"01.002", {"1", "2"}, false},
    {"20261121093000123456789", {"20261121093000123456789"}, true},
    // Up to four parts of up to 18 digits are packed as integers; the parts
    // are spelled out again from them, so both kinds are listed here.
    {"999999999999999999", {"999999999999999999"}, true},
    {"1.2.3.4.5", {"1", "2", "3", "4", "5"}, false},
    {"1.2.3.4.0.0", {"1", "2", "3", "4"}, false},
    {"0001.0.0.0.0", {"1"}, false},
    {"1.000000000000000000007", {"1", "7"}, false},
    {"", {}},
    {".", {}},
    {"_", {}},
    {".1", {}},
    {"1.", {}},
    {"_1", {}},
    {"1_", {}},
    {"1..2", {}},
    {"1._2", {}},
    {"1__2", {}},
    {"-1", {}},
    {"+1", {}},
    {"1a", {}},
    {"v1", {}},
    {"1 2", {}},
    {"1,2", {}},
    {" 1", {}},
};

TEST(VersionTest, Parse) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE("text: \"" + c.text + "\"");
    const std::optional<Version> version = Version::Parse(c.text);
    if (c.parts.empty()) {
      EXPECT_FALSE(version.has_value());
      continue;
    }
    ASSERT_TRUE(version.has_value());
    EXPECT_EQ(version->text(), c.text);
    EXPECT_EQ(version->parts(), c.parts);
    EXPECT_EQ(version->IsInteger(), c.is_integer);
  }
}

struct CompareCase {
  std::string a;
  std::string b;
  std::strong_ordering expected;
};

const CompareCase kCompareCases[] = {
    {"1", "1", std::strong_ordering::equal},
    {"1", "1.0", std::strong_ordering::equal},
    {"1", "01", std::strong_ordering::equal},
    {"1.2", "1_2", std::strong_ordering::equal},
    {"1.0.0", "1", std::strong_ordering::equal},
    {"0", "0.0", std::strong_ordering::equal},
    {"1", "2", std::strong_ordering::less},
    {"2", "10", std::strong_ordering::less},
    {"1.9", "1.10", std::strong_ordering::less},
    {"1.2", "1.2.1", std::strong_ordering::less},
    {"1.2.0.1", "1.2", std::strong_ordering::greater},
    {"1.10", "2", std::strong_ordering::less},
    {"009", "10", std::strong_ordering::less},
    {"20261121093000123456789", "20261121093000123456788", std::strong_ordering::greater},
    {"20261121093000123456789", "99999999999999999999", std::strong_ordering::greater},
    {"18446744073709551616", "18446744073709551615", std::strong_ordering::greater},
    // One side packed (four parts or fewer, 18 digits or fewer), the other not.
    {"1.2.3.4.5", "1.2.3.5", std::strong_ordering::less},
    {"1.2.3.4.5", "1.2.3.4", std::strong_ordering::greater},
    {"2", "1.1.1.1.1", std::strong_ordering::greater},
    {"999999999999999999", "1000000000000000000", std::strong_ordering::less},
    {"1.2.3.4.0.0", "1.2.3.4", std::strong_ordering::equal},
    {"1.2.3.4.5", "1.2.3.4.5.0", std::strong_ordering::equal},
};

TEST(VersionTest, Compare) {
  for (const CompareCase& c : kCompareCases) {
    SCOPED_TRACE(c.a + " vs " + c.b);
    const Version a = *Version::Parse(c.a);
    const Version b = *Version::Parse(c.b);
    EXPECT_EQ(a <=> b, c.expected);
    // The mirror image must agree, or sorting would be unstable.
    EXPECT_EQ(b <=> a, 0 <=> (a <=> b));
    EXPECT_EQ(a == b, c.expected == std::strong_ordering::equal);
    EXPECT_EQ(a < b, c.expected == std::strong_ordering::less);
  }
}

}  // namespace
}  // namespace dbshift
