#include "dbshift/common/sha256.h"

#include <array>

// SHA-256 through OpenSSL's digest functions rather than EVP: EVP would
// first load the default provider and fetch the algorithm from its registry
// (about 1 ms of start-up before the first checksum, and more cleanup at
// exit), which `status` pays on every run for one fixed algorithm. These
// functions are marked deprecated from OpenSSL 3.0 on; the level below
// declares them without the warning.
#define OPENSSL_API_COMPAT 10101
#include <openssl/sha.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

std::string Hex(const unsigned char* digest, std::size_t size, std::string_view prefix = {}) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Sized once and written by index: every status hashes thousands of files.
  std::string hex(prefix.size() + size * 2, '\0');
  prefix.copy(hex.data(), prefix.size());
  char* out = hex.data() + prefix.size();
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return hex;
}

}  // namespace

std::string Sha256Hex(std::string_view data, std::string_view prefix) {
  // Not SHA256(): from OpenSSL 3.0 on, that one goes through EVP.
  SHA256_CTX context;
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, data.data(), data.size()) != 1 ||
      SHA256_Final(digest.data(), &context) != 1) {
    throw InternalError("SHA-256 failed");
  }
  return Hex(digest.data(), digest.size(), prefix);
}

// Each context is its own state: no shared state, hence thread-safe.
Sha256::Sha256() : context_(new SHA256_CTX) {
  if (SHA256_Init(context_) != 1) {
    delete context_;
    throw InternalError("SHA256_Init failed");
  }
}

Sha256::~Sha256() { delete context_; }

void Sha256::Update(std::string_view data) {
  if (SHA256_Update(context_, data.data(), data.size()) != 1) {
    throw InternalError("SHA256_Update failed");
  }
}

std::string Sha256::HexDigest() {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  if (SHA256_Final(digest.data(), context_) != 1) throw InternalError("SHA256_Final failed");
  return Hex(digest.data(), digest.size());
}

}  // namespace dbshift
