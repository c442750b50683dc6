#include "dbshift/lint/linter.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <span>
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

// Turns a rule's reports into findings at one statement. Most rules report
// nothing on most statements, so a finding is built only when one does.
class Collector final : public Reporter {
 public:
  Collector(std::vector<Finding>& findings, const std::string& file, int line, int column)
      : findings_(findings), file_(file), line_(line), column_(column) {}
  void Aim(std::string_view rule, Severity severity) {
    rule_ = rule;
    severity_ = severity;
  }
  void Report(std::string message, bool breaking) override {
    Finding& finding = findings_.emplace_back();
    finding.rule = std::string(rule_);
    finding.severity = severity_;
    finding.file = file_;
    finding.line = line_;
    finding.column = column_;
    finding.message = std::move(message);
    finding.breaking = breaking;
  }

 private:
  std::vector<Finding>& findings_;
  const std::string& file_;
  int line_;
  int column_;
  std::string_view rule_;
  Severity severity_ = Severity::kError;
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

namespace {

// The state of one script's lint as its statements go by in order.
class ScriptLint {
 public:
  ScriptLint(const LintInput& input, const LintOptions& options, std::string_view sql)
      : input_(input), sql_(sql), positions_(sql) {
    for (const Rule& rule : AllRules()) {
      Severity severity = rule.severity;
      if (auto it = options.severities.find(rule.id); it != options.severities.end()) {
        severity = it->second;
      }
      if (severity == Severity::kOff || Contains(input.allowed, rule.id)) continue;
      active_.push_back({&rule, severity});
    }
    facts_.in_transaction = input.in_transaction;
    facts_.server_version = options.server_version;
    facts_.lock_timeout_set = input.lock_timeout_set;
    facts_.created_tables = CreatedTables(input.new_tables);
  }

  void Check(std::span<const ParsedStatement> statements) {
    for (const ParsedStatement& statement : statements) {
      int line = 0;
      int column = 0;
      positions_.At(statement.offset, line, column);
      const std::vector<std::string> allowed_here = AllowedBefore(
          sql_.substr(statement.leading_offset, statement.offset - statement.leading_offset));
      Collector collector(findings_, input_.file, line, column);
      for (const Active& entry : active_) {
        if (Contains(allowed_here, entry.rule->id)) continue;
        collector.Aim(entry.rule->id, entry.severity);
        entry.rule->check(*statement.node, facts_, collector);
      }
      Observe(*statement.node, facts_);
    }
  }

  // The script does not parse: one finding where the grammar stopped.
  std::vector<Finding> SyntaxError(const SyntaxProblem& problem) const {
    Finding finding;
    finding.rule = std::string(kSyntaxErrorRule);
    finding.severity = Severity::kError;
    finding.file = input_.file;
    positions_.At(problem.offset, finding.line, finding.column);
    finding.message = problem.message;
    return {std::move(finding)};
  }

  std::vector<Finding> Finish() {
    if (input_.new_tables != nullptr) facts_.created_tables.MoveInto(*input_.new_tables);
    return std::move(findings_);
  }

 private:
  struct Active {
    const Rule* rule;
    Severity severity;
  };
  const LintInput& input_;
  std::string_view sql_;
  const Positions positions_;
  std::vector<Active> active_;
  ScriptFacts facts_;
  std::vector<Finding> findings_;
};

// The lint of the script parsed in one piece: the path for scripts whose
// parts did not all parse.
std::vector<Finding> LintWhole(const LintInput& input, const LintOptions& options,
                               std::string_view sql) {
  ScriptLint lint(input, options, sql);
  const ParseTree tree = ParseTree::ParseWhole(sql);
  if (const SyntaxProblem* problem = tree.problem()) return lint.SyntaxError(*problem);
  lint.Check(tree.statements());
  return lint.Finish();
}

}  // namespace

std::vector<Finding> Lint(const LintInput& input, const LintOptions& options) {
  std::string blanked;
  std::string_view sql = input.sql;
  if (ContainsIgnoringCase(sql, "stdin")) {
    blanked = BlankCopyData(sql);
    sql = blanked;
  }
  // The rules read each part while the later ones are still being parsed.
  ScriptParts parts(sql);
  ScriptLint lint(input, options, sql);
  std::optional<std::size_t> previous_end;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ParseTree part = parts.Take(i);
    if (const SyntaxProblem* problem = part.problem()) {
      if (parts.size() == 1) return lint.SyntaxError(*problem);
      return LintWhole(input, options, sql);
    }
    if (previous_end) part.ContinueAfter(*previous_end, sql);
    lint.Check(part.statements());
    if (!part.statements().empty()) {
      const ParsedStatement& last = part.statements().back();
      previous_end = last.offset + last.length;
    }
  }
  return lint.Finish();
}

}  // namespace dbshift::lint
