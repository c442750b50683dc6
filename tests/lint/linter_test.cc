// The linter's own behaviour: positions, suppression, severities, syntax
// errors, COPY data, and the facts that later statements depend on.

#include "dbshift/lint/linter.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dbshift::lint {
namespace {

using ::testing::HasSubstr;

std::vector<Finding> LintSql(const std::string& sql, LintOptions options = {},
                             bool in_transaction = true, std::vector<std::string> allowed = {}) {
  LintInput input;
  input.file = "V1__x.sql";
  input.sql = sql;
  input.in_transaction = in_transaction;
  input.allowed = std::move(allowed);
  return Lint(input, options);
}

std::vector<std::string> RulesOf(const std::vector<Finding>& findings) {
  std::vector<std::string> rules;
  for (const Finding& finding : findings) rules.push_back(finding.rule);
  return rules;
}

TEST(Linter, NamesFileLineAndColumnOfTheStatement) {
  const std::vector<Finding> findings = LintSql(
      "-- add a column\n"
      "ALTER TABLE users ADD COLUMN note text;\n"
      "\n"
      "  /* the index */ CREATE INDEX users_note_idx\n"
      "    ON users (note);\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "require-concurrent-index-creation");
  EXPECT_EQ(findings[0].file, "V1__x.sql");
  EXPECT_EQ(findings[0].line, 4);
  EXPECT_EQ(findings[0].column, 19);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_THAT(findings[0].message, HasSubstr("users"));
}

TEST(Linter, CountsColumnsInCharactersNotBytes) {
  const std::vector<Finding> findings = LintSql("SELECT 'é'; /* ü */ DROP INDEX i;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].line, 1);
  EXPECT_EQ(findings[0].column, 21);
}

TEST(Linter, AllowCommentBeforeAStatementSilencesThatStatementOnly) {
  const std::vector<Finding> findings = LintSql(
      "-- dbshift:allow require-concurrent-index-deletion\n"
      "DROP INDEX a;\n"
      "DROP INDEX b;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].line, 3);
}

TEST(Linter, AllowListTakesSeveralRules) {
  const std::vector<Finding> findings = LintSql(
      "SELECT 1;\n"
      "-- dbshift:allow ban-drop-column, renaming-column\n"
      "ALTER TABLE t DROP COLUMN a;\n"
      "ALTER TABLE t RENAME COLUMN b TO c;\n");
  EXPECT_EQ(RulesOf(findings), std::vector<std::string>{"renaming-column"});
}

TEST(Linter, ScriptWideAllowAndSeverityOff) {
  EXPECT_TRUE(LintSql("DROP INDEX a;\n", {}, true, {"require-concurrent-index-deletion"}).empty());
  LintOptions options;
  options.severities["require-concurrent-index-deletion"] = Severity::kOff;
  EXPECT_TRUE(LintSql("DROP INDEX a;\n", options).empty());
  options.severities["require-concurrent-index-deletion"] = Severity::kWarning;
  const std::vector<Finding> findings = LintSql("DROP INDEX a;\n", options);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
}

TEST(Linter, SyntaxErrorIsOneFindingAtItsPosition) {
  const std::vector<Finding> findings =
      LintSql("CREATE TABLE a (id bigint);\nALTER TABLE a ADDD COLUMN b int;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, kSyntaxErrorRule);
  EXPECT_EQ(findings[0].severity, Severity::kError);
  EXPECT_EQ(findings[0].line, 2);
  EXPECT_EQ(findings[0].column, 15);
  EXPECT_THAT(findings[0].message, HasSubstr("syntax error"));
}

TEST(Linter, CopyDataIsNotParsedAsSql) {
  const std::vector<Finding> findings = LintSql(
      "COPY users (id, name) FROM stdin;\n"
      "1\tDROP TABLE x; not sql at all\n"
      "2\t'unterminated\n"
      "\\.\n"
      "DROP INDEX users_name_idx;\n");
  ASSERT_EQ(findings.size(), 1u) << findings[0].message;
  EXPECT_EQ(findings[0].rule, "require-concurrent-index-deletion");
  EXPECT_EQ(findings[0].line, 5);
}

TEST(Linter, TablesCreatedEarlierInTheScriptAreSafe) {
  EXPECT_TRUE(LintSql("CREATE TABLE s.t (a bigint);\n"
                      "CREATE INDEX t_a ON s.t (a);\n"
                      "ALTER TABLE s.t ADD CONSTRAINT t_a_key UNIQUE (a);\n"
                      "ALTER TABLE S.T ALTER COLUMN a SET NOT NULL;\n")
                  .empty());
  // The same name in another schema is another table.
  EXPECT_EQ(RulesOf(LintSql("CREATE TABLE s.t (a bigint);\nCREATE INDEX t_a ON t (a);\n")),
            std::vector<std::string>{"require-concurrent-index-creation"});
}

TEST(Linter, BreakingChangesCarryTheExpandContractPath) {
  const std::vector<Finding> findings =
      LintSql("ALTER TABLE users RENAME COLUMN name TO full_name;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].breaking);
  EXPECT_THAT(findings[0].message, HasSubstr("Expand"));
  EXPECT_THAT(findings[0].message, HasSubstr("contract"));
  EXPECT_FALSE(LintSql("DROP INDEX a;\n")[0].breaking);
}

TEST(Linter, ValidateInTheSameTransactionAsNotValidIsReported) {
  const std::string sql =
      "ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age >= 0) NOT VALID;\n"
      "ALTER TABLE users VALIDATE CONSTRAINT age_ok;\n";
  EXPECT_EQ(RulesOf(LintSql(sql)), std::vector<std::string>{"constraint-missing-not-valid"});
  EXPECT_TRUE(LintSql("ALTER TABLE users VALIDATE CONSTRAINT age_ok;\n").empty());
}

TEST(Linter, DefaultsRewriteOnlyWhenVolatileOrOnOldServers) {
  const std::string constant = "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;\n";
  EXPECT_TRUE(LintSql(constant).empty());
  LintOptions old_server;
  old_server.server_version = 100000;
  EXPECT_EQ(RulesOf(LintSql(constant, old_server)),
            std::vector<std::string>{"adding-field-with-default"});
  EXPECT_EQ(RulesOf(LintSql("ALTER TABLE users ADD COLUMN r float8 DEFAULT random();\n")),
            std::vector<std::string>{"adding-field-with-default"});
  EXPECT_TRUE(LintSql("ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();\n").empty());
  // Values computed per row rewrite the table on any server.
  EXPECT_THAT(RulesOf(LintSql("ALTER TABLE users ADD COLUMN n bigserial;\n")),
              ::testing::Contains("adding-field-with-default"));
  EXPECT_THAT(
      RulesOf(LintSql("ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;\n")),
      ::testing::Contains("adding-field-with-default"));
}

TEST(Linter, BulkUpdateAfterExclusiveLockInOneTransaction) {
  const std::string sql =
      "ALTER TABLE users ADD COLUMN plan text;\n"
      "UPDATE users SET plan = 'free';\n";
  EXPECT_EQ(RulesOf(LintSql(sql)), std::vector<std::string>{"ddl-with-bulk-update"});
  // Outside a transaction each statement's lock ends with it.
  EXPECT_THAT(RulesOf(LintSql(sql, {}, false)),
              ::testing::Not(::testing::Contains("ddl-with-bulk-update")));
  EXPECT_TRUE(LintSql("ALTER TABLE users ADD COLUMN plan text;\n"
                      "UPDATE users SET plan = 'free' WHERE id = 1;\n")
                  .empty());
}

TEST(Linter, LockTimeoutOffMakesDdlOnExistingTablesAFinding) {
  LintInput input;
  input.file = "V1__x.sql";
  input.sql = "ALTER TABLE users ADD COLUMN note text;\n";
  input.lock_timeout_set = false;
  EXPECT_EQ(RulesOf(Lint(input, {})), std::vector<std::string>{"require-timeout-settings"});
  input.sql = "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN note text;\n";
  EXPECT_TRUE(Lint(input, {}).empty());
}

}  // namespace
}  // namespace dbshift::lint

namespace dbshift::lint {
namespace {

TEST(Linter, TablesCreatedByEarlierScriptsOfTheSameRunAreNew) {
  std::set<std::string> new_tables;
  LintInput first;
  first.file = "V1__a.sql";
  first.sql = "CREATE TABLE a (id bigint);\n";
  first.new_tables = &new_tables;
  EXPECT_TRUE(Lint(first, {}).empty());
  EXPECT_TRUE(new_tables.contains("a"));

  LintInput second;
  second.file = "V2__b.sql";
  second.sql = "CREATE INDEX a_id ON a (id);\nCREATE INDEX b_id ON b (id);\n";
  second.new_tables = &new_tables;
  const std::vector<Finding> findings = Lint(second, {});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].line, 2) << "only the index on the existing table b";
  // Alone, the script knows nothing of V1.
  second.new_tables = nullptr;
  EXPECT_EQ(Lint(second, {}).size(), 2u);

  // A script that does not parse adds nothing, and takes nothing away.
  LintInput broken;
  broken.file = "V3__c.sql";
  broken.sql = "CREATE TABLE c (id bigint);\nCREATE TABLEX d;\n";
  broken.new_tables = &new_tables;
  ASSERT_EQ(Lint(broken, {}).size(), 1u);
  EXPECT_EQ(new_tables, (std::set<std::string>{"a"}));
}

}  // namespace
}  // namespace dbshift::lint
