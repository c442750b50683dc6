#include "dbshift/sql/statement.h"

#include <string>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

TEST(DialectNameTest, Names) {
  EXPECT_STREQ(DialectName(Dialect::kSqlite), "sqlite");
  EXPECT_STREQ(DialectName(Dialect::kPostgres), "postgres");
  EXPECT_STREQ(DialectName(Dialect::kMysql), "mysql");
}

struct LineCase {
  std::string text;
  int position;
  int line;
};

// The statements start on script line 10.
const LineCase kLineCases[] = {
    {"SELECT 1", 1, 10},
    {"SELECT 1", 8, 10},
    {"SELECT 1", 0, 10},     // no position
    {"SELECT 1", -3, 10},    // nonsense
    {"SELECT 1", 9, 10},     // past the end: last line
    {"SELECT\n1", 6, 10},    // 'T'
    {"SELECT\n1", 7, 10},    // the newline belongs to its line
    {"SELECT\n1", 8, 11},    // '1'
    {"SELECT\n1", 100, 11},  // past the end: last line
    {"a\nb\nc\nd", 7, 13},
    // Positions count code points, not bytes: "é" and "ü" are two bytes
    // each, "€" three, "😀" four.
    {"SELECT 'é',\n'ü', x", 13, 11},  // the quote before ü
    {"SELECT 'é',\n'ü', x", 12, 10},  // the newline
    {"'é€😀'\nbad", 5, 10},            // the closing quote
    {"'é€😀'\nbad", 6, 10},            // the newline
    {"'é€😀'\nbad", 7, 11},            // 'b'
    {"'é€😀'\nbad", 9, 11},            // 'd'; byte 9 would be inside "😀" on line 10
    {"'é€😀'\nbad", 10, 11},           // past the end
    {"é\né\né\né\né\nx", 11, 15},     // 'x'; byte 11 would be on line 13
    {"é\né\né\né\né\nx", 9, 14},      // the fifth 'é'
};

TEST(LineOfPositionTest, Cases) {
  for (const LineCase& c : kLineCases) {
    SCOPED_TRACE(c.text + " @" + std::to_string(c.position));
    Statement statement;
    statement.text = c.text;
    statement.line = 10;
    EXPECT_EQ(LineOfPosition(statement, c.position), c.line);
  }
}

}  // namespace
}  // namespace dbshift
