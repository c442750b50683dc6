// A single-pass lexer with psql's splitting rules (src/bin/psql/psqlscan.l).
// libpg_query's splitters cannot be used: they do not know that the lines
// after `COPY ... FROM STDIN;` are data, not SQL.

#include <cstring>
#include <string_view>

#include "dbshift/sql/split_internal.h"

namespace dbshift::internal {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// '$' continues an identifier ("a$b"), so a '$' inside one never opens a
// dollar quote.
bool IsIdentCont(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }

bool IsDollarTagChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `lower_word` must be lower case.
bool WordIs(std::string_view word, std::string_view lower_word) {
  if (word.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (ToLower(word[i]) != lower_word[i]) return false;
  }
  return true;
}

class PostgresSplitter {
 public:
  PostgresSplitter(std::string_view script, bool keep_text) : s_(script), out_(script, keep_text) {}

  std::vector<Statement> Split() {
    while (pos_ < s_.size()) Step();
    if (start_ != kNone) {
      // psql sends an unterminated last statement at end of input; a COPY
      // there reads no data.
      Statement* statement = out_.Add(start_, s_.size());
      if (statement != nullptr) statement->copy_from_stdin = copy_from_stdin_;
    }
    return out_.Take();
  }

 private:
  void Step() {
    const char c = s_[pos_];
    const char next = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
    if (IsSqlSpace(c)) {
      ++pos_;
    } else if (c == '-' && next == '-') {
      const std::size_t eol = s_.find('\n', pos_ + 2);
      pos_ = eol == kNone ? s_.size() : eol;
    } else if (c == '/' && next == '*') {
      SkipBlockComment();
    } else if (c == ';') {
      Semicolon();
    } else if (IsIdentStart(c)) {
      Word();
    } else {
      OtherToken(c, next);
    }
  }

  void BeginToken() {
    if (start_ == kNone) start_ = pos_;
  }

  void OtherToken(char c, char next) {
    BeginToken();
    after_copy_from_ = false;
    switch (c) {
      case '\'':
        pos_ = SkipQuoted(pos_ + 1, '\'');
        break;
      case '"':
        pos_ = SkipQuoted(pos_ + 1, '"');
        break;
      case '$':
        Dollar(next);
        break;
      case '(':
        ++paren_depth_;
        ++pos_;
        break;
      case ')':
        if (paren_depth_ > 0) --paren_depth_;
        ++pos_;
        break;
      default:
        if (IsDigit(c)) {
          // A number and whatever letters are glued to it ("1.5", "1e5",
          // "0x1F"): none of it opens a quote. A '$' right after the digits
          // does, as in psql ("1$$;$$" is 1 and a dollar quote).
          while (pos_ < s_.size() && (IsDigit(s_[pos_]) || s_[pos_] == '.')) ++pos_;
          if (pos_ < s_.size() && IsIdentStart(s_[pos_])) {
            while (pos_ < s_.size() && IsIdentCont(s_[pos_])) ++pos_;
          }
        } else {
          ++pos_;
        }
        break;
    }
  }

  // Returns the offset after the closing quote; a doubled quote is part of
  // the text. Unterminated: the end of the script.
  std::size_t SkipQuoted(std::size_t from, char quote) const {
    for (;;) {
      const std::size_t close = s_.find(quote, from);
      if (close == kNone) return s_.size();
      if (close + 1 < s_.size() && s_[close + 1] == quote) {
        from = close + 2;
        continue;
      }
      return close + 1;
    }
  }

  // E'...': a backslash escapes the next character, '' is a quote too.
  std::size_t SkipEscapeString(std::size_t from) const {
    for (std::size_t i = from; i < s_.size(); ++i) {
      if (s_[i] == '\\') {
        ++i;
      } else if (s_[i] == '\'') {
        if (i + 1 < s_.size() && s_[i + 1] == '\'') {
          ++i;
        } else {
          return i + 1;
        }
      }
    }
    return s_.size();
  }

  void SkipBlockComment() {
    // PostgreSQL block comments nest.
    int depth = 1;
    std::size_t i = pos_ + 2;
    while (i < s_.size() && depth > 0) {
      if (s_[i] == '/' && i + 1 < s_.size() && s_[i + 1] == '*') {
        ++depth;
        i += 2;
      } else if (s_[i] == '*' && i + 1 < s_.size() && s_[i + 1] == '/') {
        --depth;
        i += 2;
      } else {
        ++i;
      }
    }
    pos_ = i;
  }

  void Dollar(char next) {
    if (IsDigit(next)) {  // $1: a parameter
      pos_ += 2;
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
      return;
    }
    std::size_t tag_end = pos_ + 1;
    if (tag_end < s_.size() && IsIdentStart(s_[tag_end])) {
      while (tag_end < s_.size() && IsDollarTagChar(s_[tag_end])) ++tag_end;
    }
    if (tag_end >= s_.size() || s_[tag_end] != '$') {
      // "$abc" without a closing '$' is no quote; skipping the tag keeps it
      // from being read as an identifier, as psql does.
      pos_ = tag_end;
      return;
    }
    const std::string_view tag = s_.substr(pos_, tag_end + 1 - pos_);
    const std::size_t close = s_.find(tag, tag_end + 1);
    pos_ = close == kNone ? s_.size() : close + tag.size();
  }

  void Word() {
    BeginToken();
    std::size_t end = pos_ + 1;
    while (end < s_.size() && IsIdentCont(s_[end])) ++end;
    const std::string_view word = s_.substr(pos_, end - pos_);
    if (word.size() == 1 && end < s_.size()) {
      const char c = ToLower(word[0]);
      if (c == 'e' && s_[end] == '\'') {
        after_copy_from_ = false;
        pos_ = SkipEscapeString(end + 1);
        return;
      }
      if (c == 'u' && s_[end] == '&' && end + 1 < s_.size() &&
          (s_[end + 1] == '\'' || s_[end + 1] == '"')) {
        after_copy_from_ = false;
        pos_ = SkipQuoted(end + 2, s_[end + 1]);
        return;
      }
    }
    pos_ = end;
    Identifier(word);
  }

  void Identifier(std::string_view word) {
    if (identifier_count_ == 0) is_copy_ = WordIs(word, "copy");
    // psql's heuristic: remember the first letters of the leading words to
    // recognise CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, where BEGIN ATOMIC
    // ... END may hold semicolons.
    if (identifier_count_ < kTrackedWords &&
        (WordIs(word, "create") || WordIs(word, "function") || WordIs(word, "procedure") ||
         WordIs(word, "or") || WordIs(word, "replace"))) {
      leading_[identifier_count_] = ToLower(word[0]);
    }
    ++identifier_count_;
    if (InRoutineDefinition() && paren_depth_ == 0) {
      if (WordIs(word, "begin")) {
        ++begin_depth_;
      } else if (WordIs(word, "case")) {
        // CASE also ends with END; it matters only inside a BEGIN.
        if (begin_depth_ > 0) ++begin_depth_;
      } else if (WordIs(word, "end")) {
        if (begin_depth_ > 0) --begin_depth_;
      }
    }
    if (is_copy_) {
      if (after_copy_from_ && WordIs(word, "stdin")) copy_from_stdin_ = true;
      after_copy_from_ = paren_depth_ == 0 && WordIs(word, "from");
    }
  }

  bool InRoutineDefinition() const {
    const char* w = leading_;
    return w[0] == 'c' && (w[1] == 'f' || w[1] == 'p' ||
                           (w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p')));
  }

  void Semicolon() {
    if (paren_depth_ > 0 || begin_depth_ > 0) {
      BeginToken();
      ++pos_;
      return;
    }
    Statement* statement = start_ == kNone ? nullptr : out_.Add(start_, pos_);
    const bool copy = copy_from_stdin_ && statement != nullptr;
    ++pos_;
    ResetStatement();
    if (copy) {
      statement->copy_from_stdin = true;
      ReadCopyData(*statement);
    }
  }

  // psql reads COPY data from the lines after the one holding the ';' up to a
  // line "\." or the end of input. The rest of the COPY line is not read.
  void ReadCopyData(Statement& statement) {
    const std::size_t eol = s_.find('\n', pos_);
    if (eol == kNone) {
      pos_ = s_.size();
      return;
    }
    const std::size_t data_start = eol + 1;
    std::size_t line_start = data_start;
    while (line_start < s_.size()) {
      std::size_t line_end = s_.find('\n', line_start);
      if (line_end == kNone) line_end = s_.size();
      std::string_view line = s_.substr(line_start, line_end - line_start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line == "\\.") {
        if (out_.keep_text())
          statement.copy_data.assign(s_.substr(data_start, line_start - data_start));
        pos_ = line_end;
        return;
      }
      line_start = line_end + 1;
    }
    pos_ = s_.size();
    if (!out_.keep_text()) return;
    statement.copy_data.assign(s_.substr(data_start));
    if (!statement.copy_data.empty() && !statement.copy_data.ends_with('\n')) {
      statement.copy_data += '\n';
    }
  }

  void ResetStatement() {
    start_ = kNone;
    paren_depth_ = 0;
    begin_depth_ = 0;
    identifier_count_ = 0;
    std::memset(leading_, 0, sizeof(leading_));
    is_copy_ = false;
    after_copy_from_ = false;
    copy_from_stdin_ = false;
  }

  static constexpr std::size_t kTrackedWords = 4;

  std::string_view s_;
  StatementCollector out_;
  std::size_t pos_ = 0;
  std::size_t start_ = kNone;  // first token of the current statement
  int paren_depth_ = 0;
  int begin_depth_ = 0;
  std::size_t identifier_count_ = 0;
  char leading_[kTrackedWords] = {};
  bool is_copy_ = false;
  bool after_copy_from_ = false;  // the previous token was FROM at depth 0
  bool copy_from_stdin_ = false;
};

}  // namespace

std::vector<Statement> SplitPostgres(std::string_view script, bool keep_text) {
  return PostgresSplitter(script, keep_text).Split();
}

}  // namespace dbshift::internal
