#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dbshift/sql/statement.h"

namespace dbshift {
namespace {

struct Expected {
  std::string text;
  std::size_t offset;
  int line;
};

struct SplitCase {
  std::string name;
  std::string script;
  std::vector<Expected> statements;
};

const SplitCase kSplitCases[] = {
    {"empty", "", {}},
    {"whitespace and comments only", "\n-- a;\n/* b; */\n", {}},
    {"one without semicolon", "SELECT 1", {{"SELECT 1", 0, 1}}},
    {"two statements on two lines",
     "CREATE TABLE t (a);\nINSERT INTO t VALUES (1);\n",
     {{"CREATE TABLE t (a)", 0, 1}, {"INSERT INTO t VALUES (1)", 20, 2}}},
    {"empty statements dropped", ";\n;;SELECT 1;;", {{"SELECT 1", 4, 2}}},
    {"trailing whitespace trimmed", "  SELECT 1 \t\n;", {{"SELECT 1", 2, 1}}},
    {"text after last semicolon", "SELECT 1;\nSELECT 2", {{"SELECT 1", 0, 1}, {"SELECT 2", 10, 2}}},
    {"strings with semicolons",
     "INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT 2;",
     {{"INSERT INTO t VALUES ('a;b', 'it''s;')", 0, 1}, {"SELECT 2", 40, 2}}},
    {"identifiers with semicolons",
     "CREATE TABLE \"a;b\" ([c;d], `e;f`);\nSELECT 2;",
     {{"CREATE TABLE \"a;b\" ([c;d], `e;f`)", 0, 1}, {"SELECT 2", 35, 2}}},
    {"comments with semicolons and quotes",
     "-- first; it's\nSELECT 1 /* a; 'b */;\n/* c; */ SELECT 2;",
     {{"SELECT 1 /* a; 'b */", 15, 2}, {"SELECT 2", 46, 3}}},
    {"trigger with several statements",
     "CREATE TRIGGER tr AFTER INSERT ON t\n"
     "BEGIN\n"
     "  INSERT INTO log VALUES ('a;');\n"
     "  UPDATE t SET n = n + 1;\n"
     "END;\n"
     "SELECT 1;\n",
     {{"CREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n  INSERT INTO log VALUES ('a;');\n  UPDATE t "
       "SET n = n + 1;\nEND",
       0, 1},
      {"SELECT 1", 106, 6}}},
    {"trigger with CASE ... END inside",
     "SELECT 0;\n"
     "CREATE TEMP TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW BEGIN\n"
     "  SELECT CASE WHEN new.a < 0 THEN RAISE(ABORT, 'neg;') END;\n"
     "  INSERT INTO log VALUES (CASE new.a WHEN 1 THEN 'one' ELSE 'other' END);\n"
     "END;\n"
     "SELECT 1;",
     {{"SELECT 0", 0, 1},
      {"CREATE TEMP TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW BEGIN\n  SELECT CASE WHEN new.a < 0 "
       "THEN RAISE(ABORT, 'neg;') END;\n  INSERT INTO log VALUES (CASE new.a WHEN 1 THEN 'one' "
       "ELSE "
       "'other' END);\nEND",
       10, 2},
      {"SELECT 1", 210, 6}}},
    {"unterminated trigger is one final statement",
     "SELECT 1;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2;",
     {{"SELECT 1", 0, 1},
      {"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2;", 10, 2}}},
    {"BEGIN TRANSACTION is not a trigger body",
     "BEGIN;\nSELECT 1;\nCOMMIT;",
     {{"BEGIN", 0, 1}, {"SELECT 1", 7, 2}, {"COMMIT", 17, 3}}},
    {"CRLF", "SELECT 1;\r\nSELECT 2;\r\n", {{"SELECT 1", 0, 1}, {"SELECT 2", 11, 2}}},
};

TEST(SplitSqliteTest, Cases) {
  for (const SplitCase& c : kSplitCases) {
    SCOPED_TRACE(c.name);
    const std::vector<Statement> statements = SplitStatements(c.script, Dialect::kSqlite);
    ASSERT_EQ(statements.size(), c.statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(statements[i].text, c.statements[i].text);
      EXPECT_EQ(statements[i].offset, c.statements[i].offset);
      EXPECT_EQ(statements[i].line, c.statements[i].line);
      EXPECT_FALSE(statements[i].copy_from_stdin);
    }
  }
}

}  // namespace
}  // namespace dbshift
