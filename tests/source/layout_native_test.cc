#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "dbshift/source/layout.h"

namespace dbshift {
namespace {

struct GoodCase {
  std::string file_name;
  MigrationKind kind;
  std::string version;  // empty for repeatable
  std::string description;
};

const GoodCase kGoodCases[] = {
    {"V1__create_users.sql", MigrationKind::kVersioned, "1", "create users"},
    {"V1.2__add_index.sql", MigrationKind::kVersioned, "1.2", "add index"},
    {"V1_2__add_index.sql", MigrationKind::kVersioned, "1_2", "add index"},
    {"V1.2.3__x.sql", MigrationKind::kVersioned, "1.2.3", "x"},
    {"V001__leading_zeros.sql", MigrationKind::kVersioned, "001", "leading zeros"},
    {"V20261121093000__timestamp.sql", MigrationKind::kVersioned, "20261121093000", "timestamp"},
    {"V1__.sql", MigrationKind::kVersioned, "1", ""},
    {"V1__a.b.sql", MigrationKind::kVersioned, "1", "a.b"},
    {"V1__Mixed Case-and spaces.sql", MigrationKind::kVersioned, "1", "Mixed Case-and spaces"},
    // The first "__" ends the version; later ones are description.
    {"V1__a__b.sql", MigrationKind::kVersioned, "1", "a  b"},
    {"V1___x.sql", MigrationKind::kVersioned, "1", " x"},
    {"U1__create_users.sql", MigrationKind::kUndo, "1", "create users"},
    {"U1.2__x.sql", MigrationKind::kUndo, "1.2", "x"},
    {"R__views.sql", MigrationKind::kRepeatable, "", "views"},
    {"R__refresh_all_views.sql", MigrationKind::kRepeatable, "", "refresh all views"},
    {"R__.sql", MigrationKind::kRepeatable, "", ""},
};

TEST(ParseNativeNameTest, Good) {
  for (const GoodCase& c : kGoodCases) {
    SCOPED_TRACE(c.file_name);
    const std::optional<NativeName> name = ParseNativeName(c.file_name);
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(name->kind, c.kind);
    if (c.version.empty()) {
      EXPECT_FALSE(name->version.has_value());
    } else {
      ASSERT_TRUE(name->version.has_value());
      EXPECT_EQ(name->version->text(), c.version);
    }
    EXPECT_EQ(name->description, c.description);
  }
}

const char* const kBadNames[] = {
    "",
    ".sql",
    "V.sql",
    "V1.sql",           // no separator
    "V1_x.sql",         // single underscore
    "V1_2_x.sql",       // single underscores only
    "V__x.sql",         // no version
    "U__x.sql",         // no version
    "v1__x.sql",        // lower-case prefix
    "u1__x.sql",        // lower-case prefix
    "r__x.sql",         // lower-case prefix
    "R1__x.sql",        // version on a repeatable
    "R1.0__x.sql",      // version on a repeatable
    "R_x.sql",          // single underscore
    "X1__x.sql",        // unknown prefix
    "1__x.sql",         // no prefix
    "V1__x.SQL",        // suffix is case-sensitive
    "V1__x.sql.bak",    // wrong suffix
    "V1__x.txt",        // wrong suffix
    "V1__x",            // no suffix
    "V1__xsql",         // no dot before sql
    "V1.__x.sql",       // trailing dot in version
    "V.1__x.sql",       // leading dot in version
    "V1..2__x.sql",     // empty version part
    "V1a__x.sql",       // letters in version
    "V-1__x.sql",       // sign in version
    "V 1__x.sql",       // space in version
    "V1 __x.sql",       // space in version
    "1_create.up.sql",  // golang-migrate
    "20200101_x.sql",   // dbmate
};

TEST(ParseNativeNameTest, Bad) {
  for (const char* file_name : kBadNames) {
    SCOPED_TRACE(file_name);
    EXPECT_FALSE(ParseNativeName(file_name).has_value());
  }
}

}  // namespace
}  // namespace dbshift
