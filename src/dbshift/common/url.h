#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace dbshift {

/// A parsed database URL:
///   sqlite:PATH               (also sqlite://PATH and sqlite::memory:)
///   postgres://user[:pw]@host[:port]/db?param=value   (postgresql:// too)
///   mysql://user[:pw]@host[:port]/db?param=value      (mariadb:// too)
/// Parse() keeps the raw text so drivers can hand it to their client library
/// unchanged (libpq reads its own URI syntax, .pgpass and PG* variables).
/// Thread-compatible value type.
class Url {
 public:
  /// Throws ConfigError naming the URL (already redacted) when the scheme is
  /// unknown or the text does not parse.
  static Url Parse(std::string_view text);

  /// "sqlite", "postgres" or "mysql" (aliases folded).
  const std::string& scheme() const { return scheme_; }
  /// The URL exactly as given. Contains the password: never print it.
  const std::string& raw() const { return raw_; }
  /// SQLite: the file path (or ":memory:"). Others: the database name.
  const std::string& database() const { return database_; }
  const std::string& user() const { return user_; }
  const std::string& host() const { return host_; }
  /// 0 when the URL names no port.
  int port() const { return port_; }
  /// Query parameters, percent-decoded.
  const std::map<std::string, std::string>& params() const { return params_; }
  /// The password, percent-decoded; empty when the URL has none.
  const std::string& password() const { return password_; }

  /// The same URL with another database: the path of a server URL
  /// (percent-encoded as needed), the file of an SQLite one. Everything
  /// else, credentials and parameters included, stays. Throws ConfigError
  /// when a server URL names its database in a dbname= parameter, which
  /// would win over the path.
  Url WithDatabase(std::string_view database) const;

  /// The URL with the password and any secret query parameter (password,
  /// sslpassword, ...) replaced by "***". Safe to print and log.
  std::string Redacted() const;

  /// `text` with every occurrence of this URL's secrets (raw and decoded
  /// password, the raw URL itself) replaced. Pass every message that may quote
  /// the URL (engine errors, library messages) through this before it leaves.
  /// Secrets shorter than 4 bytes are replaced only where delimited as in a
  /// URL or conninfo (":pw@", "password=pw"), so short passwords do not shred
  /// ordinary words of the message.
  std::string Scrub(std::string_view text) const;

 private:
  std::string raw_;
  std::string scheme_;
  std::string user_;
  std::string password_;
  std::string raw_password_;  // as written, before percent-decoding
  std::string host_;
  int port_ = 0;
  std::string database_;
  std::map<std::string, std::string> params_;
  // Where database_ is written in raw_ ([first, second)); for a server URL
  // without a path, the empty span where "/<database>" would go.
  std::pair<std::size_t, std::size_t> database_span_{0, 0};
  bool database_needs_slash_ = false;
  std::string redacted_;  // computed by Parse from the spans that hold secrets
};

}  // namespace dbshift
