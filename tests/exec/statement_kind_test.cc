#include "dbshift/exec/statement_kind.h"

#include <utility>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

TEST(StatementKindTest, SchemaAndPermissionStatementsAreMarkedForTheAuditLog) {
  struct Case {
    const char* text;
    bool expected;
  };
  const Case cases[] = {
      {"CREATE TABLE t (id int)", true},
      {"create index concurrently i on t (a)", true},
      {"ALTER TABLE t ADD COLUMN b int", true},
      {"DROP TABLE t", true},
      {"TRUNCATE t", true},
      {"GRANT SELECT ON t TO app", true},
      {"revoke all on t from app", true},
      {"COMMENT ON TABLE t IS 'x'", true},
      {"REINDEX INDEX i", true},
      {"INSERT INTO t VALUES (1)", false},
      {"UPDATE t SET a = 1", false},
      {"SELECT 1", false},
      {"COPY t FROM stdin", false},
      {"DO $$ BEGIN END $$", false},
      {"CREATED_AT", false},
      {"", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsSchemaOrPermissionStatement(c.text), c.expected) << c.text;
  }
}

TEST(StatementKindTest, MysqlImplicitCommits) {
  const std::pair<const char*, bool> cases[] = {
      {"CREATE TABLE t (id int)", true},
      {"alter table t add column b int", true},
      {"LOCK TABLES t WRITE", true},
      {"UNLOCK TABLES", true},
      {"ANALYZE TABLE t", true},
      {"OPTIMIZE TABLE t", true},
      {"CALL refresh_totals()", true},
      {"LOAD INDEX INTO CACHE t", true},
      {"SET PASSWORD = 'x'", true},
      {"RENAME TABLE a TO b", true},
      {"INSERT INTO t VALUES (1)", false},
      {"UPDATE t SET a = 1", false},
      {"DELETE FROM t", false},
      {"SELECT SLEEP(1)", false},
      {"SET @x = 1", false},
      {"LOAD DATA INFILE 'x' INTO TABLE t", false},
      {"REPLACE INTO t VALUES (1)", false},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(CommitsImplicitlyOnMysql(text), expected) << text;
  }
}

}  // namespace
}  // namespace dbshift
