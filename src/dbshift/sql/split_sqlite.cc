// Splits as the sqlite3 shell does: a ';' ends a statement only where
// sqlite3_complete() agrees, which keeps CREATE TRIGGER ... BEGIN ...; END;
// whole. A cheap scan finds the candidate ';' outside quotes and comments so
// that sqlite3_complete() runs once per candidate, not per character.

#include <string>
#include <string_view>

#include <sqlite3.h>

#include "dbshift/sql/split_internal.h"

namespace dbshift::internal {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

// Offset after the comment or quoted token at `pos`, or `pos` when none
// starts there.
std::size_t SkipQuoteOrComment(std::string_view s, std::size_t pos) {
  const char c = s[pos];
  const char next = pos + 1 < s.size() ? s[pos + 1] : '\0';
  if (c == '-' && next == '-') {
    const std::size_t eol = s.find('\n', pos + 2);
    return eol == kNone ? s.size() : eol + 1;
  }
  if (c == '/' && next == '*') {
    // SQLite comments do not nest.
    const std::size_t close = s.find("*/", pos + 2);
    return close == kNone ? s.size() : close + 2;
  }
  if (c == '[') {
    const std::size_t close = s.find(']', pos + 1);
    return close == kNone ? s.size() : close + 1;
  }
  if (c == '\'' || c == '"' || c == '`') {
    std::size_t from = pos + 1;
    for (;;) {
      const std::size_t close = s.find(c, from);
      if (close == kNone) return s.size();
      if (close + 1 < s.size() && s[close + 1] == c) {
        from = close + 2;
        continue;
      }
      return close + 1;
    }
  }
  return pos;
}

// The first character of a token in s[from, to), or kNone when there are
// only whitespace and comments.
std::size_t FirstToken(std::string_view s, std::size_t from, std::size_t to) {
  std::size_t pos = from;
  while (pos < to) {
    if (IsSqlSpace(s[pos])) {
      ++pos;
      continue;
    }
    const bool comment = (s[pos] == '-' || s[pos] == '/') && SkipQuoteOrComment(s, pos) != pos;
    if (!comment) return pos;
    pos = SkipQuoteOrComment(s, pos);
  }
  return kNone;
}

}  // namespace

std::vector<Statement> SplitSqlite(std::string_view script) {
  StatementCollector out(script);
  std::string candidate;  // reused: sqlite3_complete() needs NUL termination
  std::size_t begin = 0;  // after the previous statement's ';'
  std::size_t pos = 0;
  while (pos < script.size()) {
    const std::size_t skipped = SkipQuoteOrComment(script, pos);
    if (skipped != pos) {
      pos = skipped;
      continue;
    }
    if (script[pos] != ';') {
      ++pos;
      continue;
    }
    candidate.assign(script.substr(begin, pos + 1 - begin));
    ++pos;
    if (sqlite3_complete(candidate.c_str()) == 0) continue;
    const std::size_t first = FirstToken(script, begin, pos - 1);
    if (first != kNone) out.Add(first, pos - 1);
    begin = pos;
  }
  const std::size_t first = FirstToken(script, begin, script.size());
  if (first != kNone) out.Add(first, script.size());
  return out.Take();
}

}  // namespace dbshift::internal
