#include "dbshift/exec/statement_kind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace dbshift {

namespace {

// The upper-cased word starting at `text[*position]` (letters only), and
// `*position` moved past it and the white space after it.
std::string NextWord(std::string_view text, std::size_t* position) {
  std::size_t end = *position;
  while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
  std::string word(text.substr(*position, end - *position));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end]))) ++end;
  *position = end;
  return word;
}

}  // namespace

bool IsSchemaOrPermissionStatement(std::string_view text) {
  static constexpr std::array<std::string_view, 10> kKeywords = {
      "CREATE",  "ALTER", "DROP",   "TRUNCATE", "RENAME",
      "COMMENT", "GRANT", "REVOKE", "REINDEX",  "CLUSTER"};
  std::size_t position = 0;
  std::string word = NextWord(text, &position);
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
}

bool CommitsImplicitlyOnMysql(std::string_view text) {
  // Besides these, every schema and permission statement (RENAME and
  // TRUNCATE included).
  static constexpr std::array<std::string_view, 12> kKeywords = {
      "LOCK",  "UNLOCK", "ANALYZE", "OPTIMIZE",  "REPAIR", "CHECK",
      "FLUSH", "RESET",  "INSTALL", "UNINSTALL", "CACHE",  "CALL"};
  if (IsSchemaOrPermissionStatement(text)) return true;
  std::size_t position = 0;
  const std::string first = NextWord(text, &position);
  if (first == "LOAD") return NextWord(text, &position) == "INDEX";
  if (first == "SET") return NextWord(text, &position) == "PASSWORD";
  return std::find(kKeywords.begin(), kKeywords.end(), first) != kKeywords.end();
}

bool IsTransactionControl(std::string_view text) {
  std::size_t position = 0;
  std::string first = NextWord(text, &position);
  std::string second = NextWord(text, &position);
  if (first == "BEGIN" || first == "COMMIT" || first == "END" || first == "ABORT") return true;
  if (first == "START" || first == "PREPARE") return second == "TRANSACTION";
  if (first == "ROLLBACK") return second != "TO";  // ROLLBACK TO SAVEPOINT stays inside
  return false;
}

}  // namespace dbshift
