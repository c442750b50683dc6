#include "dbshift/cli/next_version.h"

#include <cctype>
#include <ctime>

#include <fmt/format.h>

namespace dbshift::cli {
namespace {

// Adds one to a string of decimal digits, of any length.
std::string Increment(std::string digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return digits;
    }
    digits[i] = '0';
  }
  return "1" + digits;
}

std::string UtcTimestamp(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace

std::string NextVersion(const MigrationSet& source, std::chrono::system_clock::time_point now) {
  if (source.versioned.empty()) {
    // golang-migrate, dbmate and popx name new files by time by default.
    return source.layout == Layout::kNative ? "1" : UtcTimestamp(now);
  }
  const std::string& last = source.versioned.back().version->text();
  std::size_t separator = last.find_last_of("._");
  if (separator != std::string::npos) {
    return last.substr(0, separator + 1) + Increment(last.substr(separator + 1));
  }
  if (last.size() >= 12) {
    std::string stamp = UtcTimestamp(now);
    std::optional<Version> candidate = Version::Parse(stamp);
    if (stamp.size() == last.size() && *candidate > *source.versioned.back().version) return stamp;
    return Increment(last);
  }
  std::string next = Increment(last);
  return next.size() > last.size() && last.front() == '0' ? next.substr(1) : next;
}

std::string DescriptionToFileName(std::string_view description) {
  std::string name;
  bool pending_separator = false;
  for (char c : description) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      if (pending_separator && !name.empty()) name += '_';
      pending_separator = false;
      name += static_cast<char>(std::tolower(u));
    } else {
      pending_separator = true;
    }
  }
  return name;
}

}  // namespace dbshift::cli
