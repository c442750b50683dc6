#include "dbshift/source/layout.h"

#include <array>

namespace dbshift {
namespace {

constexpr std::array<std::string_view, 5> kPopxDialects = {"sqlite", "sqlite3", "postgres",
                                                           "cockroach", "mysql"};

// `label` is the part between "<digits>_" and ".up.sql"/".down.sql".
std::vector<Layout> UpDownLayouts(std::string_view label) {
  const std::size_t dot = label.find('.');
  // Without a dot the name fits both tools; a popx folder commonly mixes such
  // dialect-neutral files with dialect-specific ones, so both are listed and
  // the folder's layout is whatever all its files have in common.
  if (dot == std::string_view::npos) return {Layout::kGolangMigrate, Layout::kPopx};
  // popx names have no dot before the dialect; golang-migrate takes any name.
  if (label.find('.', dot + 1) == std::string_view::npos && IsPopxDialect(label.substr(dot + 1))) {
    return {Layout::kPopx};
  }
  return {Layout::kGolangMigrate};
}

}  // namespace

bool IsPopxDialect(std::string_view text) {
  for (std::string_view dialect : kPopxDialects) {
    if (text == dialect) return true;
  }
  return false;
}

bool PopxDialectFits(std::string_view file_dialect, std::string_view engine_dialect) {
  if (file_dialect.empty()) return true;
  // popx writes "sqlite3"; "sqlite" is accepted as its older spelling.
  if (engine_dialect == "sqlite") return file_dialect == "sqlite3" || file_dialect == "sqlite";
  return file_dialect == engine_dialect;
}

std::optional<Layout> ParseLayoutName(std::string_view text) {
  for (Layout layout : {Layout::kNative, Layout::kGolangMigrate, Layout::kDbmate, Layout::kPopx}) {
    if (text == LayoutName(layout)) return layout;
  }
  return std::nullopt;
}

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kNative:
      return "native";
    case Layout::kGolangMigrate:
      return "golang-migrate";
    case Layout::kDbmate:
      return "dbmate";
    case Layout::kPopx:
      return "popx";
  }
  return "unknown";
}

// Precedence: a native name never starts with a digit, so it matches no other
// layout. Of the "<digits>_<name>" layouts, a name ending ".up.sql" or
// ".down.sql" is golang-migrate or popx (see UpDownLayouts), and any other
// "<digits>_<name>.sql" is dbmate. So "1_x.up.sql" is never dbmate even though
// it ends in ".sql".
std::vector<Layout> LayoutsMatching(std::string_view file_name) {
  if (ParseNativeName(file_name)) return {Layout::kNative};
  std::size_t digits = 0;
  while (digits < file_name.size() && file_name[digits] >= '0' && file_name[digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits >= file_name.size() || file_name[digits] != '_') return {};
  const std::string_view rest = file_name.substr(digits + 1);
  for (std::string_view suffix : {std::string_view(".up.sql"), std::string_view(".down.sql")}) {
    if (rest.ends_with(suffix)) return UpDownLayouts(rest.substr(0, rest.size() - suffix.size()));
  }
  if (rest.ends_with(".sql")) return {Layout::kDbmate};
  return {};
}

}  // namespace dbshift
