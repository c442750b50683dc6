// Scripts the splitter must cut correctly (dollar quotes, DO blocks, COPY
// data, triggers) and the line a failing statement is reported on.
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PostgresStatementsTest : public CliTest {};

TEST_P(PostgresStatementsTest, FunctionsDoBlocksStringsAndCopyAreApplied) {
  WriteMigration("V1__everything.sql",
                 "-- a table; and a comment with semicolons;\n"
                 "CREATE TABLE t (a integer PRIMARY KEY, b text);\n"
                 "CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE plpgsql AS $fn$\n"
                 "DECLARE\n"
                 "  y integer;\n"
                 "BEGIN\n"
                 "  y := x + 1; -- a comment; inside the body\n"
                 "  RETURN y;\n"
                 "END;\n"
                 "$fn$;\n"
                 "/* a block comment; with ; semicolons\n"
                 "   on two lines; */\n"
                 "INSERT INTO t VALUES (1, 'semi;colon');\n"
                 "INSERT INTO t VALUES (2, E'it\\'s; escaped\\n');\n"
                 "DO $$\n"
                 "BEGIN\n"
                 "  INSERT INTO t VALUES (3, 'from do;');\n"
                 "  PERFORM add_one(1);\n"
                 "END\n"
                 "$$;\n"
                 "COPY t (a, b) FROM stdin;\n"
                 "10\tten\n"
                 "11\tsemi;colon in copy\n"
                 "12\t\\N\n"
                 "\\.\n"
                 "INSERT INTO t VALUES (add_one(99), 'after copy');\n"
                 "UPDATE t SET b = b || ';' WHERE a = 10;\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT count(*) FROM t"), "7\n");
  EXPECT_EQ(db().Query("SELECT a, coalesce(b, 'NULL') FROM t ORDER BY a"),
            "1|semi;colon\n"
            "2|it's; escaped\n\n"
            "3|from do;\n"
            "10|ten;\n"
            "11|semi;colon in copy\n"
            "12|NULL\n"
            "100|after copy\n");
  EXPECT_EQ(db().Query("SELECT add_one(41)"), "42\n");
  EXPECT_EQ(db().Query("SELECT statements_done, statements_total, CASE WHEN success THEN 1 ELSE 0 "
                       "END FROM dbshift_history"),
            "8|8|1\n");
  // The run log records the COPY statement, not its data (which may be personal).
  std::string log;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(log_dir())) {
    if (entry.is_regular_file()) log += ReadFile(entry.path());
  }
  EXPECT_THAT(log, HasSubstr("COPY t (a, b) FROM stdin"));
  EXPECT_THAT(log, Not(HasSubstr("semi;colon in copy")));
}

TEST_P(PostgresStatementsTest, BadCopyRowFailsTheMigrationAndKeepsNoRows) {
  WriteMigration("V1__t.sql", "CREATE TABLE t (a integer, b text);\n");
  WriteMigration("V2__copy.sql",
                 "INSERT INTO t VALUES (1, 'kept only if V2 commits');\n"
                 "COPY t (a, b) FROM stdin;\n"
                 "10\tten\n"
                 "not-a-number\televen\n"
                 "\\.\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("V2__copy.sql:2"));
  EXPECT_THAT(up.err, HasSubstr("not-a-number"));
  EXPECT_EQ(db().Query("SELECT count(*) FROM t"), "0\n");
  EXPECT_EQ(History(), "1|1\n");
}

TEST_P(PostgresStatementsTest, ErrorPositionInAMultiLineStatementMapsToItsLine) {
  WriteMigration("V1__positions.sql",
                 "CREATE TABLE a (\n"
                 "  id integer,\n"
                 "  name text\n"
                 ");\n"
                 "-- the failing statement starts on line 6\n"
                 "INSERT INTO a (id, name)\n"
                 "  SELECT id, name\n"
                 "  FROM a\n"
                 "  WHERE no_such_column = 1;\n");
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 1);
  nlohmann::json result = ParseJson(up.out);
  EXPECT_EQ(result["error"]["line"], 9) << up.out;
  EXPECT_THAT(result["error"]["message"].get<std::string>(), HasSubstr("no_such_column"));
  EXPECT_FALSE(db().HasTable("a"));
}

TEST_P(PostgresStatementsTest, ErrorPositionAfterMultiByteCharactersMapsToItsLine) {
  WriteMigration("V1__utf8.sql",
                 "CREATE TABLE a (id integer, name text);\n"
                 "INSERT INTO a (id, name)\n"
                 "  VALUES (1, 'ééééé ñ 日本語'),\n"
                 "         (2, 'ü'),\n"
                 "         (3, no_such_column);\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("V1__utf8.sql:5: migration 1 failed: "));
}

TEST_P(PostgresStatementsTest, StatementTimeoutDirectiveAppliesToItsScriptOnly) {
  WriteMigration("V1__quick.sql",
                 "-- dbshift:statement-timeout 100ms\n"
                 "CREATE TABLE a (id integer);\n");
  WriteMigration("V2__slower.sql", "SELECT pg_sleep(0.3);\nCREATE TABLE b (id integer);\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(History(), "1|1\n2|1\n");

  WriteMigration("V3__slow.sql",
                 "-- dbshift:statement-timeout 100ms\n"
                 "CREATE TABLE c (id integer);\n"
                 "SELECT pg_sleep(2);\n");
  ProcessResult slow = Run("up");
  EXPECT_EQ(slow.exit_code, 1);
  EXPECT_THAT(slow.err, HasSubstr("V3__slow.sql:3: migration 3 failed: "));
  EXPECT_THAT(slow.err, HasSubstr("statement timeout"));
  EXPECT_FALSE(db().HasTable("c"));
  EXPECT_EQ(History(), "1|1\n2|1\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, PostgresStatementsTest, ::testing::Values("postgres"),
                         EngineName);

class SqliteStatementsTest : public CliTest {};

TEST_P(SqliteStatementsTest, TriggerWithSeveralStatementsIsAppliedAndFires) {
  WriteMigration("V1__trigger.sql",
                 "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n"
                 "CREATE TABLE audit (item_id INTEGER, note TEXT);\n"
                 "-- a trigger body holds statements; each ends in ';'\n"
                 "CREATE TRIGGER items_audit AFTER INSERT ON items\n"
                 "BEGIN\n"
                 "  INSERT INTO audit VALUES (NEW.id, 'inserted; one');\n"
                 "  UPDATE items SET name = CASE WHEN NEW.name IS NULL THEN 'unnamed'\n"
                 "                               ELSE NEW.name END\n"
                 "    WHERE id = NEW.id;\n"
                 "  INSERT INTO audit VALUES (NEW.id, 'inserted; two');\n"
                 "END;\n"
                 "INSERT INTO items (id, name) VALUES (1, NULL);\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT item_id, note FROM audit ORDER BY rowid"),
            "1|inserted; one\n1|inserted; two\n");
  EXPECT_EQ(db().Query("SELECT name FROM items"), "unnamed\n");
  EXPECT_EQ(db().Query("SELECT statements_done, statements_total FROM dbshift_history"), "4|4\n");

  db().Query("INSERT INTO items (id, name) VALUES (2, 'second')");
  EXPECT_EQ(db().Query("SELECT count(*) FROM audit WHERE item_id = 2"), "2\n");
  EXPECT_EQ(db().Query("SELECT name FROM items WHERE id = 2"), "second\n");
}

TEST_P(SqliteStatementsTest, StringsAndCommentsWithSemicolons) {
  WriteMigration("V1__strings.sql",
                 "CREATE TABLE t (a INTEGER, b TEXT); -- trailing; comment\n"
                 "/* block; comment */ INSERT INTO t VALUES (1, 'x;y');\n"
                 "INSERT INTO t VALUES (2, 'it''s; quoted');\n"
                 "INSERT INTO \"t\" VALUES (3, 'semi' || ';');\n");
  ProcessResult up = Run("up");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT a, b FROM t ORDER BY a"), "1|x;y\n2|it's; quoted\n3|semi;\n");
  EXPECT_EQ(db().Query("SELECT statements_total FROM dbshift_history"), "4\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, SqliteStatementsTest, ::testing::Values("sqlite"), EngineName);

class StatementLineTest : public CliTest {};

TEST_P(StatementLineTest, FailingStatementOnLineSevenIsReportedOnLineSeven) {
  WriteMigration("V1__lines.sql",
                 "CREATE TABLE a (\n"
                 "  id INTEGER,\n"
                 "  name TEXT\n"
                 ");\n"
                 "INSERT INTO a (id, name)\n"
                 "  VALUES (1, 'x');\n"
                 "INSERT INTO nope VALUES (1);\n"
                 "INSERT INTO a VALUES (2, 'never');\n");
  ProcessResult up = Run("up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_THAT(up.err, HasSubstr("V1__lines.sql:7: migration 1 failed: "));
  EXPECT_THAT(up.err, HasSubstr("nope"));

  // Where DDL cannot roll back, V1 is now failed at its third statement: a
  // resumed run fails there again, at the same line.
  ProcessResult json =
      ddl_rolls_back() ? Run("--format", "json", "up") : Run("--format", "json", "up", "--resume");
  EXPECT_EQ(json.exit_code, 1);
  nlohmann::json result = ParseJson(json.out);
  EXPECT_EQ(result["error"]["line"], 7);
  EXPECT_EQ(result["error"]["file"], "V1__lines.sql");
  EXPECT_EQ(db().HasTable("a"), !ddl_rolls_back());
}

TEST_P(StatementLineTest, CrlfScriptReportsTheSameLine) {
  WriteMigration("V1__crlf.sql",
                 "CREATE TABLE a (\r\n"
                 "  id INTEGER\r\n"
                 ");\r\n"
                 "\r\n"
                 "INSERT INTO nope VALUES (1);\r\n");
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_EQ(ParseJson(up.out)["error"]["line"], 5);
}

TEST_P(StatementLineTest, StatementAfterCommentLinesReportsItsOwnLine) {
  WriteMigration("V1__comments.sql",
                 "CREATE TABLE a (id INTEGER);\n"
                 "\n"
                 "-- explanation of the next statement\n"
                 "-- on two lines; with a semicolon\n"
                 "INSERT INTO nope VALUES (1);\n");
  ProcessResult up = Run("--format", "json", "up");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_EQ(ParseJson(up.out)["error"]["line"], 5);
}

INSTANTIATE_TEST_SUITE_P(Engines, StatementLineTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
