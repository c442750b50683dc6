#include "dbshift/driver/mysql/connect_options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift::mysql {
namespace {

struct TlsWord {
  std::string_view word;  // lower case; '_' written as '-'
  TlsMode mode;
};

// Every spelling of the three parameter families, folded to one table: a URL
// copied from another tool's configuration keeps working.
constexpr std::array<TlsWord, 13> kTlsWords = {{
    {"disable", TlsMode::kDisable},
    {"disabled", TlsMode::kDisable},
    {"false", TlsMode::kDisable},
    {"prefer", TlsMode::kPrefer},
    {"preferred", TlsMode::kPrefer},
    {"require", TlsMode::kRequire},
    {"required", TlsMode::kRequire},
    {"skip-verify", TlsMode::kRequire},
    {"verify-ca", TlsMode::kVerify},
    {"verify-full", TlsMode::kVerify},
    {"verify-identity", TlsMode::kVerify},
    {"true", TlsMode::kVerify},
    {"allow", TlsMode::kPrefer},
}};

std::string Folded(std::string_view value) {
  std::string folded(value);
  std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  return folded;
}

TlsMode ParseTlsMode(const std::string& name, const std::string& value, const Url& url) {
  const std::string folded = Folded(value);
  for (const TlsWord& entry : kTlsWords) {
    if (entry.word == folded) return entry.mode;
  }
  throw ConfigError(fmt::format(
      "{}: unknown value '{}' for {}; use disable, prefer, require, verify-ca or verify-full",
      url.Redacted(), value, name));
}

}  // namespace

ConnectOptions ParseConnectOptions(const Url& url) {
  ConnectOptions options;
  bool tls_given = false;
  for (const auto& [name, value] : url.params()) {
    if (name == "sslmode" || name == "ssl-mode" || name == "tls") {
      if (tls_given) {
        throw ConfigError(
            fmt::format("{}: give only one of sslmode, ssl-mode and tls", url.Redacted()));
      }
      tls_given = true;
      options.tls = ParseTlsMode(name, value, url);
    } else if (name == "sslrootcert" || name == "ssl-ca") {
      options.ca_file = value;
    } else if (name == "sslcert" || name == "ssl-cert") {
      options.cert_file = value;
    } else if (name == "sslkey" || name == "ssl-key") {
      options.key_file = value;
    } else if (name == "socket") {
      options.socket = value;
    } else {
      throw ConfigError(fmt::format(
          "{}: unknown parameter '{}'; mysql:// URLs take sslmode, sslrootcert, sslcert, "
          "sslkey and socket",
          url.Redacted(), name));
    }
  }
  // A CA file or client certificate is a request for TLS; with no mode
  // given, verify the server with it rather than silently not using it.
  if (!tls_given && !options.ca_file.empty()) options.tls = TlsMode::kVerify;
  return options;
}

}  // namespace dbshift::mysql
