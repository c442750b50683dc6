#pragma once

// Case folding for SQL keywords and unquoted identifiers, which are ASCII:
// locale-independent, so a Turkish locale does not turn "I" into a dotless i.

#include <string>
#include <string_view>

namespace dbshift {

/// `text` with A-Z turned into a-z; every other byte as it is.
std::string AsciiLower(std::string_view text);

/// Whether `word` occurs in `text`, ignoring ASCII case.
bool ContainsIgnoringCase(std::string_view text, std::string_view word);

}  // namespace dbshift
