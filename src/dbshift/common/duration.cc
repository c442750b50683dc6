#include "dbshift/common/duration.h"

#include <array>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t millis;
};

// Largest first: parsing requires this order ("1m30s", not "30s1m") and
// formatting emits it. "ms" precedes "m" so the longer suffix wins.
constexpr std::array<Unit, 4> kUnits = {{{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};

[[noreturn]] void ThrowNotADuration(std::string_view text, std::string_view what) {
  const std::string prefix = what.empty() ? std::string() : fmt::format("{}: ", what);
  throw UsageError(
      fmt::format("{}\"{}\" is not a duration (use e.g. 500ms, 30s, 5m, 1h)", prefix, text));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::chrono::milliseconds ParseDuration(std::string_view text, std::string_view what) {
  if (text.empty()) ThrowNotADuration(text, what);
  int64_t total = 0;
  std::size_t pos = 0;
  std::size_t next_unit = 0;  // index into kUnits: units must come in decreasing size
  while (pos < text.size()) {
    if (!IsDigit(text[pos])) ThrowNotADuration(text, what);
    int64_t number = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (__builtin_mul_overflow(number, 10, &number) ||
          __builtin_add_overflow(number, text[pos] - '0', &number)) {
        ThrowNotADuration(text, what);
      }
    }
    int64_t unit_millis = 0;
    if (pos == text.size() && next_unit == 0) {
      unit_millis = 1000;  // a bare number means seconds
    } else {
      // Try "ms" before "m" so "500ms" is not read as 500 minutes then "s".
      const std::string_view rest = text.substr(pos);
      std::size_t match = kUnits.size();
      if (rest.starts_with("ms")) {
        match = 3;
      } else {
        for (std::size_t i = 0; i < 3; ++i) {
          if (rest.starts_with(kUnits[i].suffix)) match = i;
        }
      }
      if (match == kUnits.size() || match < next_unit) ThrowNotADuration(text, what);
      unit_millis = kUnits[match].millis;
      pos += kUnits[match].suffix.size();
      next_unit = match + 1;
    }
    int64_t part = 0;
    if (__builtin_mul_overflow(number, unit_millis, &part) ||
        __builtin_add_overflow(total, part, &total)) {
      ThrowNotADuration(text, what);
    }
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t rest = duration.count();
  if (rest == 0) return "0s";
  std::string out;
  if (rest < 0) {
    out = "-";
    // Negating the most negative value would overflow; no real duration is that long.
    rest = rest == INT64_MIN ? INT64_MAX : -rest;
  }
  for (const Unit& unit : kUnits) {
    if (rest >= unit.millis) {
      out += fmt::format("{}{}", rest / unit.millis, unit.suffix);
      rest %= unit.millis;
    }
  }
  return out;
}

}  // namespace dbshift
