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
    {"whitespace and comments only", "  \n-- nothing;\n/* here; */\n", {}},
    {"one statement without semicolon", "SELECT 1", {{"SELECT 1", 0, 1}}},
    {"two statements", "SELECT 1;\nSELECT 2;\n", {{"SELECT 1", 0, 1}, {"SELECT 2", 10, 2}}},
    {"empty statements dropped", ";;\n ; SELECT 1;;", {{"SELECT 1", 6, 2}}},
    {"leading whitespace and trailing whitespace trimmed",
     "\n\n   SELECT 1   \n ;",
     {{"SELECT 1", 5, 3}}},
    {"text after last semicolon", "SELECT 1; SELECT 2", {{"SELECT 1", 0, 1}, {"SELECT 2", 10, 1}}},
    {"comment after last semicolon is not a statement",
     "SELECT 1; -- done\n",
     {{"SELECT 1", 0, 1}}},
    {"leading comments skipped",
     "-- first; comment\n/* block; */ SELECT 1;",
     {{"SELECT 1", 31, 2}}},
    {"comment inside statement kept",
     "SELECT 1 -- one; two\n, 2;",
     {{"SELECT 1 -- one; two\n, 2", 0, 1}}},
    {"comment with quotes", "-- it's \"odd\n SELECT 1;", {{"SELECT 1", 14, 2}}},
    {"nested block comment",
     "/* outer /* inner; */ still; comment */ SELECT 1; SELECT 2;",
     {{"SELECT 1", 40, 1}, {"SELECT 2", 50, 1}}},
    {"block comment with quote", "/* don't */ SELECT ';';", {{"SELECT ';'", 12, 1}}},
    {"string with semicolon",
     "SELECT 'a;b'; SELECT 2;",
     {{"SELECT 'a;b'", 0, 1}, {"SELECT 2", 14, 1}}},
    {"string with doubled quote",
     "SELECT 'it''s; fine'; SELECT 2;",
     {{"SELECT 'it''s; fine'", 0, 1}, {"SELECT 2", 22, 1}}},
    {"backslash is plain in standard strings",
     "SELECT 'a\\'; SELECT 2;",
     {{"SELECT 'a\\'", 0, 1}, {"SELECT 2", 13, 1}}},
    {"escape string with backslash quote",
     "SELECT E'it\\'s; x'; SELECT 2;",
     {{"SELECT E'it\\'s; x'", 0, 1}, {"SELECT 2", 20, 1}}},
    {"lower-case escape string",
     "SELECT e'\\\\'; SELECT 2;",
     {{"SELECT e'\\\\'", 0, 1}, {"SELECT 2", 14, 1}}},
    {"escape string with doubled quote",
     "SELECT E'a''b;'; SELECT 2;",
     {{"SELECT E'a''b;'", 0, 1}, {"SELECT 2", 17, 1}}},
    {"identifier ending in e is not an escape string",
     "SELECT some'\\'; SELECT 2;",
     {{"SELECT some'\\'", 0, 1}, {"SELECT 2", 16, 1}}},
    {"unicode string",
     "SELECT U&'d\\0061t;a'; SELECT 2;",
     {{"SELECT U&'d\\0061t;a'", 0, 1}, {"SELECT 2", 22, 1}}},
    {"quoted identifier with semicolon",
     "CREATE TABLE \"a;b\" (\"x\"\"y;\" int); SELECT 2;",
     {{"CREATE TABLE \"a;b\" (\"x\"\"y;\" int)", 0, 1}, {"SELECT 2", 34, 1}}},
    {"parentheses", "SELECT (1;2); SELECT 3;", {{"SELECT (1;2)", 0, 1}, {"SELECT 3", 14, 1}}},
    {"unbalanced close parenthesis",
     "SELECT 1); SELECT 2;",
     {{"SELECT 1)", 0, 1}, {"SELECT 2", 11, 1}}},
    {"dollar-quoted function body",
     "CREATE FUNCTION f() RETURNS int AS $$\n"
     "BEGIN\n"
     "  PERFORM 1;\n"
     "  RETURN 2;\n"
     "END;\n"
     "$$ LANGUAGE plpgsql;\n"
     "SELECT f();\n",
     {{"CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  PERFORM 1;\n  RETURN 2;\nEND;\n$$ "
       "LANGUAGE plpgsql",
       0, 1},
      {"SELECT f()", 95, 7}}},
    {"tagged dollar quotes nest",
     "DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$; SELECT 2;",
     {{"DO $outer$ BEGIN EXECUTE $inner$ SELECT 1; $inner$; END $outer$", 0, 1},
      {"SELECT 2", 65, 1}}},
    {"different tag does not close",
     "SELECT $a$ x $b$ ; $a$; SELECT 2;",
     {{"SELECT $a$ x $b$ ; $a$", 0, 1}, {"SELECT 2", 24, 1}}},
    {"DO block",
     "DO $$\nBEGIN\n  RAISE NOTICE 'a;b';\nEND\n$$;\nSELECT 1;",
     {{"DO $$\nBEGIN\n  RAISE NOTICE 'a;b';\nEND\n$$", 0, 1}, {"SELECT 1", 42, 6}}},
    {"parameter is not a dollar quote",
     "SELECT $1; SELECT $2;",
     {{"SELECT $1", 0, 1}, {"SELECT $2", 11, 1}}},
    {"dollar inside identifier is not a quote",
     "SELECT a$b$; SELECT $$;$$;",
     {{"SELECT a$b$", 0, 1}, {"SELECT $$;$$", 13, 1}}},
    {"dollar quote right after a number",
     "SELECT 1$$;$$; SELECT 2;",
     {{"SELECT 1$$;$$", 0, 1}, {"SELECT 2", 15, 1}}},
    {"numbers with glued letters",
     "SELECT 1.5e3, 0x1F, 1_000; SELECT 2;",
     {{"SELECT 1.5e3, 0x1F, 1_000", 0, 1}, {"SELECT 2", 27, 1}}},
    {"unterminated dollar quote runs to the end",
     "SELECT 1; SELECT $$ a; b;",
     {{"SELECT 1", 0, 1}, {"SELECT $$ a; b;", 10, 1}}},
    {"unterminated string runs to the end", "SELECT 'a; b;\n", {{"SELECT 'a; b;", 0, 1}}},
    {"BEGIN ATOMIC function",
     "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
     "BEGIN ATOMIC\n"
     "  SELECT 1;\n"
     "  SELECT CASE WHEN true THEN 1 ELSE 2 END;\n"
     "END;\n"
     "SELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE "
       "WHEN true THEN 1 ELSE 2 END;\nEND",
       0, 1},
      {"SELECT 2", 118, 6}}},
    {"CREATE OR REPLACE PROCEDURE with BEGIN ATOMIC",
     "create or replace procedure p() begin atomic insert into t values (1); end; select 2;",
     {{"create or replace procedure p() begin atomic insert into t values (1); end", 0, 1},
      {"select 2", 76, 1}}},
    {"BEGIN outside a routine is a transaction",
     "BEGIN; SELECT 1; END; COMMIT;",
     {{"BEGIN", 0, 1}, {"SELECT 1", 7, 1}, {"END", 17, 1}, {"COMMIT", 22, 1}}},
    {"CASE outside a routine",
     "SELECT CASE WHEN x THEN 1 END; SELECT 2;",
     {{"SELECT CASE WHEN x THEN 1 END", 0, 1}, {"SELECT 2", 31, 1}}},
    {"CREATE TABLE is not a routine",
     "CREATE TABLE begin_x (a int); SELECT 2;",
     {{"CREATE TABLE begin_x (a int)", 0, 1}, {"SELECT 2", 30, 1}}},
    {"CRLF line endings", "SELECT 1;\r\nSELECT 2;\r\n", {{"SELECT 1", 0, 1}, {"SELECT 2", 11, 2}}},
    {"multi-byte text", "SELECT 'é;ü';\nSELECT 2;", {{"SELECT 'é;ü'", 0, 1}, {"SELECT 2", 16, 2}}},
};

TEST(SplitPostgresTest, Cases) {
  for (const SplitCase& c : kSplitCases) {
    SCOPED_TRACE(c.name);
    const std::vector<Statement> statements = SplitStatements(c.script, Dialect::kPostgres);
    ASSERT_EQ(statements.size(), c.statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(statements[i].text, c.statements[i].text);
      EXPECT_EQ(statements[i].offset, c.statements[i].offset);
      EXPECT_EQ(statements[i].line, c.statements[i].line);
      EXPECT_EQ(c.script.substr(statements[i].offset, statements[i].text.size()),
                statements[i].text);
      EXPECT_FALSE(statements[i].copy_from_stdin);
      EXPECT_EQ(statements[i].copy_data, "");
    }
  }
}

struct CopyExpected {
  std::string text;
  int line;
  bool copy_from_stdin;
  std::string copy_data;
};

struct CopyCase {
  std::string name;
  std::string script;
  std::vector<CopyExpected> statements;
};

const CopyCase kCopyCases[] = {
    {"data with semicolons and quotes, then more statements",
     "CREATE TABLE t (a text, b text);\n"
     "COPY t (a, b) FROM stdin;\n"
     "x;y\tit's \"q\"\n"
     "$$\t-- not a comment\n"
     "\\.\n"
     "SELECT 1;\n",
     {{"CREATE TABLE t (a text, b text)", 1, false, ""},
      {"COPY t (a, b) FROM stdin", 2, true, "x;y\tit's \"q\"\n$$\t-- not a comment\n"},
      {"SELECT 1", 6, false, ""}}},
    {"upper-case STDIN with options",
     "COPY t FROM STDIN WITH (FORMAT csv, DELIMITER ';');\n1;2\n\\.\nSELECT 2;",
     {{"COPY t FROM STDIN WITH (FORMAT csv, DELIMITER ';')", 1, true, "1;2\n"},
      {"SELECT 2", 4, false, ""}}},
    {"mixed case keywords",
     "copy public.t From StdIn;\na\n\\.\n",
     {{"copy public.t From StdIn", 1, true, "a\n"}}},
    {"empty data",
     "COPY t FROM stdin;\n\\.\nSELECT 1;",
     {{"COPY t FROM stdin", 1, true, ""}, {"SELECT 1", 3, false, ""}}},
    {"end marker with CR",
     "COPY t FROM stdin;\r\na\r\n\\.\r\nSELECT 1;",
     {{"COPY t FROM stdin", 1, true, "a\r\n"}, {"SELECT 1", 4, false, ""}}},
    {"marker must be the whole line",
     "COPY t FROM stdin;\na\\.\n \\.\n\\.x\n\\.\nSELECT 1;",
     {{"COPY t FROM stdin", 1, true, "a\\.\n \\.\n\\.x\n"}, {"SELECT 1", 6, false, ""}}},
    {"at the end without marker",
     "SELECT 0;\nCOPY t FROM stdin;\n1\n2",
     {{"SELECT 0", 1, false, ""}, {"COPY t FROM stdin", 2, true, "1\n2\n"}}},
    {"at the end without data", "COPY t FROM stdin;", {{"COPY t FROM stdin", 1, true, ""}}},
    {"unterminated at the end", "COPY t FROM stdin", {{"COPY t FROM stdin", 1, true, ""}}},
    {"marker at the very end",
     "COPY t FROM stdin;\na\n\\.",
     {{"COPY t FROM stdin", 1, true, "a\n"}}},
    {"rest of the COPY line is not data",
     "COPY t FROM stdin; -- rows follow\na\n\\.\n",
     {{"COPY t FROM stdin", 1, true, "a\n"}}},
    {"from a file is not stdin",
     "COPY t FROM '/tmp/x;y';\nSELECT 1;",
     {{"COPY t FROM '/tmp/x;y'", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"to stdout is not stdin",
     "COPY t TO STDOUT;\nSELECT 1;",
     {{"COPY t TO STDOUT", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"from program is not stdin",
     "COPY t FROM PROGRAM 'cat';\nSELECT 1;",
     {{"COPY t FROM PROGRAM 'cat'", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"stdin inside a query is not the source",
     "COPY (SELECT * FROM stdin) TO STDOUT;\nSELECT 1;",
     {{"COPY (SELECT * FROM stdin) TO STDOUT", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"quoted stdin is a file name",
     "COPY t FROM \"stdin\";\nSELECT 1;",
     {{"COPY t FROM \"stdin\"", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"not a COPY statement",
     "SELECT a FROM stdin;\nSELECT 1;",
     {{"SELECT a FROM stdin", 1, false, ""}, {"SELECT 1", 2, false, ""}}},
    {"two COPY blocks",
     "COPY a FROM stdin;\n1\n\\.\nCOPY b FROM stdin;\n2\n\\.\n",
     {{"COPY a FROM stdin", 1, true, "1\n"}, {"COPY b FROM stdin", 4, true, "2\n"}}},
};

TEST(SplitPostgresTest, CopyFromStdin) {
  for (const CopyCase& c : kCopyCases) {
    SCOPED_TRACE(c.name);
    const std::vector<Statement> statements = SplitStatements(c.script, Dialect::kPostgres);
    ASSERT_EQ(statements.size(), c.statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(statements[i].text, c.statements[i].text);
      EXPECT_EQ(statements[i].line, c.statements[i].line);
      EXPECT_EQ(statements[i].copy_from_stdin, c.statements[i].copy_from_stdin);
      EXPECT_EQ(statements[i].copy_data, c.statements[i].copy_data);
    }
  }
}

TEST(SplitPostgresTest, ManyStatementsKeepOffsetsAndLines) {
  std::string script;
  constexpr int kCount = 10000;
  for (int i = 0; i < kCount; ++i) {
    script += "INSERT INTO t VALUES (" + std::to_string(i) + ", 'a;b', $$c;d$$); -- note;\n";
  }
  const std::vector<Statement> statements = SplitStatements(script, Dialect::kPostgres);
  ASSERT_EQ(statements.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    const Statement& statement = statements[static_cast<std::size_t>(i)];
    ASSERT_EQ(statement.line, i + 1);
    ASSERT_EQ(statement.text, "INSERT INTO t VALUES (" + std::to_string(i) + ", 'a;b', $$c;d$$)");
    ASSERT_EQ(script.compare(statement.offset, statement.text.size(), statement.text), 0);
  }
}

std::vector<std::size_t> OffsetsOf(const std::vector<Statement>& statements) {
  std::vector<std::size_t> offsets;
  for (const Statement& statement : statements) offsets.push_back(statement.offset);
  return offsets;
}

// PostgresStatementOffsets skips the copying, not the lexing: it must find
// every statement SplitStatements finds, COPY data lines included.
TEST(PostgresStatementOffsetsTest, SameStartsAsSplitStatements) {
  for (const SplitCase& c : kSplitCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(PostgresStatementOffsets(c.script),
              OffsetsOf(SplitStatements(c.script, Dialect::kPostgres)));
  }
  for (const CopyCase& c : kCopyCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(PostgresStatementOffsets(c.script),
              OffsetsOf(SplitStatements(c.script, Dialect::kPostgres)));
  }
}

TEST(PostgresStatementOffsetsTest, CopyDataThatLooksLikeStatementsIsSkipped) {
  const std::string script = "COPY t FROM stdin;\nSELECT 1;\nDROP TABLE t;\n\\.\nSELECT 2;\n";
  EXPECT_EQ(PostgresStatementOffsets(script),
            (std::vector<std::size_t>{0, script.find("SELECT 2")}));
}

}  // namespace
}  // namespace dbshift
