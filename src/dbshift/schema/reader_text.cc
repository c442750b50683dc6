// What the readers share: reading cells, spelling names, assembling
// definitions.

#include <string>
#include <string_view>

#include "dbshift/schema/internal.h"

namespace dbshift::schema::internal {

const std::string& Text(const Row& row, std::size_t column) {
  static const std::string kNull;
  return row.at(column) ? *row.at(column) : kNull;
}

std::string QualifiedName(std::initializer_list<std::string_view> parts) {
  std::string name;
  for (const std::string_view part : parts) {
    if (!name.empty()) name += '.';
    if (part.find_first_of(".\"") == std::string_view::npos) {
      name += part;
      continue;
    }
    name += '"';
    for (const char c : part) {
      if (c == '"') name += '"';
      name += c;
    }
    name += '"';
  }
  return name;
}

std::string JoinWords(std::initializer_list<std::string_view> words) {
  std::string joined;
  for (const std::string_view word : words) {
    if (word.empty()) continue;
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

}  // namespace dbshift::schema::internal
