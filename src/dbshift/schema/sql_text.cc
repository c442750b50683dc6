// SQL text that an engine keeps as the user wrote it (SQLite's
// sqlite_schema.sql): one spelling for the same statement, so that the same
// migration gives the same definition whatever its line breaks and comments.

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/text.h"
#include "dbshift/schema/internal.h"

namespace dbshift::schema::internal {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end of a quoted token that begins at `at` when the closing quote is
// `close`; a doubled closing quote stands for itself inside. The end of the
// text when it never closes.
std::size_t QuotedEnd(std::string_view sql, std::size_t at, char close) {
  for (std::size_t i = at + 1; i < sql.size(); ++i) {
    if (sql[i] != close) continue;
    if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return sql.size();
}

// PostgreSQL's $tag$...$tag$ at `at`, or `at` when none begins there.
std::size_t DollarQuotedEnd(std::string_view sql, std::size_t at) {
  if (at > 0 && IsIdentifierChar(sql[at - 1])) return at;  // part of a name: a$b
  std::size_t tag_end = at + 1;
  while (tag_end < sql.size() && sql[tag_end] != '$') {
    const char c = sql[tag_end];
    const bool first = tag_end == at + 1;
    if (!(std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
          (!first && std::isdigit(static_cast<unsigned char>(c)) != 0))) {
      return at;  // $1, or not a tag
    }
    ++tag_end;
  }
  if (tag_end >= sql.size()) return at;
  const std::string_view tag = sql.substr(at, tag_end - at + 1);
  const std::size_t close = sql.find(tag, tag_end + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

// The end of the quoted token that begins at `at`, or `at` when none does.
std::size_t SkipQuoted(std::string_view sql, std::size_t at, bool dollar_quotes) {
  switch (sql[at]) {
    case '\'':
      return QuotedEnd(sql, at, '\'');
    case '"':
      return QuotedEnd(sql, at, '"');
    case '`':
      return QuotedEnd(sql, at, '`');
    case '[':  // SQLite's [identifier]; an array subscript in PostgreSQL
      return dollar_quotes ? at : QuotedEnd(sql, at, ']');
    case '$':
      return dollar_quotes ? DollarQuotedEnd(sql, at) : at;
    default:
      return at;
  }
}

// The end of the comment that begins at `at`, or `at` when none does.
std::size_t SkipComment(std::string_view sql, std::size_t at) {
  if (sql.substr(at, 2) == "--") {
    const std::size_t newline = sql.find('\n', at);
    return newline == std::string_view::npos ? sql.size() : newline;
  }
  if (sql.substr(at, 2) != "/*") return at;
  int depth = 0;  // PostgreSQL nests block comments
  for (std::size_t i = at; i + 1 < sql.size(); ++i) {
    if (sql.substr(i, 2) == "/*") {
      ++depth;
      ++i;
    } else if (sql.substr(i, 2) == "*/") {
      ++i;
      if (--depth == 0) return i + 1;
    }
  }
  return sql.size();
}

// The end of the parenthesised text that opens at `open`.
std::size_t ParenthesisedEnd(std::string_view sql, std::size_t open) {
  int depth = 0;
  std::size_t i = open;
  while (i < sql.size()) {
    const std::size_t skipped = SkipQuoted(sql, i, false);
    if (skipped != i) {
      i = skipped;
      continue;
    }
    if (sql[i] == '(') ++depth;
    if (sql[i] == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return sql.size();
}

// Where the next '(' outside quoted text is, from `from`; npos when none.
std::size_t NextParenthesis(std::string_view sql, std::size_t from) {
  std::size_t i = from;
  while (i < sql.size()) {
    const std::size_t skipped = SkipQuoted(sql, i, false);
    if (skipped != i) {
      i = skipped;
    } else if (sql[i] == '(') {
      return i;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string NormalizeSqlText(std::string_view sql, bool dollar_quotes) {
  std::string out;
  out.reserve(sql.size());
  bool space_pending = false;
  std::size_t i = 0;
  while (i < sql.size()) {
    const std::size_t comment_end = SkipComment(sql, i);
    if (comment_end != i || IsSpace(sql[i])) {
      space_pending = true;
      i = comment_end != i ? comment_end : i + 1;
      continue;
    }
    if (space_pending && !out.empty()) out += ' ';
    space_pending = false;
    const std::size_t quoted_end = SkipQuoted(sql, i, dollar_quotes);
    const std::size_t end = quoted_end != i ? quoted_end : i + 1;
    out.append(sql.substr(i, end - i));
    i = end;
  }
  return out;
}

std::vector<std::string> CheckClauses(std::string_view sql) {
  std::vector<std::string> clauses;
  std::size_t i = 0;
  while (i < sql.size()) {
    const std::size_t quoted_end = SkipQuoted(sql, i, false);
    if (quoted_end != i) {
      i = quoted_end;
      continue;
    }
    const bool word_starts = i == 0 || !IsIdentifierChar(sql[i - 1]);
    if (!word_starts || AsciiLower(sql.substr(i, 5)) != "check" ||
        (i + 5 < sql.size() && IsIdentifierChar(sql[i + 5]))) {
      ++i;
      continue;
    }
    std::size_t open = i + 5;
    while (open < sql.size() && IsSpace(sql[open])) ++open;
    if (open >= sql.size() || sql[open] != '(') {
      i = open;
      continue;
    }
    const std::size_t end = ParenthesisedEnd(sql, open);
    clauses.push_back("CHECK " + std::string(sql.substr(open, end - open)));
    i = end;
  }
  return clauses;
}

std::string TextAfterColumnList(std::string_view sql) {
  const std::size_t open = NextParenthesis(sql, 0);
  if (open == std::string_view::npos) return "";
  std::string_view rest = sql.substr(ParenthesisedEnd(sql, open));
  while (!rest.empty() && (IsSpace(rest.front()) || rest.front() == ';')) rest.remove_prefix(1);
  while (!rest.empty() && (IsSpace(rest.back()) || rest.back() == ';')) rest.remove_suffix(1);
  return std::string(rest);
}

}  // namespace dbshift::schema::internal
