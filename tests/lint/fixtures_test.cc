// Every rule against its two fixtures, tests/lint/fixtures/<id>/flagged.sql
// (the rule reports at least once) and ok.sql (the safe way: the rule stays
// silent), and its documentation page docs/lint/<id>.md.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dbshift/lint/linter.h"

namespace dbshift::lint {
namespace {

const std::filesystem::path kSourceDir = DBSHIFT_SOURCE_DIR;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lints a fixture the way dbshift lints a migration: its no-transaction
// directive decides whether it runs in a transaction.
std::vector<Finding> LintFixture(const std::filesystem::path& path) {
  const std::string sql = ReadFile(path);
  LintInput input;
  input.file = path.filename().string();
  input.sql = sql;
  input.in_transaction = sql.find("-- dbshift:no-transaction") == std::string::npos;
  return Lint(input, LintOptions{});
}

int Count(const std::vector<Finding>& findings, std::string_view rule) {
  int count = 0;
  for (const Finding& finding : findings) count += finding.rule == rule ? 1 : 0;
  return count;
}

std::string Describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) {
    text += finding.rule + " " + std::to_string(finding.line) + ":" +
            std::to_string(finding.column) + " " + finding.message + "\n";
  }
  return text;
}

}  // namespace

// gtest prints parameters; without this it would dump the struct's bytes.
void PrintTo(const Rule& rule, std::ostream* out) { *out << rule.id; }

namespace {

class RuleFixtures : public ::testing::TestWithParam<Rule> {};

TEST_P(RuleFixtures, FlagsTheUnsafeWayAndNotTheSafeOne) {
  const Rule& rule = GetParam();
  const std::filesystem::path folder = kSourceDir / "tests/lint/fixtures" / std::string(rule.id);
  ASSERT_TRUE(std::filesystem::exists(folder / "flagged.sql")) << folder;
  ASSERT_TRUE(std::filesystem::exists(folder / "ok.sql")) << folder;

  const std::vector<Finding> flagged = LintFixture(folder / "flagged.sql");
  EXPECT_GE(Count(flagged, rule.id), 1) << Describe(flagged);
  for (const Finding& finding : flagged) {
    EXPECT_GE(finding.line, 1);
    EXPECT_GE(finding.column, 1);
    EXPECT_FALSE(finding.message.empty());
  }
  const std::vector<Finding> ok = LintFixture(folder / "ok.sql");
  EXPECT_EQ(Count(ok, rule.id), 0) << Describe(ok);
  EXPECT_EQ(Count(ok, kSyntaxErrorRule), 0) << Describe(ok);
}

TEST_P(RuleFixtures, HasADocumentationPage) {
  const std::filesystem::path page =
      kSourceDir / "docs/lint" / (std::string(GetParam().id) + ".md");
  ASSERT_TRUE(std::filesystem::exists(page)) << page;
  EXPECT_NE(ReadFile(page).find("# " + std::string(GetParam().id)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllRules, RuleFixtures,
                         ::testing::ValuesIn(AllRules().begin(), AllRules().end()),
                         [](const ::testing::TestParamInfo<Rule>& rule_info) {
                           std::string name(rule_info.param.id);
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(Rules, AreAtLeastTwentyFiveInIdOrderWithSummaries) {
  ASSERT_GE(AllRules().size(), 25u);
  std::string_view previous;
  for (const Rule& rule : AllRules()) {
    EXPECT_LT(previous, rule.id) << "kRules must stay sorted for FindRule";
    EXPECT_FALSE(rule.summary.empty()) << rule.id;
    EXPECT_EQ(FindRule(rule.id), &rule);
    previous = rule.id;
  }
  EXPECT_EQ(FindRule("no-such-rule"), nullptr);
}

}  // namespace
}  // namespace dbshift::lint
