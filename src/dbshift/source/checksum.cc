#include "dbshift/source/checksum.h"

#include <string>
#include <string_view>
#include <zlib.h>

#include "dbshift/common/sha256.h"

namespace dbshift {
namespace {

constexpr std::string_view kSha256Prefix = "sha256:";

}  // namespace

std::string ScriptChecksum(std::string_view script) {
  // Most scripts have no CR at all; hash them in place instead of copying.
  if (script.find("\r\n") == std::string_view::npos) return Sha256Hex(script, kSha256Prefix);
  std::string folded;
  folded.reserve(script.size());
  for (std::size_t i = 0; i < script.size(); ++i) {
    if (script[i] == '\r' && i + 1 < script.size() && script[i + 1] == '\n') continue;
    folded.push_back(script[i]);
  }
  return Sha256Hex(folded, kSha256Prefix);
}

int32_t FlywayChecksum(std::string_view script) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (script.starts_with(kBom)) script.remove_prefix(kBom.size());
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t start = 0;
  while (start < script.size()) {
    std::size_t end = script.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = script.size();
    crc = crc32(crc, reinterpret_cast<const Bytef*>(script.data() + start),
                static_cast<uInt>(end - start));
    // "\r\n" is one line break, as Java's BufferedReader.readLine reads it.
    if (end + 1 < script.size() && script[end] == '\r' && script[end + 1] == '\n') ++end;
    start = end + 1;
  }
  return static_cast<int32_t>(static_cast<uint32_t>(crc));
}

bool ChecksumMatches(std::string_view recorded, std::string_view script,
                     std::string_view checksum) {
  if (recorded.empty()) return true;
  constexpr std::string_view kCrc32 = "crc32:";
  if (recorded.starts_with(kCrc32)) {
    return recorded.substr(kCrc32.size()) == std::to_string(FlywayChecksum(script));
  }
  return recorded == checksum;
}

}  // namespace dbshift
