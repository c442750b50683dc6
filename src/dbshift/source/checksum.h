#pragma once

#include <string>
#include <string_view>

namespace dbshift {

/// "sha256:" + hex SHA-256 of `script` with every CRLF folded to LF, so a
/// checkout on Windows does not change it. The algorithm name is stored with
/// the value and never changes meaning.
std::string ScriptChecksum(std::string_view script);

}  // namespace dbshift
