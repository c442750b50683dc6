// The layouts of golang-migrate, dbmate and popx run end to end: a generated
// set of migrations with downs goes up, all the way down and up again, and
// the schema after each up is the same.

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"
#include "testing/temp_dir.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kMigrations = 50;

// Migration i: a table with an index; every fifth also adds a column to the
// table before it, so downs must run in order to succeed.
std::string UpSql(int i) {
  std::string sql = fmt::format(
      "CREATE TABLE t_{0} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
      "CREATE INDEX t_{0}_name ON t_{0} (name);\n",
      i);
  if (i % 5 == 0) sql += fmt::format("ALTER TABLE t_{} ADD COLUMN extra_{} TEXT;\n", i - 1, i);
  if (i % 10 == 0) sql += fmt::format("CREATE VIEW v_{0} AS SELECT id, name FROM t_{0};\n", i);
  return sql;
}

// MySQL names the table of an index to drop.
std::string DownSql(int i, bool mysql) {
  std::string sql;
  if (i % 10 == 0) sql += fmt::format("DROP VIEW v_{};\n", i);
  if (i % 5 == 0) sql += fmt::format("ALTER TABLE t_{} DROP COLUMN extra_{};\n", i - 1, i);
  return sql + fmt::format("DROP INDEX t_{0}_name{1};\nDROP TABLE t_{0};\n", i,
                           mysql ? fmt::format(" ON t_{}", i) : "");
}

std::string Timestamp(int i) { return fmt::format("202001010{:05}", i); }

class LayoutsTest : public CliTest {
 protected:
  void WriteSet(const std::string& layout) {
    for (int i = 1; i <= kMigrations; ++i) {
      if (layout == "native") {
        WriteMigration(fmt::format("V{}__m_{}.sql", i, i), UpSql(i));
        WriteMigration(fmt::format("U{}__m_{}.sql", i, i), DownSql(i, mysql()));
      } else if (layout == "golang-migrate") {
        WriteMigration(fmt::format("{:06}_m_{}.up.sql", i, i), UpSql(i));
        WriteMigration(fmt::format("{:06}_m_{}.down.sql", i, i), DownSql(i, mysql()));
      } else if (layout == "dbmate") {
        WriteMigration(
            fmt::format("{}_m_{}.sql", Timestamp(i), i),
            fmt::format("-- migrate:up\n{}\n-- migrate:down\n{}", UpSql(i), DownSql(i, mysql())));
      } else {
        WritePopx(i);
      }
    }
  }

  // Every third migration has a file for this engine beside the neutral
  // one, which is then broken, and a broken file for another engine: only
  // the engine's own file may run.
  void WritePopx(int i) {
    const std::string base = fmt::format("{}_m_{}", Timestamp(i), i);
    if (i % 3 == 0) {
      const std::string dialect = postgres() ? "postgres" : mysql() ? "mysql" : "sqlite3";
      const std::string other = mysql() ? "postgres" : "mysql";
      WriteMigration(fmt::format("{}.{}.up.sql", base, dialect), UpSql(i));
      WriteMigration(base + ".up.sql", "THIS IS NOT SQL;\n");
      WriteMigration(fmt::format("{}.{}.up.sql", base, other), "THIS IS NOT SQL EITHER;\n");
      WriteMigration(fmt::format("{}.{}.down.sql", base, other), "NOR THIS;\n");
    } else {
      WriteMigration(base + ".up.sql", UpSql(i));
    }
    WriteMigration(base + ".down.sql", DownSql(i, mysql()));
  }

  void UpDownUp(const std::string& layout) {
    WriteSet(layout);

    ProcessResult up = Run("up");
    ASSERT_EQ(up.exit_code, 0) << up.err;
    EXPECT_THAT(up.out, HasSubstr(fmt::format("Applied {} migrations.", kMigrations)));
    const std::string after_first_up = db().SchemaSnapshot();
    EXPECT_TRUE(db().HasTable("t_50"));
    EXPECT_TRUE(db().HasTable("v_50"));

    ProcessResult status = Run("--format", "json", "status");
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const nlohmann::json migrations = ParseJson(status.out)["migrations"];
    ASSERT_EQ(migrations.size(), static_cast<std::size_t>(kMigrations));
    for (const nlohmann::json& migration : migrations) EXPECT_EQ(migration["state"], "applied");

    ProcessResult down = Run("--yes", "down", "-n", std::to_string(kMigrations));
    ASSERT_EQ(down.exit_code, 0) << down.err;
    EXPECT_FALSE(db().HasTable("t_1"));
    EXPECT_EQ(UserObjects(), "0\n") << "something of the schema is left after the downs";

    ProcessResult again = Run("up");
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(db().SchemaSnapshot(), after_first_up);

    ProcessResult validate = Run("validate");
    EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  }

  // Tables, views and indexes other than dbshift's own.
  std::string UserObjects() {
    if (sqlite()) {
      return db().Query(
          "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'dbshift%' AND name NOT LIKE "
          "'sqlite_%'");
    }
    if (mysql()) {
      return db().Query(
          "SELECT (SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
          "AND table_name NOT LIKE 'dbshift%') + (SELECT count(*) FROM "
          "information_schema.statistics WHERE table_schema = DATABASE() AND table_name NOT LIKE "
          "'dbshift%')");
    }
    return db().Query(
        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
        "c.relnamespace WHERE n.nspname = 'public' AND c.relname NOT LIKE 'dbshift%'");
  }
};

TEST_P(LayoutsTest, NativeUpDownUp) { UpDownUp("native"); }
TEST_P(LayoutsTest, GolangMigrateUpDownUp) { UpDownUp("golang-migrate"); }
TEST_P(LayoutsTest, DbmateUpDownUp) { UpDownUp("dbmate"); }
TEST_P(LayoutsTest, PopxUpDownUp) { UpDownUp("popx"); }

// A failing statement in a dbmate file is reported at its line in the file,
// not in its block.
TEST_P(LayoutsTest, DbmateFailureNamesTheLineInTheFile) {
  WriteMigration("20200101000001_bad.sql",
                 "-- migrate:up\nCREATE TABLE a (id INTEGER);\nCREATE TABLE a (id INTEGER);\n"
                 "-- migrate:down\nDROP TABLE a;\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("20200101000001_bad.sql:3:"));
  // MySQL committed the first CREATE TABLE and says so.
  EXPECT_EQ(db().HasTable("a"), !ddl_rolls_back());
  if (!ddl_rolls_back()) {
    EXPECT_THAT(up.err, HasSubstr("1. line 2: CREATE TABLE a (id INTEGER)"));
  }
}

// `new` follows the folder: golang-migrate pairs, dbmate blocks, padding kept.
TEST_P(LayoutsTest, NewWritesTheFolderLayout) {
  WriteMigration("0007_first.up.sql", "SELECT 1;\n");
  WriteMigration("0007_first.down.sql", "SELECT 1;\n");
  ProcessResult made = Run("--format", "json", "new", "Add users");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const nlohmann::json json = ParseJson(made.out);
  EXPECT_EQ(json["version"], "0008");
  EXPECT_TRUE(std::filesystem::exists(migrations_dir() / "0008_add_users.up.sql"));
  EXPECT_TRUE(std::filesystem::exists(migrations_dir() / "0008_add_users.down.sql"));
}

TEST_P(LayoutsTest, NewInAnEmptyFolderWithAForcedDbmateLayoutWritesBlocks) {
  ProcessResult made = Run("--layout", "dbmate", "--format", "json", "new", "init");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const nlohmann::json json = ParseJson(made.out);
  const std::string version = json["version"];
  EXPECT_EQ(version.size(), 14u) << "a timestamp";
  const std::filesystem::path file = migrations_dir() / (version + "_init.sql");
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_THAT(ReadFile(file), HasSubstr("-- migrate:up"));
  EXPECT_THAT(ReadFile(file), HasSubstr("-- migrate:down"));
  // What `new` wrote loads and runs.
  ProcessResult up = Run("--layout", "dbmate", "up");
  EXPECT_EQ(up.exit_code, 0) << up.err;
}

TEST_P(LayoutsTest, UnknownLayoutIsAUsageError) {
  ProcessResult result = Run("--layout", "flyway", "status");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--layout"));
}

INSTANTIATE_TEST_SUITE_P(Engines, LayoutsTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
