#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbshift {

/// A migration version: dotted decimal numbers ("1", "1.2", "20261121093000"),
/// compared numerically part by part, of any length (no overflow), with
/// trailing zero parts ignored, so "1" == "1.0" and "1.10" > "1.9".
/// Flyway's underscore separator ("1_2") is accepted and means "1.2".
/// The text is kept exactly as written, because that is what users see and
/// what history stores. Value type, thread-compatible.
class Version {
 public:
  /// nullopt unless `text` is digits separated by single '.' or '_'.
  static std::optional<Version> Parse(std::string_view text);

  /// The text as written ("1_2" stays "1_2").
  const std::string& text() const { return text_; }

  /// True when the version is written as one integer, without separators:
  /// "7" and "007" are, "1.0" is not (although it equals "1").
  bool IsInteger() const;

  /// Numeric parts with leading zeros removed ("007" -> "7"), trailing zero
  /// parts dropped. Built on each call for a packed version: only messages
  /// and foreign history formats ask.
  std::vector<std::string> parts() const;

  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const;

 private:
  // Up to kPackedParts parts of up to 18 digits each (every version seen in
  // practice) are kept as integers only, so comparing, the hot path of
  // sorting 10,000 migrations, needs no string work, and copying a version
  // (a plan entry per migration) allocates nothing beyond a long text.
  // Longer versions keep their parts as digit strings in parts_.
  static constexpr std::size_t kPackedParts = 4;
  std::string text_;
  std::vector<std::string> parts_;  // empty when packed
  std::array<std::uint64_t, kPackedParts> packed_{};
  // Parts in packed_; 0 when not packed (a version has at least one part).
  std::uint8_t packed_count_ = 0;

  bool packed() const { return packed_count_ != 0; }
};

}  // namespace dbshift
