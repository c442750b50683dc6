// A splitter with the mysql client's rules (client/mysql.cc): its quoting,
// its comments, and its DELIMITER command, which procedure, function and
// trigger bodies need so that the ';' inside them does not end the statement.

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

// "/*!" and MariaDB's "/*M!" open executable comments: SQL the server runs
// (mysqldump writes "/*!40101 SET NAMES utf8 */;"), so they are statement
// text, not comments.
bool IsExecutableComment(std::string_view s, std::size_t pos) {
  const std::string_view rest = s.substr(pos);
  return rest.starts_with("/*!") || rest.starts_with("/*M!");
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool StartsWithKeyword(std::string_view s, std::size_t pos, std::string_view lower_word) {
  if (s.size() - pos < lower_word.size()) return false;
  for (std::size_t i = 0; i < lower_word.size(); ++i) {
    const char c = s[pos + i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != lower_word[i]) return false;
  }
  return true;
}

// The client command "DELIMITER <token>" or "\d <token>" at `pos`: stores the
// token in `delimiter` and returns where the next line starts, as the client
// takes the whole line as the command. Returns kNone when there is none, and
// then the text is SQL for the server to judge. Like the client, refuses a
// missing token or one holding a backslash.
std::size_t ReadDelimiterCommand(std::string_view s, std::size_t pos, std::string_view& delimiter) {
  std::size_t i;
  if (s.substr(pos).starts_with("\\d")) {
    i = pos + 2;
  } else if (StartsWithKeyword(s, pos, "delimiter") && pos + 9 < s.size() && IsBlank(s[pos + 9])) {
    i = pos + 9;
  } else {
    return kNone;
  }
  while (i < s.size() && IsBlank(s[i])) ++i;
  std::size_t end = i;
  while (end < s.size() && !IsSqlSpace(s[end])) ++end;
  const std::string_view token = s.substr(i, end - i);
  if (token.empty() || token.find('\\') != kNone) return kNone;
  delimiter = token;
  const std::size_t eol = s.find('\n', end);
  return eol == kNone ? s.size() : eol + 1;
}

}  // namespace

std::vector<Statement> SplitMysql(std::string_view script) {
  StatementCollector out(script);
  std::string_view delimiter = ";";
  std::size_t start = kNone;
  bool in_executable_comment = false;
  std::size_t pos = 0;
  while (pos < script.size()) {
    if (start == kNone) {
      const std::size_t next_line = ReadDelimiterCommand(script, pos, delimiter);
      if (next_line != kNone) {
        pos = next_line;
        continue;
      }
    }
    const char c = script[pos];
    if (IsSqlSpace(c)) {
      ++pos;
    } else if (!in_executable_comment && c == delimiter[0] &&
               script.substr(pos, delimiter.size()) == delimiter) {
      // The client looks for the delimiter before comments, so it wins even
      // when it is, say, "#".
      if (start != kNone) out.Add(start, pos);
      start = kNone;
      pos += delimiter.size();
    } else if (in_executable_comment && script.substr(pos).starts_with("*/")) {
      in_executable_comment = false;
      pos += 2;
    } else if (c == '#' || IsDashComment(script, pos)) {
      const std::size_t eol = script.find('\n', pos);
      pos = eol == kNone ? script.size() : eol;
    } else if (script.substr(pos).starts_with("/*") && !IsExecutableComment(script, pos)) {
      const std::size_t close = script.find("*/", pos + 2);
      pos = close == kNone ? script.size() : close + 2;
    } else {
      if (start == kNone) start = pos;
      if (IsExecutableComment(script, pos)) {
        // Quotes and comments inside still count; only its "*/" ends it.
        in_executable_comment = true;
        pos += 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        pos = SkipQuoted(script, pos + 1, c);
      } else {
        ++pos;
      }
    }
  }
  if (start != kNone) out.Add(start, script.size());
  return out.Take();
}

}  // namespace dbshift::internal
