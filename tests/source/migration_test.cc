#include "dbshift/source/migration.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

Migration Make(MigrationKind kind, const std::string& version, const std::string& script) {
  Migration migration;
  migration.kind = kind;
  migration.version = Version::Parse(version);
  migration.script = script;
  return migration;
}

TEST(MigrationKindNameTest, Names) {
  EXPECT_STREQ(MigrationKindName(MigrationKind::kVersioned), "versioned");
  EXPECT_STREQ(MigrationKindName(MigrationKind::kUndo), "undo");
  EXPECT_STREQ(MigrationKindName(MigrationKind::kRepeatable), "repeatable");
}

struct FindCase {
  std::string version;
  std::string versioned_script;  // empty: not found
  std::string undo_script;       // empty: not found
};

const FindCase kFindCases[] = {
    {"1", "V1__a.sql", "U1__a.sql"},
    {"1.0", "V1__a.sql", "U1__a.sql"},  // numeric equality
    {"01", "V1__a.sql", "U1__a.sql"},
    {"1.5", "V1.5__b.sql", ""},
    {"2", "V2__c.sql", ""},
    {"10", "V10__d.sql", "U10__d.sql"},
    {"0", "", ""},
    {"1.1", "", ""},
    {"3", "", ""},
    {"11", "", ""},
};

TEST(MigrationSetTest, Find) {
  MigrationSet set;
  set.versioned = {Make(MigrationKind::kVersioned, "1", "V1__a.sql"),
                   Make(MigrationKind::kVersioned, "1.5", "V1.5__b.sql"),
                   Make(MigrationKind::kVersioned, "2", "V2__c.sql"),
                   Make(MigrationKind::kVersioned, "10", "V10__d.sql")};
  set.undo = {Make(MigrationKind::kUndo, "1", "U1__a.sql"),
              Make(MigrationKind::kUndo, "10", "U10__d.sql")};
  for (const FindCase& c : kFindCases) {
    SCOPED_TRACE(c.version);
    const Version version = *Version::Parse(c.version);
    const Migration* versioned = set.FindVersioned(version);
    const Migration* undo = set.FindUndo(version);
    if (c.versioned_script.empty()) {
      EXPECT_EQ(versioned, nullptr);
    } else {
      ASSERT_NE(versioned, nullptr);
      EXPECT_EQ(versioned->script, c.versioned_script);
    }
    if (c.undo_script.empty()) {
      EXPECT_EQ(undo, nullptr);
    } else {
      ASSERT_NE(undo, nullptr);
      EXPECT_EQ(undo->script, c.undo_script);
    }
  }
}

TEST(MigrationSetTest, FindInEmptySet) {
  const MigrationSet set;
  EXPECT_EQ(set.FindVersioned(*Version::Parse("1")), nullptr);
  EXPECT_EQ(set.FindUndo(*Version::Parse("1")), nullptr);
}

}  // namespace
}  // namespace dbshift
