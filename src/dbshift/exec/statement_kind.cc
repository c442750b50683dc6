#include "dbshift/exec/statement_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace dbshift {

bool IsSchemaOrPermissionStatement(std::string_view text) {
  static constexpr std::array<std::string_view, 10> kKeywords = {
      "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "COMMENT", "GRANT", "REVOKE", "REINDEX",
      "CLUSTER"};
  std::size_t end = 0;
  while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
  std::string word(text.substr(0, end));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
}

}  // namespace dbshift
