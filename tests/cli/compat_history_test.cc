// Compat mode (--history) and adopt against history tables built here
// exactly as Flyway, golang-migrate, dbmate and popx create and fill them,
// with the tools' own DDL and values, independent of dbshift's code.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

// The migrations' SQL and Flyway's checksums of it (CRC-32 of the line
// without its line ending, as a signed integer; computed with zlib apart).
constexpr const char* kSqlA = "CREATE TABLE a (id INTEGER);\n";
constexpr const char* kSqlB = "CREATE TABLE b (id INTEGER);\n";
constexpr const char* kSqlC = "CREATE TABLE c (id INTEGER);\n";
constexpr const char* kCrcA = "-59897099";
constexpr const char* kCrcB = "-317497204";
constexpr const char* kCrcC = "1424538468";

class CompatHistoryTest : public CliTest {
 protected:
  // The schema the "old tool" made: tables a and b. If dbshift re-ran their
  // migrations, CREATE TABLE would fail.
  void OldToolApplied() {
    db().Query("CREATE TABLE a (id INTEGER)");
    db().Query("CREATE TABLE b (id INTEGER)");
  }

  std::string True() const { return postgres() ? "true" : "1"; }

  void CreateFlywayTable() {
    if (postgres()) {
      db().Query(
          "CREATE TABLE \"public\".\"flyway_schema_history\" (\"installed_rank\" INT NOT NULL, "
          "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) "
          "NOT "
          "NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, \"installed_by\" "
          "VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(), "
          "\"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL)");
      db().Query(
          "ALTER TABLE \"public\".\"flyway_schema_history\" ADD CONSTRAINT "
          "\"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\")");
    } else {
      db().Query(
          "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL PRIMARY KEY, "
          "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) "
          "NOT "
          "NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT, \"installed_by\" "
          "VARCHAR(100) "
          "NOT NULL, \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), "
          "\"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL)");
    }
    db().Query(
        "CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\")");
    const std::string t = True();
    db().Query(
        std::string("INSERT INTO flyway_schema_history (installed_rank, version, description, "
                    "type, script, checksum, installed_by, execution_time, success) VALUES "
                    "(1, '1', 'create a', 'SQL', 'V1__create_a.sql', ") +
        kCrcA + ", 'app', 12, " + t + "), (2, '2', 'create b', 'SQL', 'V2__create_b.sql', " +
        kCrcB + ", 'app', 7, " + t + ")");
  }

  void WriteNative() {
    WriteMigration("V1__create_a.sql", kSqlA);
    WriteMigration("V2__create_b.sql", kSqlB);
    WriteMigration("V3__create_c.sql", kSqlC);
  }

  std::string States(const std::vector<std::string>& history_args) {
    std::vector<std::string> args = history_args;
    args.insert(args.end(), {"--format", "json", "status"});
    ProcessResult status = Run(args);
    EXPECT_EQ(status.exit_code, 0) << status.err;
    std::string states;
    const nlohmann::json json = ParseJson(status.out);  // kept: the loop reads into it
    for (const auto& migration : json["migrations"]) {
      states += migration["version"].get<std::string>() + ":" +
                migration["state"].get<std::string>() + " ";
    }
    return states;
  }
};

TEST_P(CompatHistoryTest, FlywayTableIsReadAndWrittenAsFlywayDoes) {
  OldToolApplied();
  CreateFlywayTable();
  WriteNative();
  EXPECT_EQ(States({"--history", "flyway"}), "1:applied 2:applied 3:pending ");
  ProcessResult validate = Run("--history", "flyway", "validate");
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;

  ProcessResult up = Run("--history", "flyway", "up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("Applied 1 migration."));
  EXPECT_TRUE(db().HasTable("c"));
  EXPECT_FALSE(db().HasTable("dbshift_history")) << "compat mode writes the old tool's table only";
  // The new row is what Flyway would have written: next rank, type SQL, its CRC-32.
  EXPECT_EQ(db().Query("SELECT installed_rank, version, description, type, script, checksum, "
                       "CASE WHEN success THEN 1 ELSE 0 END FROM flyway_schema_history WHERE "
                       "installed_rank = 3"),
            std::string("3|3|create c|SQL|V3__create_c.sql|") + kCrcC + "|1\n");
  EXPECT_EQ(States({"--history", "flyway"}), "1:applied 2:applied 3:applied ");
}

TEST_P(CompatHistoryTest, FlywayChecksumMismatchIsCaught) {
  OldToolApplied();
  CreateFlywayTable();
  WriteNative();
  WriteMigration("V2__create_b.sql", "CREATE TABLE b (id INTEGER, note TEXT);\n");
  ProcessResult validate = Run("--history", "flyway", "validate");
  EXPECT_EQ(validate.exit_code, 3);
  EXPECT_THAT(validate.out + validate.err,
              HasSubstr("V2__create_b.sql was changed after it was applied"));
  EXPECT_THAT(validate.out + validate.err, HasSubstr(std::string("crc32:") + kCrcB));
  ProcessResult up = Run("--history", "flyway", "up");
  EXPECT_EQ(up.exit_code, 3) << up.err;
  EXPECT_FALSE(db().HasTable("c"));

  // Adopted, the mismatch stays visible in dbshift's own history too.
  ProcessResult adopt = Run("adopt", "--from", "flyway");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_EQ(Run("validate").exit_code, 3);
}

TEST_P(CompatHistoryTest, CrlfDoesNotChangeTheFlywayChecksum) {
  OldToolApplied();
  CreateFlywayTable();
  WriteMigration("V1__create_a.sql", "CREATE TABLE a (id INTEGER);\r\n");
  WriteMigration("V2__create_b.sql", std::string("\xEF\xBB\xBF") + kSqlB);
  EXPECT_EQ(Run("--history", "flyway", "validate").exit_code, 0);
}

TEST_P(CompatHistoryTest, AdoptFlywayCopiesOnceAndLeavesTheOldTable) {
  OldToolApplied();
  CreateFlywayTable();
  WriteNative();
  const std::string before =
      db().Query("SELECT * FROM flyway_schema_history ORDER BY installed_rank");

  ProcessResult adopt = Run("--format", "json", "adopt", "--from", "flyway");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  const nlohmann::json json = ParseJson(adopt.out);
  EXPECT_EQ(json["adopted"].size(), 2u);
  EXPECT_EQ(json["already_adopted"], false);
  EXPECT_EQ(History(), "1|1\n2|1\n");
  EXPECT_EQ(db().Query("SELECT * FROM flyway_schema_history ORDER BY installed_rank"), before);
  EXPECT_EQ(States({}), "1:applied 2:applied 3:pending ");

  ProcessResult again = Run("adopt", "--from", "flyway");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Already adopted"));
  EXPECT_EQ(History(), "1|1\n2|1\n");

  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(History(), "1|1\n2|1\n3|1\n");
}

TEST_P(CompatHistoryTest, AdoptRefusesAHistoryThatDiffers) {
  OldToolApplied();
  CreateFlywayTable();
  WriteNative();
  ASSERT_EQ(Run("baseline", "--version", "1").exit_code, 0);
  ProcessResult adopt = Run("adopt", "--from", "flyway");
  EXPECT_EQ(adopt.exit_code, 3);
  EXPECT_THAT(adopt.err, HasSubstr("adopt copies into an empty history only"));
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(CompatHistoryTest, AdoptWithoutTheTableSaysSo) {
  WriteNative();
  ProcessResult adopt = Run("adopt", "--from", "flyway");
  EXPECT_EQ(adopt.exit_code, 2);
  EXPECT_THAT(adopt.err, HasSubstr("no table flyway_schema_history"));
}

// golang-migrate's table as its postgres and sqlite3 drivers create it.
void CreateGolangMigrateTable(TargetDatabase& db, const std::string& version, bool dirty) {
  if (db.engine() == "postgres") {
    db.Query(
        "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version bigint not null primary key, "
        "dirty boolean not null)");
    db.Query("INSERT INTO \"schema_migrations\" (version, dirty) VALUES (" + version + ", " +
             (dirty ? "true" : "false") + ")");
  } else {
    db.Query("CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool)");
    db.Query("CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)");
    db.Query("INSERT INTO schema_migrations (version, dirty) VALUES (" + version + ", " +
             (dirty ? "1" : "0") + ")");
  }
}

TEST_P(CompatHistoryTest, GolangMigrateCurrentVersionMeansEverythingBelowIsApplied) {
  OldToolApplied();
  CreateGolangMigrateTable(db(), "2", false);
  WriteMigration("000001_create_a.up.sql", kSqlA);
  WriteMigration("000001_create_a.down.sql", "DROP TABLE a;\n");
  WriteMigration("000002_create_b.up.sql", kSqlB);
  WriteMigration("000002_create_b.down.sql", "DROP TABLE b;\n");
  WriteMigration("000003_create_c.up.sql", kSqlC);
  WriteMigration("000003_create_c.down.sql", "DROP TABLE c;\n");
  EXPECT_EQ(States({"--history", "golang-migrate"}),
            "000001:applied 000002:applied 000003:pending ");
  EXPECT_EQ(Run("--history", "golang-migrate", "validate").exit_code, 0);

  ProcessResult up = Run("--history", "golang-migrate", "up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(db().HasTable("c"));
  EXPECT_EQ(db().Query("SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM schema_migrations"),
            "3|0\n");

  ProcessResult down = Run("--history", "golang-migrate", "--yes", "down");
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(db().Query("SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM schema_migrations"),
            "2|0\n");

  ProcessResult adopt = Run("adopt", "--from", "golang-migrate");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_EQ(History(), "000001|1\n000002|1\n");
  EXPECT_EQ(Run("validate").exit_code, 0);
}

TEST_P(CompatHistoryTest, GolangMigrateDirtyVersionIsFailedAndBlocksUp) {
  OldToolApplied();
  CreateGolangMigrateTable(db(), "2", true);
  WriteMigration("1_create_a.up.sql", kSqlA);
  WriteMigration("2_create_b.up.sql", kSqlB);
  WriteMigration("3_create_c.up.sql", kSqlC);
  EXPECT_EQ(States({"--history", "golang-migrate"}), "1:applied 2:failed 3:pending ");
  ProcessResult up = Run("--history", "golang-migrate", "up");
  EXPECT_EQ(up.exit_code, 3);
  EXPECT_FALSE(db().HasTable("c"));
}

// dbmate and popx: one row per applied version.
TEST_P(CompatHistoryTest, DbmateVersionRowsAreReadAndWritten) {
  OldToolApplied();
  db().Query(
      postgres()
          ? "create table if not exists public.schema_migrations (version varchar(128) primary key)"
          : "create table if not exists schema_migrations (version varchar(128) primary key)");
  db().Query(
      "insert into schema_migrations (version) values ('20200101000001'), ('20200101000002')");
  WriteMigration("20200101000001_create_a.sql",
                 std::string("-- migrate:up\n") + kSqlA + "-- migrate:down\nDROP TABLE a;\n");
  WriteMigration("20200101000002_create_b.sql",
                 std::string("-- migrate:up\n") + kSqlB + "-- migrate:down\nDROP TABLE b;\n");
  WriteMigration("20200101000003_create_c.sql",
                 std::string("-- migrate:up\n") + kSqlC + "-- migrate:down\nDROP TABLE c;\n");
  EXPECT_EQ(States({"--history", "dbmate"}),
            "20200101000001:applied 20200101000002:applied 20200101000003:pending ");
  EXPECT_EQ(Run("--history", "dbmate", "validate").exit_code, 0);
  ProcessResult up = Run("--history", "dbmate", "up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT version FROM schema_migrations ORDER BY version"),
            "20200101000001\n20200101000002\n20200101000003\n");
  ProcessResult down = Run("--history", "dbmate", "--yes", "down");
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(db().Query("SELECT version FROM schema_migrations ORDER BY version"),
            "20200101000001\n20200101000002\n");
  ProcessResult adopt = Run("adopt", "--from", "dbmate");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_EQ(History(), "20200101000001|1\n20200101000002|1\n");
}

TEST_P(CompatHistoryTest, PopxVersionRowsAreReadAndWritten) {
  OldToolApplied();
  db().Query(
      "CREATE TABLE IF NOT EXISTS schema_migration (version VARCHAR (48) NOT NULL, version_self "
      "INT NOT NULL DEFAULT 0)");
  db().Query(
      "CREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON schema_migration "
      "(version)");
  db().Query(
      "INSERT INTO schema_migration (version) VALUES ('20200101000001'), ('20200101000002')");
  WriteMigration("20200101000001_create_a.up.sql", kSqlA);
  WriteMigration("20200101000002_create_b.up.sql", kSqlB);
  WriteMigration("20200101000003_create_c.up.sql", kSqlC);
  EXPECT_EQ(States({"--history", "popx"}),
            "20200101000001:applied 20200101000002:applied 20200101000003:pending ");
  EXPECT_EQ(Run("--history", "popx", "validate").exit_code, 0);
  ProcessResult up = Run("--history", "popx", "up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT version, version_self FROM schema_migration ORDER BY version"),
            "20200101000001|0\n20200101000002|0\n20200101000003|0\n");
  ProcessResult adopt = Run("adopt", "--from", "popx");
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_EQ(History(), "20200101000001|1\n20200101000002|1\n20200101000003|1\n");
  EXPECT_EQ(Run("validate").exit_code, 0);
}

TEST_P(CompatHistoryTest, StatusNamesTheForeignTable) {
  OldToolApplied();
  CreateFlywayTable();
  WriteNative();
  ProcessResult status = Run("--history", "flyway", "status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("History: flyway_schema_history (flyway's table"));
  ProcessResult json = Run("--history", "flyway", "--format", "json", "status");
  EXPECT_EQ(ParseJson(json.out)["history"]["table"], "flyway_schema_history");
}

// Without --history and without a history of its own, status points at the
// other tool's table it finds, and tells golang-migrate's from dbmate's.
TEST_P(CompatHistoryTest, NativeStatusPointsAtAForeignHistory) {
  OldToolApplied();
  CreateFlywayTable();
  CreateGolangMigrateTable(db(), "2", false);
  WriteNative();
  ProcessResult status = Run("status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("Found flyway's history table flyway_schema_history: `dbshift "
                                    "adopt --from flyway` copies it"));
  EXPECT_THAT(status.out, HasSubstr("Found golang-migrate's history table schema_migrations"));
  EXPECT_THAT(status.out, ::testing::Not(HasSubstr("dbmate")));
  ProcessResult json = Run("--format", "json", "status");
  const nlohmann::json document = ParseJson(json.out);
  ASSERT_EQ(document["foreign_history"].size(), 2u);
  EXPECT_EQ(document["foreign_history"][0]["format"], "flyway");

  // Once adopted, the hint is gone.
  ASSERT_EQ(Run("adopt", "--from", "flyway").exit_code, 0);
  EXPECT_THAT(Run("status").out, ::testing::Not(HasSubstr("Found flyway")));
}

// Other tools' tables are supported on SQLite and PostgreSQL; on MySQL the
// refusal below is what is tested.
INSTANTIATE_TEST_SUITE_P(Engines, CompatHistoryTest,
                         ::testing::Values(std::string("sqlite"), std::string("postgres")),
                         EngineName);

class CompatHistoryOnMysqlTest : public CliTest {};

TEST_P(CompatHistoryOnMysqlTest, ForeignHistoryIsRefusedClearlyAndNothingIsWritten) {
  WriteMigration("V1__create_a.sql", kSqlA);
  for (const char* format : {"flyway", "golang-migrate", "dbmate", "popx"}) {
    ProcessResult up = Run("--history", format, "up");
    EXPECT_EQ(up.exit_code, 2) << format << up.err;
    EXPECT_THAT(up.err, HasSubstr("not supported on MySQL/MariaDB yet")) << format;
  }
  ProcessResult adopt = Run("adopt", "--from", "flyway");
  EXPECT_EQ(adopt.exit_code, 2) << adopt.err;
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_FALSE(db().HasTable("dbshift_history"));
  // The status hint that probes for other tools' tables works there.
  ProcessResult status = Run("status");
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

INSTANTIATE_TEST_SUITE_P(Mysql, CompatHistoryOnMysqlTest, ::testing::Values(std::string("mysql")),
                         EngineName);

}  // namespace
}  // namespace dbshift::testing
