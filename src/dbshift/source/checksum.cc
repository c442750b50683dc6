#include "dbshift/source/checksum.h"

#include <string>

#include "dbshift/common/sha256.h"

namespace dbshift {

std::string ScriptChecksum(std::string_view script) {
  // Most scripts have no CR at all; hash them in place instead of copying.
  if (script.find("\r\n") == std::string_view::npos) return "sha256:" + Sha256Hex(script);
  std::string folded;
  folded.reserve(script.size());
  for (std::size_t i = 0; i < script.size(); ++i) {
    if (script[i] == '\r' && i + 1 < script.size() && script[i + 1] == '\n') continue;
    folded.push_back(script[i]);
  }
  return "sha256:" + Sha256Hex(folded);
}

}  // namespace dbshift
