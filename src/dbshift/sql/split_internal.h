#pragma once

// Private to sql/: the per-dialect splitters behind SplitStatements and the
// pieces they share.

#include <cstddef>
#include <string_view>
#include <vector>

#include "dbshift/sql/statement.h"

namespace dbshift::internal {

/// With `keep_text` false the statements carry their offsets only (no text,
/// line or COPY data), for callers that need only where statements begin.
std::vector<Statement> SplitPostgres(std::string_view script, bool keep_text = true);
std::vector<Statement> SplitSqlite(std::string_view script);
std::vector<Statement> SplitMysql(std::string_view script);

inline bool IsSqlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Collects statements in script order. Line numbers are counted in one
/// forward pass, so statements must be added in increasing offset order.
class StatementCollector {
 public:
  explicit StatementCollector(std::string_view script, bool keep_text = true);

  /// Adds script[begin, end) with trailing whitespace removed; `begin` must be
  /// the first character of the statement's first token. Returns the new
  /// statement, or nullptr when nothing is left. Without `keep_text` only
  /// its offset is set.
  Statement* Add(std::size_t begin, std::size_t end);

  std::vector<Statement> Take() { return std::move(statements_); }
  bool keep_text() const { return keep_text_; }

 private:
  std::string_view script_;
  std::vector<Statement> statements_;
  std::size_t counted_to_ = 0;  // newlines before this offset are in line_
  int line_ = 1;
  bool keep_text_ = true;
};

}  // namespace dbshift::internal
