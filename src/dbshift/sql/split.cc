#include <cstdint>
#include <cstring>

#include "dbshift/sql/split_internal.h"
#include "dbshift/sql/statement.h"

namespace dbshift {
namespace internal {
namespace {

// Counts `byte` in `text` eight bytes at a time: std::count is not
// vectorised at -O2, and counting showed up as a third of the split time.
std::size_t CountByte(std::string_view text, char byte) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t pattern = kOnes * static_cast<unsigned char>(byte);
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const std::uint64_t x = word ^ pattern;  // zero exactly where a byte matches
    // The high bit of each byte of `nonzero` is set iff that byte of x is not
    // zero; no carry crosses bytes, so the test is exact.
    const std::uint64_t nonzero = ((x & kLow7) + kLow7) | x;
    // One bit per matching byte, summed into the top byte by the multiply
    // (std::popcount is a library call without -mpopcnt).
    count += static_cast<std::size_t>((((~nonzero & kHigh) >> 7) * kOnes) >> 56);
  }
  for (; i < text.size(); ++i) count += text[i] == byte ? 1 : 0;
  return count;
}

}  // namespace

StatementCollector::StatementCollector(std::string_view script, bool keep_text)
    : script_(script), keep_text_(keep_text) {
  // One statement per ';' at most (plus a last one without): growing the
  // vector would move every statement several times. Unused capacity is
  // never touched, so over-reserving costs address space only.
  statements_.reserve(CountByte(script, ';') + 1);
}

Statement* StatementCollector::Add(std::size_t begin, std::size_t end) {
  while (end > begin && IsSqlSpace(script_[end - 1])) --end;
  if (end <= begin) return nullptr;
  if (!keep_text_) {
    Statement& statement = statements_.emplace_back();
    statement.offset = begin;
    return &statement;
  }
  line_ += static_cast<int>(CountByte(script_.substr(counted_to_, begin - counted_to_), '\n'));
  counted_to_ = begin;
  Statement& statement = statements_.emplace_back();
  statement.text.assign(script_.substr(begin, end - begin));
  statement.offset = begin;
  statement.line = line_;
  return &statement;
}

}  // namespace internal

const char* DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return "sqlite";
    case Dialect::kPostgres:
      return "postgres";
    case Dialect::kMysql:
      return "mysql";
  }
  return "unknown";
}

std::vector<Statement> SplitStatements(std::string_view script, Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return internal::SplitSqlite(script);
    case Dialect::kPostgres:
      return internal::SplitPostgres(script);
    case Dialect::kMysql:
      return internal::SplitMysql(script);
  }
  return {};
}

std::vector<std::size_t> PostgresStatementOffsets(std::string_view script) {
  std::vector<std::size_t> offsets;
  for (const Statement& statement : internal::SplitPostgres(script, /*keep_text=*/false)) {
    offsets.push_back(statement.offset);
  }
  return offsets;
}

int LineOfPosition(const Statement& statement, int position) {
  if (position <= 0) return statement.line;
  int line = statement.line;
  int code_points = 0;
  for (char c : statement.text) {
    // A UTF-8 continuation byte (10xxxxxx) does not start a code point.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      if (++code_points == position) return line;
    }
    if (c == '\n') ++line;
  }
  return line;  // past the end: the statement's last line
}

}  // namespace dbshift
