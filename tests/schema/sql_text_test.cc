// The readers' text helpers: SQL as users write it in one spelling, CHECK
// clauses and table options out of a CREATE TABLE, and unique names.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/schema/internal.h"

namespace dbshift::schema::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct NormalizeCase {
  std::string sql;
  bool dollar_quotes;
  std::string normalized;
};

class NormalizeSqlTextTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeSqlTextTest, OneSpelling) {
  EXPECT_EQ(NormalizeSqlText(GetParam().sql, GetParam().dollar_quotes), GetParam().normalized);
}

const NormalizeCase kNormalizeCases[] = {
    {"CREATE INDEX i\n    ON t (a)\n", false, "CREATE INDEX i ON t (a)"},
    {"  CREATE\tVIEW v AS\r\n SELECT 1  ", false, "CREATE VIEW v AS SELECT 1"},
    // Comments go, and leave a space behind, not a joined word.
    {"CREATE TABLE t (a INT, -- the key\nb TEXT)", false, "CREATE TABLE t (a INT, b TEXT)"},
    {"SELECT/* x */1", false, "SELECT 1"},
    {"SELECT 1 /* a /* nested */ comment */ + 2", true, "SELECT 1 + 2"},
    // Quoted text stays byte for byte, comment markers in it included.
    {"SELECT 'a  b -- c',   \"x  y\"", false, "SELECT 'a  b -- c', \"x  y\""},
    {"SELECT 'it''s   ok'  ,  1", false, "SELECT 'it''s   ok' , 1"},
    {"SELECT [a  b] ,`c  d`", false, "SELECT [a  b] ,`c  d`"},
    {"AS $f$\n  BEGIN  -- not a comment\n$f$  LANGUAGE sql", true,
     "AS $f$\n  BEGIN  -- not a comment\n$f$ LANGUAGE sql"},
    {"AS $$ a   b $$", true, "AS $$ a   b $$"},
    // $1 is a parameter, not a dollar quote; without dollar quotes (SQLite)
    // $ is an ordinary character.
    {"SELECT $1  ,  $2", true, "SELECT $1 , $2"},
    {"SELECT $a$  b", false, "SELECT $a$ b"},
    // Text that never closes is kept as it is.
    {"SELECT 'open   ", false, "SELECT 'open   "},
    {"", false, ""},
};

INSTANTIATE_TEST_SUITE_P(Cases, NormalizeSqlTextTest, ::testing::ValuesIn(kNormalizeCases));

TEST(CheckClausesTest, FindsEveryCheckOutsideQuotedText) {
  EXPECT_THAT(CheckClauses("CREATE TABLE t (a INT CHECK (a > 0), b TEXT, "
                           "CONSTRAINT c check(length(b) < 10 AND b <> ')'))"),
              ElementsAre("CHECK (a > 0)", "CHECK (length(b) < 10 AND b <> ')')"));
  EXPECT_THAT(CheckClauses("CREATE TABLE t (\"check\" INT, checked INT DEFAULT 'CHECK (x)')"),
              IsEmpty());
}

TEST(TextAfterColumnListTest, IsWhatFollowsTheColumns) {
  EXPECT_EQ(TextAfterColumnList("CREATE TABLE t (a INT, b TEXT CHECK (b <> ')')) WITHOUT ROWID"),
            "WITHOUT ROWID");
  EXPECT_EQ(TextAfterColumnList("CREATE TABLE t (a INT) STRICT, WITHOUT ROWID;"),
            "STRICT, WITHOUT ROWID");
  EXPECT_EQ(TextAfterColumnList("CREATE TABLE \"odd (name\" (a INT)"), "");
  EXPECT_EQ(TextAfterColumnList("CREATE TABLE t"), "");
}

TEST(QualifiedNameTest, QuotesOnlyPartsThatWouldBeAmbiguous) {
  EXPECT_EQ(QualifiedName({"public", "users", "email"}), "public.users.email");
  EXPECT_EQ(QualifiedName({"users"}), "users");
  EXPECT_EQ(QualifiedName({"a.b", "c"}), "\"a.b\".c");
  EXPECT_NE(QualifiedName({"a.b", "c"}), QualifiedName({"a", "b.c"}));
  EXPECT_EQ(QualifiedName({"say \"hi\""}), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(QualifiedName({"Mixed Case", "x"}), "Mixed Case.x");
}

TEST(JoinWordsTest, LeavesOutEmptyWords) {
  EXPECT_EQ(JoinWords({"text", "", "NOT NULL", ""}), "text NOT NULL");
  EXPECT_EQ(JoinWords({"", ""}), "");
}

}  // namespace
}  // namespace dbshift::schema::internal
