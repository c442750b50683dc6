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

// Scripts are cut into parts of at least this many bytes, and into many parts
// per core: the caller's work on each part then overlaps the parsing of later
// ones, the part left after the last parse ends is small, and each parse's
// memory is small enough to be reused while still in cache (measured on a
// 635 KB script: 32 parts on 2 cores took 0.84x the time of 2 parts).
constexpr std::size_t kMinPartBytes = std::size_t{16} * 1024;
constexpr std::size_t kPartsPerCore = 16;
constexpr std::size_t kMinArenaBlock = std::size_t{64} * 1024;

// Asked once per process: each call reads /sys, and a lint gate builds one
// ScriptParts per script.
std::size_t CoreCount() {
  static const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  return cores;
}

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
  const std::size_t cores = CoreCount();
  const std::size_t wanted = std::min(cores * kPartsPerCore, sql.size() / kMinPartBytes);
  if (cores >= 2 && wanted >= 2) {
    // At about equal sizes, where psql would start a statement.
    const std::vector<std::size_t> starts = PostgresStatementOffsets(sql);
    for (std::size_t k = 1; k < wanted; ++k) {
      const auto at = std::lower_bound(starts.begin(), starts.end(), sql.size() * k / wanted);
      if (at != starts.end() && *at > cuts_.back()) cuts_.push_back(*at);
    }
  }
  cuts_.push_back(sql.size());
  slots_.resize(size());
  if (size() == 1) return;  // parsed on the caller's thread when taken
  const std::size_t threads = std::min(cores, size());
  threads_.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) threads_.emplace_back(&ScriptParts::ParseParts, this);
}

ScriptParts::~ScriptParts() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

void ScriptParts::ParseParts() noexcept {
  for (;;) {
    std::size_t i = 0;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || next_ == size()) return;
      i = next_++;
    }
    ParsePart(i);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      slots_[i].done = true;
    }
    parsed_.notify_all();
  }
}

void ScriptParts::ParsePart(std::size_t i) noexcept {
  try {
    slots_[i].tree = ParseTree::ParseRange(sql_, cuts_[i], cuts_[i + 1]);
  } catch (...) {
    slots_[i].failure = std::current_exception();
  }
}

ParseTree ScriptParts::Take(std::size_t i) {
  if (threads_.empty()) {
    ParsePart(i);
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    parsed_.wait(lock, [this, i] { return slots_[i].done; });
  }
  if (slots_[i].failure) std::rethrow_exception(slots_[i].failure);
  return std::move(slots_[i].tree);
}

}  // namespace dbshift::lint
