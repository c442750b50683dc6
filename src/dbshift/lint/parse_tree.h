#pragma once

// PostgreSQL's own grammar, through libpg_query, as a typed tree: the
// protobuf form of the parse tree unpacked into protobuf-c structs. The
// JSON form would have to be printed by libpg_query and parsed again, which
// costs several times the parse itself on large scripts.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace dbshift::lint {

/// One top-level statement: its node and where its text is in the script.
struct ParsedStatement {
  const PgQuery__Node* node = nullptr;
  /// Byte offset in the script of the statement's first token (leading
  /// comments and blanks skipped).
  std::size_t offset = 0;
  /// Byte offset where the statement's text begins, leading comments
  /// included (where `-- dbshift:allow` before it is found).
  std::size_t leading_offset = 0;
  /// Bytes from `offset` to the end of the statement (without ';').
  std::size_t length = 0;
};

/// A script that PostgreSQL's grammar rejected.
struct SyntaxProblem {
  std::string message;     ///< the parser's message ("syntax error at or near ...")
  std::size_t offset = 0;  ///< byte offset of the error in the script
};

/// The statements of one script, owning the unpacked tree.
class ParseTree {
 public:
  /// Parses `sql` (many statements). On a syntax error the tree is empty and
  /// problem() says where.
  static ParseTree Parse(std::string_view sql);

  std::span<const ParsedStatement> statements() const { return statements_; }
  const SyntaxProblem* problem() const { return problem_ ? &*problem_ : nullptr; }

 private:
  struct Free {
    void operator()(PgQuery__ParseResult* result) const;
  };
  std::unique_ptr<PgQuery__ParseResult, Free> result_;
  std::vector<ParsedStatement> statements_;
  std::optional<SyntaxProblem> problem_;
};

}  // namespace dbshift::lint
