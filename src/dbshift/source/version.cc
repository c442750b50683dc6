#include "dbshift/source/version.h"

#include <algorithm>

namespace dbshift {
namespace {

bool IsSeparator(char c) { return c == '.' || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 18 decimal digits always fit in 64 bits.
constexpr std::size_t kMaxPackedDigits = 18;

// Parts are digit strings without leading zeros, so a longer part is a larger
// number and equal lengths compare as text. This avoids any integer type, so
// timestamp versions of any length cannot overflow.
std::strong_ordering ComparePart(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() <=> b.size();
  const int result = a.compare(b);
  if (result < 0) return std::strong_ordering::less;
  if (result > 0) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

}  // namespace

std::optional<Version> Version::Parse(std::string_view text) {
  if (text.empty() || IsSeparator(text.front()) || IsSeparator(text.back())) return std::nullopt;
  Version version;
  version.text_ = std::string(text);
  std::vector<std::string> parts;
  std::string part;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && IsDigit(text[i])) {
      // Leading zeros are dropped as they come; an all-zero part becomes "0" below.
      if (!(part.empty() && text[i] == '0')) part.push_back(text[i]);
      continue;
    }
    if (i < text.size() && !IsSeparator(text[i])) return std::nullopt;
    // A separator, or the end. The first/last checks above and this one rule
    // out empty parts ("1..2").
    if (i < text.size() && IsSeparator(text[i - 1])) return std::nullopt;
    parts.push_back(part.empty() ? "0" : part);
    part.clear();
  }
  // "1.0" and "1" are the same version; keep one part so "0" stays "0".
  while (parts.size() > 1 && parts.back() == "0") parts.pop_back();
  const bool packs = parts.size() <= kPackedParts &&
                     std::all_of(parts.begin(), parts.end(), [](const std::string& digits) {
                       return digits.size() <= kMaxPackedDigits;
                     });
  if (!packs) {
    version.parts_ = std::move(parts);
    return version;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) version.packed_[i] = std::stoull(parts[i]);
  version.packed_count_ = static_cast<std::uint8_t>(parts.size());
  return version;
}

std::vector<std::string> Version::parts() const {
  if (!packed()) return parts_;
  std::vector<std::string> parts;
  parts.reserve(packed_count_);
  for (std::size_t i = 0; i < packed_count_; ++i) parts.push_back(std::to_string(packed_[i]));
  return parts;
}

bool Version::IsInteger() const { return std::none_of(text_.begin(), text_.end(), IsSeparator); }

std::strong_ordering Version::operator<=>(const Version& other) const {
  // Missing parts pack as 0, which matches dropping trailing zero parts.
  if (packed() && other.packed()) return packed_ <=> other.packed_;
  // At least one side has more parts or digits than packing holds: rare, so
  // the packed side (if any) spells its parts out for this one comparison.
  const std::vector<std::string> mine = parts();
  const std::vector<std::string> theirs = other.parts();
  return std::lexicographical_compare_three_way(mine.begin(), mine.end(), theirs.begin(),
                                                theirs.end(), ComparePart);
}

bool Version::operator==(const Version& other) const {
  if (packed() && other.packed()) return packed_ == other.packed_;
  if (packed() != other.packed()) return false;  // packing depends on the parts alone
  return parts_ == other.parts_;
}

}  // namespace dbshift
