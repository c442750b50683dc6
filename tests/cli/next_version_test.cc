// `new`: the next version in the folder's own numbering style.
#include "dbshift/cli/next_version.h"

#include <gtest/gtest.h>

namespace dbshift::cli {
namespace {

MigrationSet WithVersions(std::initializer_list<const char*> versions) {
  MigrationSet set;
  for (const char* text : versions) {
    Migration migration;
    migration.version = Version::Parse(text);
    set.versioned.push_back(migration);
  }
  return set;
}

// 2026-11-21 09:30:05 UTC
const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::from_time_t(1795253405);

TEST(NextVersionTest, FollowsTheFolderStyle) {
  struct Case {
    std::initializer_list<const char*> versions;
    const char* expected;
  };
  const Case cases[] = {
      {{}, "1"},
      {{"1", "2"}, "3"},
      {{"9"}, "10"},
      {{"007"}, "008"},
      {{"099"}, "100"},
      {{"1.2"}, "1.3"},
      {{"1.9"}, "1.10"},
      {{"2_4"}, "2_5"},
      {{"20261121093000"}, "20261121093005"},
      {{"20991231235959"}, "20991231235960"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextVersion(WithVersions(c.versions), kNow), c.expected);
  }
}

TEST(DescriptionToFileNameTest, KeepsLettersAndDigitsInLowerCase) {
  EXPECT_EQ(DescriptionToFileName("Add e-mail to Users"), "add_e_mail_to_users");
  EXPECT_EQ(DescriptionToFileName("  create   table  "), "create_table");
  EXPECT_EQ(DescriptionToFileName("v2 of orders!"), "v2_of_orders");
  EXPECT_EQ(DescriptionToFileName("!!!"), "");
}

}  // namespace
}  // namespace dbshift::cli
