// The lint's JSON, written directly for speed, must be the document
// LintJson builds, byte for byte.

#include "dbshift/cli/lint_report.h"

#include <gtest/gtest.h>

namespace dbshift::cli {
namespace {

lint::Finding MakeFinding(std::string message, std::string file, bool breaking) {
  lint::Finding finding;
  finding.rule = "renaming-column";
  finding.severity = breaking ? lint::Severity::kError : lint::Severity::kWarning;
  finding.file = std::move(file);
  finding.line = 12;
  finding.column = 3;
  finding.message = std::move(message);
  finding.breaking = breaking;
  return finding;
}

TEST(LintJsonText, IsTheDocumentLintJsonBuilds) {
  const std::vector<lint::Finding> findings = {
      MakeFinding("plain", "migrations/V1__a.sql", false),
      MakeFinding("quote \" backslash \\ newline \n tab \t cr \r bell \x07 nul-free \x1f",
                  "dir with space/V2__ü.sql", true),
      MakeFinding("UTF-8: é 日本語 𝄞 €", "V3.sql", false),
  };
  EXPECT_EQ(LintJsonText(findings, 3), LintJson(findings, 3).dump(2));
  EXPECT_EQ(LintJsonText({}, 0), LintJson({}, 0).dump(2));
}

TEST(LintJsonText, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  const std::vector<lint::Finding> findings = {
      MakeFinding("latin-1 \xE9t\xE9, cut \xE6\x97, overlong \xC0\xAF, surrogate \xED\xA0\x80",
                  "V1.sql", false)};
  const nlohmann::json parsed = nlohmann::json::parse(LintJsonText(findings, 1));
  EXPECT_EQ(parsed["findings"][0]["message"],
            "latin-1 \uFFFDt\uFFFD, cut \uFFFD\uFFFD, overlong \uFFFD\uFFFD, surrogate "
            "\uFFFD\uFFFD\uFFFD");
}

}  // namespace
}  // namespace dbshift::cli
