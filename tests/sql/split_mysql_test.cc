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
    {"procedure with DELIMITER $$",
     "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\nDELIMITER ;\n"
     "SELECT 3;",
     {{"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND", 13, 2}, {"SELECT 3", 82, 8}}},
    {"trigger with lowercase delimiter //",
     "delimiter //\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  SET NEW.x = 1;\n"
     "END //\ndelimiter ;\nSELECT 1;",
     {{"CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW\nBEGIN\n  SET NEW.x = 1;\nEND", 13, 2},
      {"SELECT 1", 104, 7}}},
    {"short form \\d", "\\d $$\nSELECT 1; SELECT 2$$", {{"SELECT 1; SELECT 2", 6, 2}}},
    {"delimiter hidden by quotes and comments",
     "DELIMITER $$\nSELECT '$$;', `a$$`; # $$\n-- $$\n/* $$ */ SELECT 2$$",
     {{"SELECT '$$;', `a$$`; # $$\n-- $$\n/* $$ */ SELECT 2", 13, 2}}},
    {"only the whole delimiter ends a statement",
     "DELIMITER $$\nSELECT $1 $ 2$$SELECT 3 $$",
     {{"SELECT $1 $ 2", 13, 2}, {"SELECT 3", 28, 2}}},
    {"script ends under a custom delimiter",
     "DELIMITER $$\nSELECT 1$$\nCREATE FUNCTION f() RETURNS INT\nBEGIN\n  RETURN 1;\nEND\n",
     {{"SELECT 1", 13, 2}, {"CREATE FUNCTION f() RETURNS INT\nBEGIN\n  RETURN 1;\nEND", 24, 3}}},
    {"DELIMITER after a comment and a statement on its line",
     "-- set up\n/* x */ DELIMITER ;;\nSELECT 1;;\n\nDELIMITER ;\nSELECT 2;",
     {{"SELECT 1", 31, 3}, {"SELECT 2", 55, 6}}},
    {"DELIMITER right after a delimiter",
     "DELIMITER $$\nSELECT 1$$ DELIMITER ;\nSELECT 2;",
     {{"SELECT 1", 13, 2}, {"SELECT 2", 36, 3}}},
    {"DELIMITER line with trailing spaces and CRLF",
     "DELIMITER $$   \r\nSELECT 1; SELECT 2$$\r\nDELIMITER ;\r\nSELECT 3;\r\n",
     {{"SELECT 1; SELECT 2", 17, 2}, {"SELECT 3", 52, 4}}},
    {"DELIMITER only where a statement begins",
     "SELECT 1 AS\ndelimiter $$;",
     {{"SELECT 1 AS\ndelimiter $$", 0, 1}}},
    {"executable comments are statements",
     "/*!40101 SET NAMES utf8 */;\n/*M!100100 SET x=1; */;\nSELECT /*! STRAIGHT_JOIN */ 1;",
     {{"/*!40101 SET NAMES utf8 */", 0, 1},
      {"/*M!100100 SET x=1; */", 28, 2},
      {"SELECT /*! STRAIGHT_JOIN */ 1", 52, 3}}},
    {"mysqldump trigger",
     "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON a FOR EACH ROW "
     "SET NEW.x = ';;' */;;\nDELIMITER ;\n",
     {{"/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = ';;' */",
       13, 2}}},
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
