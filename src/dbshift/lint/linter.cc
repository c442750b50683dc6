#include "dbshift/lint/linter.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "dbshift/common/text.h"
#include "dbshift/lint/facts.h"
#include "dbshift/lint/parse_tree.h"
#include "dbshift/sql/statement.h"

namespace dbshift::lint {
namespace {

// Line and column of byte offsets in one script.
class Positions {
 public:
  explicit Positions(std::string_view sql) : sql_(sql) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < sql.size(); ++i) {
      if (sql[i] == '\n') line_starts_.push_back(i + 1);
    }
  }
  void At(std::size_t offset, int& line, int& column) const {
    const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const std::size_t start = *(next - 1);
    line = static_cast<int>(next - line_starts_.begin());
    column = 1;
    for (std::size_t i = start; i < offset && i < sql_.size(); ++i) {
      // Count code points: skip UTF-8 continuation bytes.
      if ((static_cast<unsigned char>(sql_[i]) & 0xC0) != 0x80) ++column;
    }
  }

 private:
  std::string_view sql_;
  std::vector<std::size_t> line_starts_;
};

// The script with the data lines of COPY ... FROM STDIN (and their "\."
// line) blanked, byte for byte and newlines kept, so PostgreSQL's grammar
// reads only SQL and offsets stay those of the file.
std::string BlankCopyData(std::string_view sql) {
  std::string text(sql);
  for (const Statement& statement : SplitStatements(sql, Dialect::kPostgres)) {
    if (!statement.copy_from_stdin) continue;
    const std::size_t after = statement.offset + statement.text.size();
    std::size_t start = statement.copy_data.empty() ? text.find('\n', after)
                                                    : text.find(statement.copy_data, after);
    if (start == std::string::npos) continue;
    if (statement.copy_data.empty()) ++start;
    std::size_t end = start + statement.copy_data.size();
    // The terminating "\." line.
    if (text.compare(end, 2, "\\.") == 0) end += 2;
    for (std::size_t i = start; i < end; ++i) {
      if (text[i] != '\n') text[i] = ' ';
    }
  }
  return text;
}

// Rules named by `-- dbshift:allow a, b` lines in the comments before a statement.
std::vector<std::string> AllowedBefore(std::string_view leading) {
  std::vector<std::string> allowed;
  constexpr std::string_view kMarker = "dbshift:allow";
  for (std::size_t at = leading.find(kMarker); at != std::string_view::npos;
       at = leading.find(kMarker, at + 1)) {
    std::size_t end = leading.find('\n', at);
    if (end == std::string_view::npos) end = leading.size();
    std::string_view list = leading.substr(at + kMarker.size(), end - at - kMarker.size());
    while (!list.empty()) {
      const std::size_t start = list.find_first_not_of(" \t,\r");
      if (start == std::string_view::npos) break;
      list.remove_prefix(start);
      const std::size_t stop = std::min(list.find_first_of(" \t,\r"), list.size());
      allowed.emplace_back(list.substr(0, stop));
      list.remove_prefix(stop);
    }
  }
  return allowed;
}

bool Contains(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

class Collector final : public Reporter {
 public:
  Collector(std::vector<Finding>& findings, Finding prototype)
      : findings_(findings), prototype_(std::move(prototype)) {}
  void Report(std::string message, bool breaking) override {
    Finding finding = prototype_;
    finding.message = std::move(message);
    finding.breaking = breaking;
    findings_.push_back(std::move(finding));
  }

 private:
  std::vector<Finding>& findings_;
  Finding prototype_;
};

}  // namespace

int ServerVersionNumber(std::string_view text) {
  int major = 0;
  int minor = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%d.%d", &major, &minor) < 1 || major <= 0) return 150000;
  // From PostgreSQL 10 on the second number is the minor release.
  return major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100;
}

std::vector<Finding> Lint(const LintInput& input, const LintOptions& options) {
  std::vector<Finding> findings;
  std::string blanked;
  std::string_view sql = input.sql;
  if (ContainsIgnoringCase(sql, "stdin")) {
    blanked = BlankCopyData(sql);
    sql = blanked;
  }
  const Positions positions(sql);
  const ParseTree tree = ParseTree::Parse(sql);
  if (const SyntaxProblem* problem = tree.problem()) {
    Finding finding;
    finding.rule = std::string(kSyntaxErrorRule);
    finding.severity = Severity::kError;
    finding.file = input.file;
    positions.At(problem->offset, finding.line, finding.column);
    finding.message = problem->message;
    findings.push_back(std::move(finding));
    return findings;
  }

  // The rules in force for this script, each with its severity.
  struct Active {
    const Rule* rule;
    Severity severity;
  };
  std::vector<Active> active;
  for (const Rule& rule : AllRules()) {
    Severity severity = rule.severity;
    if (auto it = options.severities.find(rule.id); it != options.severities.end()) {
      severity = it->second;
    }
    if (severity == Severity::kOff || Contains(input.allowed, rule.id)) continue;
    active.push_back({&rule, severity});
  }

  ScriptFacts facts;
  facts.in_transaction = input.in_transaction;
  facts.server_version = options.server_version;
  facts.lock_timeout_set = input.lock_timeout_set;
  if (input.new_tables != nullptr) facts.created_tables = *input.new_tables;
  for (const ParsedStatement& statement : tree.statements()) {
    Finding prototype;
    prototype.file = input.file;
    positions.At(statement.offset, prototype.line, prototype.column);
    const std::vector<std::string> allowed_here = AllowedBefore(
        sql.substr(statement.leading_offset, statement.offset - statement.leading_offset));
    for (const Active& entry : active) {
      if (Contains(allowed_here, entry.rule->id)) continue;
      prototype.rule = std::string(entry.rule->id);
      prototype.severity = entry.severity;
      Collector collector(findings, prototype);
      entry.rule->check(*statement.node, facts, collector);
    }
    Observe(*statement.node, facts);
  }
  if (input.new_tables != nullptr) *input.new_tables = std::move(facts.created_tables);
  return findings;
}

}  // namespace dbshift::lint
