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
    {"two statements", "SELECT 1;\nSELECT 2;", {{"SELECT 1", 0, 1}, {"SELECT 2", 10, 2}}},
    {"backslash escape in string",
     "SELECT 'it\\'s;'; SELECT 2;",
     {{"SELECT 'it\\'s;'", 0, 1}, {"SELECT 2", 17, 1}}},
    {"double-quoted string",
     "SELECT \"a;\\\"b\"; SELECT 2;",
     {{"SELECT \"a;\\\"b\"", 0, 1}, {"SELECT 2", 16, 1}}},
    {"backtick identifier",
     "CREATE TABLE `a;``b` (c int); SELECT 2;",
     {{"CREATE TABLE `a;``b` (c int)", 0, 1}, {"SELECT 2", 30, 1}}},
    {"hash comment", "# one; two\nSELECT 1;", {{"SELECT 1", 11, 2}}},
    {"dash comment needs a space", "-- a;\nSELECT 1--1;", {{"SELECT 1--1", 6, 2}}},
    {"block comment", "/* a; */ SELECT 1;", {{"SELECT 1", 9, 1}}},
    {"empty statements dropped", ";; SELECT 1 ;", {{"SELECT 1", 3, 1}}},
};

TEST(SplitMysqlTest, Cases) {
  for (const SplitCase& c : kSplitCases) {
    SCOPED_TRACE(c.name);
    const std::vector<Statement> statements = SplitStatements(c.script, Dialect::kMysql);
    ASSERT_EQ(statements.size(), c.statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(statements[i].text, c.statements[i].text);
      EXPECT_EQ(statements[i].offset, c.statements[i].offset);
      EXPECT_EQ(statements[i].line, c.statements[i].line);
    }
  }
}

}  // namespace
}  // namespace dbshift
