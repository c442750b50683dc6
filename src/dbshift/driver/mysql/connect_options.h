#pragma once

#include <string>

#include "dbshift/common/url.h"

namespace dbshift::mysql {

/// How a connection uses TLS. libmariadb verifies the certificate chain and
/// the host name together, so verify-ca and verify-full both do both.
///  - kDisable: never; kDefault: as libmariadb does when asked nothing (no
///    TLS with Connector/C 3.3);
///  - kPrefer: TLS, and plain only when the server offers no TLS;
///  - kRequire: TLS without checking the certificate; kVerify: TLS with it.
enum class TlsMode { kDisable, kDefault, kPrefer, kRequire, kVerify };

/// What a mysql:// URL's query parameters ask of the connection:
///   sslmode=disable|prefer|require|verify-ca|verify-full (libpq's words), or
///   ssl-mode=DISABLED|PREFERRED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY (mysql's),
///   tls=false|preferred|true|skip-verify (the Go driver's, for URLs shared
///   with golang-migrate and dbmate);
///   sslrootcert / ssl-ca, sslcert / ssl-cert, sslkey / ssl-key: PEM files;
///   socket: a Unix socket path instead of TCP.
struct ConnectOptions {
  TlsMode tls = TlsMode::kDefault;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string socket;
};

/// Reads the query parameters of `url`. Throws ConfigError naming the
/// parameter (never its value, which may be a path with a secret in it) for
/// an unknown parameter or value.
ConnectOptions ParseConnectOptions(const Url& url);

}  // namespace dbshift::mysql
