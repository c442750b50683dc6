// A long script is parsed in parts on several threads; what comes out must
// be what one parse of the whole gives: the same statements at the same
// offsets, comments before a statement its own, and the first syntax error.

#include "dbshift/lint/parse_tree.h"

#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace dbshift::lint {
namespace {

// About `bytes` of statements of several shapes, each with a comment before
// it that must stay with it.
std::string LongScript(std::size_t bytes) {
  std::string sql;
  for (int i = 0; sql.size() < bytes; ++i) {
    sql += fmt::format("-- dbshift:allow rule-{}\n", i);
    switch (i % 4) {
      case 0:
        sql += fmt::format("CREATE TABLE t{} (id bigint, note text DEFAULT ';');\n", i);
        break;
      case 1:
        sql += fmt::format("ALTER TABLE t{} ADD COLUMN c int /* ; */;\n", i - 1);
        break;
      case 2:
        sql += fmt::format(
            "CREATE FUNCTION f{}() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n",
            i);
        break;
      default:
        sql += fmt::format("UPDATE t{} SET note = 'x;y'\n  WHERE id = {};\n", i - 3, i);
        break;
    }
  }
  return sql;
}

void ExpectSameStatements(const ParseTree& parts, const ParseTree& whole) {
  ASSERT_EQ(parts.statements().size(), whole.statements().size());
  for (std::size_t i = 0; i < whole.statements().size(); ++i) {
    const ParsedStatement& a = parts.statements()[i];
    const ParsedStatement& b = whole.statements()[i];
    EXPECT_EQ(a.offset, b.offset) << "statement " << i;
    EXPECT_EQ(a.leading_offset, b.leading_offset) << "statement " << i;
    EXPECT_EQ(a.length, b.length) << "statement " << i;
    ASSERT_NE(a.node, nullptr);
    EXPECT_EQ(a.node->node_case, b.node->node_case) << "statement " << i;
  }
}

TEST(ParseTree, LongScriptInPartsIsTheWholeParse) {
  const std::string sql = LongScript(400 * 1024);
  const ParseTree parts = ParseTree::Parse(sql);
  const ParseTree whole = ParseTree::ParseWhole(sql);
  ASSERT_EQ(parts.problem(), nullptr);
  ASSERT_EQ(whole.problem(), nullptr);
  EXPECT_GT(whole.statements().size(), 4000U);
  ExpectSameStatements(parts, whole);
}

// Taken part by part, as the linter takes them while later ones are parsed.
TEST(ScriptParts, PartsTakenInOrderAreTheWholeParse) {
  const std::string sql = LongScript(400 * 1024);
  ScriptParts parts(sql);
  if (std::thread::hardware_concurrency() >= 2) {
    // Many parts per core, so the last one to arrive is small.
    EXPECT_GE(parts.size(), 8U);
  }
  std::vector<ParseTree> taken;
  std::vector<ParsedStatement> statements;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ParseTree part = parts.Take(i);
    ASSERT_EQ(part.problem(), nullptr) << "part " << i;
    ASSERT_FALSE(part.statements().empty()) << "part " << i;
    if (!statements.empty()) {
      part.ContinueAfter(statements.back().offset + statements.back().length, sql);
    }
    statements.insert(statements.end(), part.statements().begin(), part.statements().end());
    taken.push_back(std::move(part));  // keeps the nodes alive
  }
  const ParseTree whole = ParseTree::ParseWhole(sql);
  ASSERT_EQ(statements.size(), whole.statements().size());
  for (std::size_t i = 0; i < statements.size(); ++i) {
    EXPECT_EQ(statements[i].offset, whole.statements()[i].offset) << "statement " << i;
    EXPECT_EQ(statements[i].leading_offset, whole.statements()[i].leading_offset)
        << "statement " << i;
    EXPECT_EQ(statements[i].node->node_case, whole.statements()[i].node->node_case)
        << "statement " << i;
  }
}

// A caller that stops early (a part did not parse) must not wait for, or
// leak, the parts it never takes.
TEST(ScriptParts, LeftAfterTheFirstPartStopsCleanly) {
  const std::string sql = LongScript(2 * 1024 * 1024);
  ScriptParts parts(sql);
  const ParseTree first = parts.Take(0);
  EXPECT_EQ(first.problem(), nullptr);
  EXPECT_FALSE(first.statements().empty());
}

TEST(ScriptParts, ShortScriptIsOnePart) {
  const std::string sql = LongScript(8 * 1024);
  ScriptParts parts(sql);
  ASSERT_EQ(parts.size(), 1U);
  const ParseTree only = parts.Take(0);
  EXPECT_EQ(only.statements().size(), ParseTree::ParseWhole(sql).statements().size());
}

TEST(ParseTree, SyntaxErrorLateInALongScriptIsFoundWhereOneParseFindsIt) {
  std::string sql = LongScript(300 * 1024);
  const std::size_t bad = sql.size() * 3 / 4;
  const std::size_t line = sql.find('\n', bad) + 1;
  sql.insert(line, "ALTER TABLE t0 ADD COLUMN ;\n");
  const ParseTree parts = ParseTree::Parse(sql);
  const ParseTree whole = ParseTree::ParseWhole(sql);
  ASSERT_NE(whole.problem(), nullptr);
  ASSERT_NE(parts.problem(), nullptr);
  EXPECT_EQ(parts.problem()->offset, whole.problem()->offset);
  EXPECT_EQ(parts.problem()->message, whole.problem()->message);
  EXPECT_TRUE(parts.statements().empty());
}

TEST(ParseTree, ShortScriptHasStatementsAndLeadingComments) {
  const std::string sql = "-- first\nSELECT 1;\n/* second */ SELECT 2";
  const ParseTree tree = ParseTree::Parse(sql);
  ASSERT_EQ(tree.statements().size(), 2U);
  EXPECT_EQ(tree.statements()[0].leading_offset, 0U);
  EXPECT_EQ(tree.statements()[0].offset, sql.find("SELECT 1"));
  EXPECT_EQ(tree.statements()[1].leading_offset, sql.find(";") + 1);
  EXPECT_EQ(tree.statements()[1].offset, sql.find("SELECT 2"));
  EXPECT_EQ(tree.statements()[1].length, std::string("SELECT 2").size());
}

}  // namespace
}  // namespace dbshift::lint
