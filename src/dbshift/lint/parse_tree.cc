#include "dbshift/lint/parse_tree.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>

#include "dbshift/sql/statement.h"

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

// Below this many bytes a script is parsed in one piece: threads would cost
// more than they save.
constexpr std::size_t kMinPartBytes = 64 * 1024;
constexpr std::size_t kMinArenaBlock = 64 * 1024;

}  // namespace

class ParseTree::Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (void* block : blocks_) std::free(block);
  }

  /// For protobuf-c: allocations come from the arena, frees are no-ops.
  ProtobufCAllocator Allocator() {
    return ProtobufCAllocator{&Arena::Allocate, &Arena::Release, this};
  }

  /// The unpacked message of `packed`, or null when it does not decode (or
  /// memory ran out: protobuf-c is C, so nothing may throw through it).
  PgQuery__ParseResult* Unpack(const PgQueryProtobuf& packed) {
    next_block_ = std::max(kMinArenaBlock, packed.len * 4);
    ProtobufCAllocator allocator = Allocator();
    return pg_query__parse_result__unpack(&allocator, packed.len,
                                          reinterpret_cast<const uint8_t*>(packed.data));
  }

 private:
  static void* Allocate(void* self, std::size_t size) {
    return static_cast<Arena*>(self)->Take(size);
  }
  static void Release(void* /*self*/, void* /*pointer*/) {}

  void* Take(std::size_t size) {
    size = (size + kAlign - 1) & ~(kAlign - 1);
    if (size > left_) {
      const std::size_t bytes = std::max(size, next_block_);
      void* block = std::malloc(bytes);
      if (block == nullptr) return nullptr;
      blocks_.push_back(block);
      next_ = static_cast<char*>(block);
      left_ = bytes;
      next_block_ = bytes * 2;
    }
    void* at = next_;
    next_ += size;
    left_ -= size;
    return at;
  }

  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  std::vector<void*> blocks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
  std::size_t next_block_ = kMinArenaBlock;
};

struct ParseTree::Part {
  Arena arena;
  PgQuery__ParseResult* result = nullptr;  ///< in `arena`
};

ParseTree ParseTree::ParseWhole(std::string_view sql) { return ParseRange(sql, 0, sql.size()); }

ParseTree ParseTree::ParseRange(std::string_view sql, std::size_t begin, std::size_t end) {
  ParseTree tree;
  // libpg_query wants a NUL-terminated string.
  const std::string text(sql.substr(begin, end - begin));
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(text.c_str());
  if (parsed.error != nullptr) {
    const int cursor = parsed.error->cursorpos;  // 1-based; 0 when unknown
    tree.problem_ = SyntaxProblem{parsed.error->message != nullptr ? parsed.error->message : "",
                                  begin + (cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0)};
    pg_query_free_protobuf_parse_result(parsed);
    return tree;
  }
  auto part = std::make_shared<Part>();
  part->result = part->arena.Unpack(parsed.parse_tree);
  pg_query_free_protobuf_parse_result(parsed);
  if (part->result == nullptr) {
    tree.problem_ = SyntaxProblem{"libpg_query returned a parse tree that could not be read", 0};
    return tree;
  }
  const PgQuery__ParseResult& result = *part->result;
  tree.parts_.push_back(std::move(part));
  tree.statements_.reserve(result.n_stmts);
  for (std::size_t i = 0; i < result.n_stmts; ++i) {
    const PgQuery__RawStmt* raw = result.stmts[i];
    if (raw == nullptr || raw->stmt == nullptr) continue;
    const std::size_t location =
        std::min(begin + static_cast<std::size_t>(std::max(raw->stmt_location, 0)), end);
    // A length of 0 means "to the end of the text" (no ';' after the last one).
    const std::size_t stop =
        raw->stmt_len > 0 ? std::min(end, location + static_cast<std::size_t>(raw->stmt_len)) : end;
    ParsedStatement statement;
    statement.node = raw->stmt;
    statement.leading_offset = location;
    statement.offset = SkipBlanksAndComments(sql, location, stop);
    statement.length = stop - statement.offset;
    tree.statements_.push_back(statement);
  }
  return tree;
}

void ParseTree::ContinueAfter(std::size_t previous_end, std::string_view sql) {
  if (statements_.empty()) return;
  if (previous_end < sql.size() && sql[previous_end] == ';') ++previous_end;
  statements_.front().leading_offset = std::min(previous_end, statements_.front().offset);
}

ParseTree ParseTree::Parse(std::string_view sql) {
  ScriptParts parts(sql);
  ParseTree whole = parts.Take(0);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    ParseTree later = parts.Take(i);
    if (whole.problem_ || later.problem_) return ParseWhole(sql);
    if (!whole.statements_.empty()) {
      const ParsedStatement& last = whole.statements_.back();
      later.ContinueAfter(last.offset + last.length, sql);
    }
    whole.statements_.insert(whole.statements_.end(), later.statements_.begin(),
                             later.statements_.end());
    whole.parts_.insert(whole.parts_.end(), later.parts_.begin(), later.parts_.end());
  }
  return whole;
}

ScriptParts::ScriptParts(std::string_view sql) : sql_(sql), cuts_{0} {
  const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t wanted = std::min(cores, sql.size() / kMinPartBytes);
  if (wanted >= 2) {
    // At about equal sizes, where psql would start a statement.
    const std::vector<Statement> split = SplitStatements(sql, Dialect::kPostgres);
    for (std::size_t k = 1; k < wanted; ++k) {
      const std::size_t target = sql.size() * k / wanted;
      const auto at = std::lower_bound(
          split.begin(), split.end(), target,
          [](const Statement& statement, std::size_t offset) { return statement.offset < offset; });
      if (at != split.end() && at->offset > cuts_.back()) cuts_.push_back(at->offset);
    }
  }
  cuts_.push_back(sql.size());
  parsed_.resize(size());
  failures_.resize(size());
  threads_.reserve(size() - 1);
  for (std::size_t i = 1; i < size(); ++i) threads_.emplace_back(&ScriptParts::ParsePart, this, i);
}

ScriptParts::~ScriptParts() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ScriptParts::ParsePart(std::size_t i) noexcept {
  try {
    parsed_[i] = ParseTree::ParseRange(sql_, cuts_[i], cuts_[i + 1]);
  } catch (...) {
    failures_[i] = std::current_exception();
  }
}

ParseTree ScriptParts::Take(std::size_t i) {
  if (i == 0) {
    ParsePart(0);
  } else if (threads_[i - 1].joinable()) {
    threads_[i - 1].join();
  }
  if (failures_[i]) std::rethrow_exception(failures_[i]);
  return std::move(parsed_[i]);
}

}  // namespace dbshift::lint
