// A simple splitter with the mysql client's quoting rules. The client's
// DELIMITER command (for procedure bodies) is not supported yet.

#include <string_view>

#include "dbshift/sql/split_internal.h"

namespace dbshift::internal {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

// MySQL strings take backslash escapes and doubled quotes; identifiers in
// backticks take doubled backticks only.
std::size_t SkipQuoted(std::string_view s, std::size_t from, char quote) {
  const bool backslash = quote != '`';
  for (std::size_t i = from; i < s.size(); ++i) {
    if (backslash && s[i] == '\\') {
      ++i;
    } else if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return s.size();
}

// "--" starts a comment only when followed by whitespace or a control
// character (or the end), so "1--1" is arithmetic.
bool IsDashComment(std::string_view s, std::size_t pos) {
  if (s[pos] != '-' || pos + 1 >= s.size() || s[pos + 1] != '-') return false;
  return pos + 2 >= s.size() || static_cast<unsigned char>(s[pos + 2]) <= ' ';
}

}  // namespace

std::vector<Statement> SplitMysql(std::string_view script) {
  StatementCollector out(script);
  std::size_t start = kNone;
  std::size_t pos = 0;
  while (pos < script.size()) {
    const char c = script[pos];
    if (IsSqlSpace(c)) {
      ++pos;
    } else if (c == '#' || IsDashComment(script, pos)) {
      const std::size_t eol = script.find('\n', pos);
      pos = eol == kNone ? script.size() : eol;
    } else if (c == '/' && pos + 1 < script.size() && script[pos + 1] == '*') {
      const std::size_t close = script.find("*/", pos + 2);
      pos = close == kNone ? script.size() : close + 2;
    } else if (c == ';') {
      if (start != kNone) out.Add(start, pos);
      start = kNone;
      ++pos;
    } else {
      if (start == kNone) start = pos;
      pos = (c == '\'' || c == '"' || c == '`') ? SkipQuoted(script, pos + 1, c) : pos + 1;
    }
  }
  if (start != kNone) out.Add(start, script.size());
  return out.Take();
}

}  // namespace dbshift::internal
