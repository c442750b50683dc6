#include "dbshift/cli/lint_report.h"

#include <fmt/format.h>

namespace dbshift::cli {
namespace {

const char* SarifLevel(lint::Severity severity) {
  return severity == lint::Severity::kError ? "error" : "warning";
}

int CountOf(const std::vector<lint::Finding>& findings, lint::Severity severity) {
  int count = 0;
  for (const lint::Finding& finding : findings) count += finding.severity == severity ? 1 : 0;
  return count;
}

}  // namespace

nlohmann::json FindingJson(const lint::Finding& finding) {
  return {{"rule", finding.rule},        {"severity", lint::SeverityName(finding.severity)},
          {"file", finding.file},        {"line", finding.line},
          {"column", finding.column},    {"message", finding.message},
          {"breaking", finding.breaking}};
}

nlohmann::json LintJson(const std::vector<lint::Finding>& findings, std::size_t files) {
  nlohmann::json list = nlohmann::json::array();
  for (const lint::Finding& finding : findings) list.push_back(FindingJson(finding));
  return {{"findings", std::move(list)}, {"files", files}};
}

nlohmann::json LintSarif(const std::vector<lint::Finding>& findings, const std::string& version) {
  nlohmann::json rules = nlohmann::json::array();
  for (const lint::Rule& rule : lint::AllRules()) {
    rules.push_back({{"id", std::string(rule.id)},
                     {"shortDescription", {{"text", std::string(rule.summary)}}},
                     {"help", {{"text", fmt::format("docs/lint/{}.md", rule.id)}}},
                     {"defaultConfiguration", {{"level", SarifLevel(rule.severity)}}}});
  }
  rules.push_back({{"id", std::string(lint::kSyntaxErrorRule)},
                   {"shortDescription", {{"text", "PostgreSQL's grammar rejects the script"}}},
                   {"defaultConfiguration", {{"level", "error"}}}});
  nlohmann::json results = nlohmann::json::array();
  for (const lint::Finding& finding : findings) {
    nlohmann::json result = {
        {"ruleId", finding.rule},
        {"level", SarifLevel(finding.severity)},
        {"message", {{"text", finding.message}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", finding.file}}},
             {"region", {{"startLine", finding.line}, {"startColumn", finding.column}}}}}}}}};
    if (finding.breaking) result["properties"] = {{"breaking", true}};
    results.push_back(std::move(result));
  }
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver", {{"name", "dbshift"}, {"version", version}, {"rules", std::move(rules)}}}}},
         {"columnKind", "unicodeCodePoints"},
         {"results", std::move(results)}}}}};
}

std::string LintText(const std::vector<lint::Finding>& findings, std::size_t files) {
  std::string text;
  for (const lint::Finding& finding : findings) {
    text += fmt::format("{}:{}:{}: {} [{}]{} {}\n", finding.file, finding.line, finding.column,
                        lint::SeverityName(finding.severity), finding.rule,
                        finding.breaking ? " (breaking)" : "", finding.message);
  }
  const int errors = CountOf(findings, lint::Severity::kError);
  const int warnings = CountOf(findings, lint::Severity::kWarning);
  if (findings.empty()) {
    text += fmt::format("No findings in {} file{}.\n", files, files == 1 ? "" : "s");
  } else {
    text += fmt::format("{} error{}, {} warning{} in {} file{}.\n", errors, errors == 1 ? "" : "s",
                        warnings, warnings == 1 ? "" : "s", files, files == 1 ? "" : "s");
  }
  return text;
}

}  // namespace dbshift::cli
