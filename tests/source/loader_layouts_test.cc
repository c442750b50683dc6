// LoadMigrations on the layouts of golang-migrate, dbmate and popx.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/source/checksum.h"
#include "dbshift/source/loader.h"

#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using testing::ScopedTempDir;

std::vector<std::string> Versions(const std::vector<Migration>& migrations) {
  std::vector<std::string> versions;
  for (const Migration& migration : migrations) versions.push_back(migration.version->text());
  return versions;
}

TEST(LoadLayoutsTest, GolangMigrateUpIsVersionedAndDownIsItsUndo) {
  ScopedTempDir dir;
  dir.Write("10_add_b.up.sql", "ALTER TABLE a ADD b int;\n");
  dir.Write("10_add_b.down.sql", "ALTER TABLE a DROP b;\n");
  dir.Write("2_create_a.up.sql", "CREATE TABLE a (id int);\n");
  dir.Write("0003_seed.up.sql", "INSERT INTO a VALUES (1);\n");
  const MigrationSet set = LoadMigrations(dir.path());
  EXPECT_EQ(set.layout, Layout::kGolangMigrate);
  EXPECT_EQ(Versions(set.versioned), (std::vector<std::string>{"2", "0003", "10"}));
  EXPECT_EQ(set.versioned[0].description, "create a");
  EXPECT_EQ(set.versioned[0].script, "2_create_a.up.sql");
  ASSERT_EQ(set.undo.size(), 1u);
  EXPECT_EQ(set.undo[0].script, "10_add_b.down.sql");
  EXPECT_EQ(set.undo[0].sql, "ALTER TABLE a DROP b;\n");
  EXPECT_EQ(set.undo[0].checksum, ScriptChecksum("ALTER TABLE a DROP b;\n"));
}

TEST(LoadLayoutsTest, DbmateBlocksBecomeMigrationAndUndoWithFileLineNumbers) {
  ScopedTempDir dir;
  const std::string content =
      "-- a comment before the blocks is fine\n"
      "-- migrate:up\n"
      "CREATE TABLE a (id int);\n"
      "\n"
      "-- migrate:down\n"
      "DROP TABLE a;\n";
  dir.Write("20200101120000_create_a.sql", content);
  dir.Write("20200102120000_no_down.sql",
            "-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\n\n");
  const MigrationSet set = LoadMigrations(dir.path());
  EXPECT_EQ(set.layout, Layout::kDbmate);
  ASSERT_EQ(set.versioned.size(), 2u);
  const Migration& up = set.versioned[0];
  EXPECT_EQ(up.script, "20200101120000_create_a.sql");
  EXPECT_EQ(up.description, "create a");
  // Lines outside the block are blank, so line 3 is still line 3.
  EXPECT_EQ(up.sql, "\n-- migrate:up\nCREATE TABLE a (id int);\n\n\n\n");
  EXPECT_EQ(up.checksum, ScriptChecksum("CREATE TABLE a (id int);\n\n"));
  EXPECT_FALSE(up.directives.no_transaction);
  ASSERT_EQ(set.undo.size(), 1u) << "an empty down block is no undo";
  const Migration& undo = set.undo[0];
  EXPECT_EQ(undo.script, up.script);
  EXPECT_EQ(undo.sql, "\n\n\n\n-- migrate:down\nDROP TABLE a;\n");
  EXPECT_EQ(undo.checksum, ScriptChecksum("DROP TABLE a;\n"));
  EXPECT_TRUE(set.versioned[1].directives.no_transaction) << "transaction:false";
}

TEST(LoadLayoutsTest, DbmateChecksumIgnoresTheOtherBlock) {
  ScopedTempDir first;
  ScopedTempDir second;
  first.Write("1_a.sql",
              "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
  second.Write("1_a.sql",
               "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\n-- now with a note\n"
               "DROP TABLE a;\n");
  EXPECT_EQ(LoadMigrations(first.path()).versioned[0].checksum,
            LoadMigrations(second.path()).versioned[0].checksum);
  EXPECT_NE(LoadMigrations(first.path()).undo[0].checksum,
            LoadMigrations(second.path()).undo[0].checksum);
}

TEST(LoadLayoutsTest, PopxTakesTheEnginesFileOverTheNeutralOneAndSkipsOtherEngines) {
  ScopedTempDir dir;
  dir.Write("20200101000000_p.up.sql", "neutral up");
  dir.Write("20200101000000_p.postgres.up.sql", "postgres up");
  dir.Write("20200101000000_p.sqlite3.up.sql", "sqlite up");
  dir.Write("20200101000000_p.down.sql", "neutral down");
  dir.Write("20200101000000_p.mysql.down.sql", "mysql down");
  dir.Write("20200102000000_q.mysql.up.sql", "mysql only");

  const MigrationSet postgres = LoadMigrations(dir.path(), {.layout = {}, .dialect = "postgres"});
  EXPECT_EQ(postgres.layout, Layout::kPopx);
  ASSERT_EQ(postgres.versioned.size(), 1u);
  EXPECT_EQ(postgres.versioned[0].sql, "postgres up");
  ASSERT_EQ(postgres.undo.size(), 1u);
  EXPECT_EQ(postgres.undo[0].sql, "neutral down");

  const MigrationSet sqlite = LoadMigrations(dir.path(), {.layout = {}, .dialect = "sqlite"});
  ASSERT_EQ(sqlite.versioned.size(), 1u);
  EXPECT_EQ(sqlite.versioned[0].sql, "sqlite up");

  const MigrationSet mysql = LoadMigrations(dir.path(), {.layout = {}, .dialect = "mysql"});
  EXPECT_EQ(Versions(mysql.versioned),
            (std::vector<std::string>{"20200101000000", "20200102000000"}));
  EXPECT_EQ(mysql.versioned[0].sql, "neutral up");
  EXPECT_EQ(mysql.undo[0].sql, "mysql down");
}

TEST(LoadLayoutsTest, PopxTwoFilesForOneEngineAndVersionAreDuplicates) {
  ScopedTempDir dir;
  dir.Write("1_a.postgres.up.sql", "");
  dir.Write("1_b.postgres.up.sql", "");
  try {
    LoadMigrations(dir.path(), {.layout = {}, .dialect = "postgres"});
    FAIL() << "no exception";
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("versioned migrations share version 1"),
              std::string::npos)
        << error.what();
  }
}

TEST(LoadLayoutsTest, ForcedLayoutReadsNamesOnlyThatWay) {
  ScopedTempDir dir;
  dir.Write("1_a.up.sql", "SELECT 1;\n");
  dir.Write("1_a.down.sql", "SELECT 2;\n");
  // Detected as golang-migrate; forced popx reads the same neutral files.
  const MigrationSet popx =
      LoadMigrations(dir.path(), {.layout = Layout::kPopx, .dialect = "sqlite"});
  EXPECT_EQ(popx.layout, Layout::kPopx);
  EXPECT_EQ(popx.versioned.size(), 1u);
  EXPECT_EQ(popx.undo.size(), 1u);
  try {
    LoadMigrations(dir.path(), {.layout = Layout::kNative, .dialect = ""});
    FAIL() << "no exception";
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("1_a.up.sql: not a migration file name"),
              std::string::npos)
        << error.what();
  }
}

TEST(LoadLayoutsTest, EmptyFolderWithAForcedLayoutHasThatLayout) {
  ScopedTempDir dir;
  EXPECT_EQ(LoadMigrations(dir.path()).layout, Layout::kNative);
  EXPECT_EQ(LoadMigrations(dir.path(), {.layout = Layout::kDbmate, .dialect = ""}).layout,
            Layout::kDbmate);
}

}  // namespace
}  // namespace dbshift
