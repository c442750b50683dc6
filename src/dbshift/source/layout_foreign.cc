#include <optional>
#include <string>
#include <string_view>

#include "dbshift/source/layout.h"

namespace dbshift {
namespace {

constexpr std::string_view kUpSuffix = ".up.sql";
constexpr std::string_view kDownSuffix = ".down.sql";
constexpr std::string_view kSqlSuffix = ".sql";

// "<digits>_" and what follows, or nullopt. All three tools number their
// files with digits only (often a timestamp) and separate the name with '_'.
struct Numbered {
  std::string_view digits;
  std::string_view rest;
};

std::optional<Numbered> SplitNumber(std::string_view file_name) {
  std::size_t digits = 0;
  while (digits < file_name.size() && file_name[digits] >= '0' && file_name[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits >= file_name.size() || file_name[digits] != '_') return std::nullopt;
  return Numbered{file_name.substr(0, digits), file_name.substr(digits + 1)};
}

std::string Describe(std::string_view name) {
  std::string description(name);
  for (char& c : description) {
    if (c == '_') c = ' ';
  }
  return description;
}

}  // namespace

std::optional<ForeignName> ParseForeignName(Layout layout, std::string_view file_name) {
  if (layout == Layout::kNative) return std::nullopt;
  const std::optional<Numbered> numbered = SplitNumber(file_name);
  if (!numbered) return std::nullopt;
  std::optional<Version> version = Version::Parse(numbered->digits);
  if (!version) return std::nullopt;

  ForeignName name{std::move(*version), {}, ForeignPart::kBoth, {}};
  std::string_view label;
  if (numbered->rest.ends_with(kUpSuffix)) {
    name.part = ForeignPart::kUp;
    label = numbered->rest.substr(0, numbered->rest.size() - kUpSuffix.size());
  } else if (numbered->rest.ends_with(kDownSuffix)) {
    name.part = ForeignPart::kDown;
    label = numbered->rest.substr(0, numbered->rest.size() - kDownSuffix.size());
  } else if (numbered->rest.ends_with(kSqlSuffix)) {
    label = numbered->rest.substr(0, numbered->rest.size() - kSqlSuffix.size());
  } else {
    return std::nullopt;
  }
  // dbmate keeps both directions in one file; the others have one per file.
  if ((layout == Layout::kDbmate) != (name.part == ForeignPart::kBoth)) return std::nullopt;

  if (layout == Layout::kPopx) {
    const std::size_t dot = label.find('.');
    if (dot != std::string_view::npos) {
      const std::string_view dialect = label.substr(dot + 1);
      if (!IsPopxDialect(dialect)) return std::nullopt;
      name.dialect = dialect;
      label = label.substr(0, dot);
    }
  }
  name.description = Describe(label);
  return name;
}

}  // namespace dbshift
