#include "dbshift/lint/parse_tree.h"

#include <algorithm>

namespace dbshift::lint {
namespace {

// The offset of the first token at or after `from`: blanks, `--` comments and
// (nested) `/* */` comments skipped, as PostgreSQL's scanner skips them.
std::size_t SkipBlanksAndComments(std::string_view sql, std::size_t from, std::size_t end) {
  std::size_t at = from;
  while (at < end) {
    const char c = sql[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++at;
    } else if (c == '-' && at + 1 < end && sql[at + 1] == '-') {
      const std::size_t newline = sql.find('\n', at);
      at = newline == std::string_view::npos ? end : std::min(end, newline + 1);
    } else if (c == '/' && at + 1 < end && sql[at + 1] == '*') {
      int depth = 1;
      at += 2;
      while (at < end && depth > 0) {
        if (sql[at] == '/' && at + 1 < end && sql[at + 1] == '*') {
          ++depth;
          at += 2;
        } else if (sql[at] == '*' && at + 1 < end && sql[at + 1] == '/') {
          --depth;
          at += 2;
        } else {
          ++at;
        }
      }
    } else {
      break;
    }
  }
  return at;
}

}  // namespace

void ParseTree::Free::operator()(PgQuery__ParseResult* result) const {
  pg_query__parse_result__free_unpacked(result, nullptr);
}

ParseTree ParseTree::Parse(std::string_view sql) {
  ParseTree tree;
  // libpg_query wants a NUL-terminated string.
  const std::string text(sql);
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(text.c_str());
  if (parsed.error != nullptr) {
    const int cursor = parsed.error->cursorpos;  // 1-based; 0 when unknown
    tree.problem_ = SyntaxProblem{parsed.error->message != nullptr ? parsed.error->message : "",
                                  cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0};
    pg_query_free_protobuf_parse_result(parsed);
    return tree;
  }
  tree.result_.reset(pg_query__parse_result__unpack(
      nullptr, parsed.parse_tree.len, reinterpret_cast<const uint8_t*>(parsed.parse_tree.data)));
  pg_query_free_protobuf_parse_result(parsed);
  if (tree.result_ == nullptr) {
    tree.problem_ = SyntaxProblem{"libpg_query returned a parse tree that could not be read", 0};
    return tree;
  }
  tree.statements_.reserve(tree.result_->n_stmts);
  for (std::size_t i = 0; i < tree.result_->n_stmts; ++i) {
    const PgQuery__RawStmt* raw = tree.result_->stmts[i];
    if (raw == nullptr || raw->stmt == nullptr) continue;
    const auto begin =
        std::min(static_cast<std::size_t>(std::max(raw->stmt_location, 0)), sql.size());
    // A length of 0 means "to the end of the script" (no ';' after the last one).
    const std::size_t end =
        raw->stmt_len > 0 ? std::min(sql.size(), begin + static_cast<std::size_t>(raw->stmt_len))
                          : sql.size();
    ParsedStatement statement;
    statement.node = raw->stmt;
    statement.leading_offset = begin;
    statement.offset = SkipBlanksAndComments(sql, begin, end);
    statement.length = end - statement.offset;
    tree.statements_.push_back(statement);
  }
  return tree;
}

}  // namespace dbshift::lint
