#pragma once

#include <string>
#include <string_view>

namespace dbshift {

/// Lower-case hex SHA-256 of `data` (OpenSSL libcrypto). Thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace dbshift
