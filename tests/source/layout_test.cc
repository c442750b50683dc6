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
