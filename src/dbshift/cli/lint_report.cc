#include "dbshift/cli/lint_report.h"

#include <charconv>
#include <iterator>
#include <string_view>

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

// The length of the well-formed UTF-8 sequence that starts at text[at] (a
// byte of 0x80 or more), or 0 when it is not one: overlong forms,
// surrogates and code points above U+10FFFF are not.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned char low = 0x80;  // bounds of the second byte
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// Appends `text` as a JSON string the way nlohmann's dump writes it: `"`,
// `\\` and control characters escaped, other UTF-8 as it is.
void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Printable ASCII other than '"' and '\\' goes out as it is, a run at a time.
    std::size_t run = i;
    while (run < text.size() && static_cast<unsigned char>(text[run]) >= 0x20 &&
           static_cast<unsigned char>(text[run]) < 0x80 && text[run] != '"' && text[run] != '\\') {
      ++run;
    }
    if (run > i) {
      out.append(text.substr(i, run - i));
      i = run - 1;
      continue;
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (byte < 0x20) {
      out += fmt::format("\\u{:04x}", byte);
    } else if (byte < 0x80) {
      out += static_cast<char>(byte);
    } else {
      const std::size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
      } else {
        out.append(text.substr(i, length));
        i += length - 1;
      }
    }
  }
  out += '"';
}

void AppendNumber(std::string& out, int number) {
  char digits[16];
  const auto [end, error] = std::to_chars(std::begin(digits), std::end(digits), number);
  out.append(digits, end);
}

}  // namespace

std::string LintJsonText(const std::vector<lint::Finding>& findings, std::size_t files) {
  std::string out = fmt::format("{{\n  \"files\": {},\n  \"findings\": ", files);
  if (findings.empty()) {
    out += "[]\n}";
    return out;
  }
  out.reserve(out.size() + findings.size() * 400);
  out += "[\n";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const lint::Finding& finding = findings[i];
    // Appended piece by piece: formatting each finding into a string of its
    // own cost as much as the rest of the report.
    out += finding.breaking ? "    {\n      \"breaking\": true,\n      \"column\": "
                            : "    {\n      \"breaking\": false,\n      \"column\": ";
    AppendNumber(out, finding.column);
    out += ",\n      \"file\": ";
    AppendJsonString(out, finding.file);
    out += ",\n      \"line\": ";
    AppendNumber(out, finding.line);
    out += ",\n      \"message\": ";
    AppendJsonString(out, finding.message);
    out += ",\n      \"rule\": ";
    AppendJsonString(out, finding.rule);
    out += ",\n      \"severity\": ";
    AppendJsonString(out, lint::SeverityName(finding.severity));
    out += i + 1 < findings.size() ? "\n    },\n" : "\n    }\n";
  }
  out += "  ]\n}";
  return out;
}

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
