#pragma once

#include <string>
#include <string_view>

// OpenSSL's SHA256_CTX, without including OpenSSL's headers everywhere.
struct SHA256state_st;

namespace dbshift {

/// `prefix` followed by the lower-case hex SHA-256 of `data` (OpenSSL
/// libcrypto), in one allocation: checksums carry their algorithm's name
/// ("sha256:..."), and status builds thousands. Thread-safe.
std::string Sha256Hex(std::string_view data, std::string_view prefix = {});

/// SHA-256 of data that arrives in pieces (a file read in blocks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  /// Lower-case hex of everything given to Update; call once.
  std::string HexDigest();

 private:
  ::SHA256state_st* context_;
};

}  // namespace dbshift
