#include "dbshift/source/layout.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

using L = Layout;

struct LayoutCase {
  std::string file_name;
  std::vector<Layout> layouts;
};

const LayoutCase kLayoutCases[] = {
    {"V1__init.sql", {L::kNative}},
    {"U1__init.sql", {L::kNative}},
    {"R__views.sql", {L::kNative}},
    // Dialect-neutral up/down names fit golang-migrate and popx alike.
    {"1_init.up.sql", {L::kGolangMigrate, L::kPopx}},
    {"1_init.down.sql", {L::kGolangMigrate, L::kPopx}},
    {"20200101120000_create_users.up.sql", {L::kGolangMigrate, L::kPopx}},
    {"1_.up.sql", {L::kGolangMigrate, L::kPopx}},
    // A known dialect before .up/.down is popx.
    {"1_init.sqlite.up.sql", {L::kPopx}},
    {"1_init.sqlite3.down.sql", {L::kPopx}},
    {"1_init.postgres.up.sql", {L::kPopx}},
    {"1_init.cockroach.up.sql", {L::kPopx}},
    {"1_init.mysql.down.sql", {L::kPopx}},
    // Other dots: only golang-migrate allows them in the name.
    {"1_init.oracle.up.sql", {L::kGolangMigrate}},
    {"1_a.b.postgres.up.sql", {L::kGolangMigrate}},
    {"1_v1.2.up.sql", {L::kGolangMigrate}},
    // Any other <digits>_<name>.sql is dbmate, even with dots.
    {"20200101120000_create_users.sql", {L::kDbmate}},
    {"1_x.sql", {L::kDbmate}},
    {"1_x.up.sql.sql", {L::kDbmate}},
    {"1_up.sql", {L::kDbmate}},
    {"1_x.postgres.sql", {L::kDbmate}},
    // Nothing.
    {"README.md", {}},
    {"V1_x.sql", {}},
    {"v1__x.sql", {}},
    {"1.sql", {}},
    {"1.up.sql", {}},
    {"1-x.up.sql", {}},
    {"x_1.sql", {}},
    {"_1.sql", {}},
    {"1_x.up.txt", {}},
    {"1_x.up", {}},
    {"", {}},
};

TEST(LayoutsMatchingTest, Cases) {
  for (const LayoutCase& c : kLayoutCases) {
    SCOPED_TRACE(c.file_name);
    EXPECT_EQ(LayoutsMatching(c.file_name), c.layouts);
  }
}

TEST(LayoutNameTest, Names) {
  EXPECT_STREQ(LayoutName(L::kNative), "native");
  EXPECT_STREQ(LayoutName(L::kGolangMigrate), "golang-migrate");
  EXPECT_STREQ(LayoutName(L::kDbmate), "dbmate");
  EXPECT_STREQ(LayoutName(L::kPopx), "popx");
}

}  // namespace
}  // namespace dbshift

namespace dbshift {
namespace {

struct ForeignCase {
  Layout layout;
  std::string file_name;
  bool parses;
  std::string version = {};
  std::string description = {};
  ForeignPart part = ForeignPart::kBoth;
  std::string dialect = {};
};

const ForeignCase kForeignCases[] = {
    {Layout::kGolangMigrate, "001_create_users.up.sql", true, "001", "create users",
     ForeignPart::kUp},
    {Layout::kGolangMigrate, "20200101120000_x.down.sql", true, "20200101120000", "x",
     ForeignPart::kDown},
    {Layout::kGolangMigrate, "1_v1.2.up.sql", true, "1", "v1.2", ForeignPart::kUp},
    {Layout::kGolangMigrate, "1_x.sql", false},
    {Layout::kGolangMigrate, "x_1.up.sql", false},
    {Layout::kDbmate, "20200101120000_create_users.sql", true, "20200101120000", "create users",
     ForeignPart::kBoth},
    {Layout::kDbmate, "1_x.up.sql", false},
    {Layout::kDbmate, "1x.sql", false},
    {Layout::kPopx, "1_a.postgres.up.sql", true, "1", "a", ForeignPart::kUp, "postgres"},
    {Layout::kPopx, "1_a.sqlite3.down.sql", true, "1", "a", ForeignPart::kDown, "sqlite3"},
    {Layout::kPopx, "1_a_b.up.sql", true, "1", "a b", ForeignPart::kUp, ""},
    {Layout::kPopx, "1_a.oracle.up.sql", false},
    {Layout::kPopx, "1_a.sql", false},
    {Layout::kNative, "V1__a.sql", false},
};

TEST(ParseForeignNameTest, Cases) {
  for (const ForeignCase& c : kForeignCases) {
    SCOPED_TRACE(std::string(LayoutName(c.layout)) + " " + c.file_name);
    const std::optional<ForeignName> name = ParseForeignName(c.layout, c.file_name);
    ASSERT_EQ(name.has_value(), c.parses);
    if (!name) continue;
    EXPECT_EQ(name->version.text(), c.version);
    EXPECT_EQ(name->description, c.description);
    EXPECT_EQ(name->part, c.part);
    EXPECT_EQ(name->dialect, c.dialect);
  }
}

TEST(PopxDialectFitsTest, NeutralFitsAllAndSqliteHasTwoSpellings) {
  EXPECT_TRUE(PopxDialectFits("", "postgres"));
  EXPECT_TRUE(PopxDialectFits("postgres", "postgres"));
  EXPECT_FALSE(PopxDialectFits("mysql", "postgres"));
  EXPECT_TRUE(PopxDialectFits("sqlite3", "sqlite"));
  EXPECT_TRUE(PopxDialectFits("sqlite", "sqlite"));
  EXPECT_FALSE(PopxDialectFits("cockroach", "postgres"));
  EXPECT_FALSE(PopxDialectFits("postgres", ""));
}

TEST(ParseLayoutNameTest, RoundTripsAndRejectsOthers) {
  for (Layout layout : {Layout::kNative, Layout::kGolangMigrate, Layout::kDbmate, Layout::kPopx}) {
    EXPECT_EQ(ParseLayoutName(LayoutName(layout)), layout);
  }
  EXPECT_FALSE(ParseLayoutName("flyway").has_value());
}

}  // namespace
}  // namespace dbshift
