#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/driver/mysql/libmariadb.h"

namespace dbshift::mysql {

/// Connection attributes (name, value) the server shows in
/// performance_schema.session_connect_attrs.
using ConnectAttributes = std::vector<std::pair<std::string, std::string>>;

/// One libmariadb connection and the single place where its errors become
/// exceptions. Not thread-safe, not copyable.
class Connection {
 public:
  /// Connects to a mysql:// URL (TLS and socket from its query parameters,
  /// see docs/drivers/mysql.md). Throws ConfigError for an unknown or bad
  /// parameter and ConnectError naming the redacted URL.
  Connection(const Url& url, std::chrono::milliseconds connect_timeout,
             const ConnectAttributes& attributes = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// True once a call saw the connection drop.
  bool Broken() const { return broken_; }
  /// On a connection that waits for nothing: true when the server has closed
  /// it. Asks the server (one round trip) only when something has arrived.
  bool ClosedByServer();

  /// Runs `sql` (one statement) and discards any result sets, including the
  /// several a CALL may return. Throws SqlError with the server's code,
  /// SQLSTATE and message (and the error's position in `sql` when the
  /// server names a line), or ConnectError when the connection is lost.
  void Exec(std::string_view sql);
  /// Runs `sql` and returns its first result set as text (NULL as nullopt).
  QueryRows Query(std::string_view sql);

  /// `value` as a quoted string literal in the connection's character set.
  std::string Literal(std::string_view value);
  /// The server's connection id (what IS_USED_LOCK and PROCESSLIST report).
  unsigned long ThreadId();
  /// "10.11.19-MariaDB-0+deb12u1".
  std::string ServerInfo();

 private:
  [[noreturn]] void Fail(std::string_view sql);
  // Reads and frees every pending result; returns the first set when asked.
  QueryRows DrainResults(bool keep_first);

  Url url_;
  MYSQL* handle_ = nullptr;
  bool broken_ = false;
};

/// The 1-based character position in `sql` that a server message of the
/// form "... near 'text' at line N" points at, or 0 when it names none.
int ErrorPosition(std::string_view sql, std::string_view message);

}  // namespace dbshift::mysql
