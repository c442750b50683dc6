#pragma once

// PostgreSQL's own grammar, through libpg_query, as a typed tree: the
// protobuf form of the parse tree unpacked into protobuf-c structs. The
// JSON form would have to be printed by libpg_query and parsed again, which
// costs several times the parse itself on large scripts.

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
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
  /// problem() says where. A long script is cut at statement boundaries into
  /// parts parsed on as many threads as there are cores.
  static ParseTree Parse(std::string_view sql);

  /// Parses `sql` in one piece on this thread.
  static ParseTree ParseWhole(std::string_view sql);

  std::span<const ParsedStatement> statements() const { return statements_; }
  const SyntaxProblem* problem() const { return problem_ ? &*problem_ : nullptr; }

  /// For a part of a script that follows another: its first statement's
  /// leading text begins, as in one parse, right after the ';' at
  /// `previous_end` (the end of the statement before it), so the comments
  /// in between (`-- dbshift:allow`) stay its own.
  void ContinueAfter(std::size_t previous_end, std::string_view sql);

 private:
  friend class ScriptParts;

  // The unpacked protobuf-c structs of one parse, allocated from an arena
  // and freed together: the tree has one node per token and then some, and
  // freeing it node by node costs as much as unpacking it.
  class Arena;
  struct Part;

  // Parses sql[begin, end), offsets counted in the whole of `sql`.
  static ParseTree ParseRange(std::string_view sql, std::size_t begin, std::size_t end);

  std::vector<std::shared_ptr<Part>> parts_;
  std::vector<ParsedStatement> statements_;
  std::optional<SyntaxProblem> problem_;
};

/// A script cut where psql would start a statement into parts (one when it is
/// short, several per core when long), parsed in order by one thread per
/// core while the caller takes them, so the caller works on one part while
/// later ones are parsed and the last part to arrive is small.
/// If a part has a syntax problem, the cut may be one the grammar does not
/// agree with: parse the whole script with ParseTree::ParseWhole then.
class ScriptParts {
 public:
  explicit ScriptParts(std::string_view sql);
  ~ScriptParts();  ///< stops the threads after the parts they are parsing
  ScriptParts(const ScriptParts&) = delete;
  ScriptParts& operator=(const ScriptParts&) = delete;

  std::size_t size() const { return cuts_.size() - 1; }
  /// Part `i`, each once, in order; waits until it is parsed.
  ParseTree Take(std::size_t i);

 private:
  struct Slot {
    ParseTree tree;
    std::exception_ptr failure;
    bool done = false;
  };
  void ParseParts() noexcept;
  void ParsePart(std::size_t i) noexcept;

  std::string_view sql_;
  std::vector<std::size_t> cuts_;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable parsed_;
  std::size_t next_ = 0;   ///< the next part a thread takes; guarded by mutex_
  bool stopping_ = false;  ///< guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace dbshift::lint
