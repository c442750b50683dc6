#include "dbshift/driver/mysql/mysql_connection.h"

#include <algorithm>
#include <cstdlib>
#include <errmsg.h>
#include <poll.h>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/driver/mysql/connect_options.h"

namespace dbshift::mysql {
namespace {

// Client errors that mean the connection is gone: the caller must not go on
// as if the server had merely rejected a statement.
bool IsConnectionLoss(unsigned code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
         code == CR_SERVER_LOST_EXTENDED || code == CR_CONNECTION_ERROR ||
         code == CR_CONN_HOST_ERROR;
}

// The number of UTF-8 code points in text[0, bytes): engines report error
// positions in characters.
int CodePoints(std::string_view text, std::size_t bytes) {
  int count = 0;
  for (std::size_t i = 0; i < bytes && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++count;
  }
  return count;
}

void SetFlag(MYSQL* handle, mysql_option option, bool on) {
  my_bool value = on ? 1 : 0;
  Libmariadb().mysql_optionsv(handle, option, &value);
}

void SetText(MYSQL* handle, mysql_option option, const std::string& value) {
  if (!value.empty()) Libmariadb().mysql_optionsv(handle, option, value.c_str());
}

// Connection options for one attempt; `use_tls` says whether this attempt
// asks for TLS (the fallback of sslmode=prefer does not).
void Configure(MYSQL* handle, const ConnectOptions& options, bool use_tls,
               std::chrono::milliseconds connect_timeout, const ConnectAttributes& attributes) {
  for (const auto& [name, value] : attributes) {
    Libmariadb().mysql_optionsv(handle, MYSQL_OPT_CONNECT_ATTR_ADD, name.c_str(), value.c_str());
  }
  // Whole seconds, at least one: 0 would mean the library's default.
  unsigned int seconds =
      static_cast<unsigned int>(std::max<int64_t>(1, (connect_timeout.count() + 999) / 1000));
  Libmariadb().mysql_optionsv(handle, MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
  // Scripts are UTF-8, and error positions are counted in characters.
  Libmariadb().mysql_optionsv(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // A migration never reads client files; a hostile server must not either.
  SetFlag(handle, MYSQL_OPT_LOCAL_INFILE, false);
  if (!use_tls) return;
  SetFlag(handle, MYSQL_OPT_SSL_ENFORCE, true);
  SetFlag(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, options.tls == TlsMode::kVerify);
  SetText(handle, MYSQL_OPT_SSL_CA, options.ca_file);
  SetText(handle, MYSQL_OPT_SSL_CERT, options.cert_file);
  SetText(handle, MYSQL_OPT_SSL_KEY, options.key_file);
}

}  // namespace

Connection::Connection(const Url& url, std::chrono::milliseconds connect_timeout,
                       const ConnectAttributes& attributes)
    : url_(url) {
  const ConnectOptions options = ParseConnectOptions(url_);
  if (url_.database().empty()) {
    throw ConfigError(
        fmt::format("{}: the URL names no database (mysql://user@host/DATABASE)", url_.Redacted()));
  }
  const bool want_tls = options.tls == TlsMode::kPrefer || options.tls == TlsMode::kRequire ||
                        options.tls == TlsMode::kVerify;
  for (bool use_tls : {want_tls, false}) {
    handle_ = Libmariadb().mysql_init(nullptr);
    if (handle_ == nullptr) {
      throw ConnectError(fmt::format("cannot connect to {}: out of memory", url_.Redacted()));
    }
    Configure(handle_, options, use_tls, connect_timeout, attributes);
    const std::string host = url_.host().empty() ? "localhost" : url_.host();
    // CLIENT_MULTI_RESULTS: a CALL returns its procedure's result sets and a
    // final status, which the client must be able to read.
    if (Libmariadb().mysql_real_connect(handle_, options.socket.empty() ? host.c_str() : nullptr,
                                        url_.user().empty() ? nullptr : url_.user().c_str(),
                                        url_.password().empty() ? nullptr : url_.password().c_str(),
                                        url_.database().c_str(),
                                        static_cast<unsigned int>(url_.port()),
                                        options.socket.empty() ? nullptr : options.socket.c_str(),
                                        CLIENT_MULTI_RESULTS) != nullptr) {
      // libmariadb 3.3 falls back to a plain connection when the server has
      // no TLS, even when told to enforce it: check, and refuse.
      if (!use_tls || options.tls == TlsMode::kPrefer ||
          Libmariadb().mysql_get_ssl_cipher(handle_) != nullptr) {
        return;
      }
      Libmariadb().mysql_close(handle_);
      handle_ = nullptr;
      throw ConnectError(fmt::format(
          "cannot connect to {}: the URL requires TLS (sslmode) but the server did not use it",
          url_.Redacted()));
    }
    const unsigned code = Libmariadb().mysql_errno(handle_);
    const std::string message = url_.Scrub(Libmariadb().mysql_error(handle_));
    Libmariadb().mysql_close(handle_);
    handle_ = nullptr;
    // sslmode=prefer: a server without TLS gets a plain connection.
    if (use_tls && options.tls == TlsMode::kPrefer && code == CR_SSL_CONNECTION_ERROR) continue;
    throw ConnectError(fmt::format("cannot connect to {}: {}", url_.Redacted(), message));
  }
}

Connection::~Connection() {
  if (handle_ != nullptr) Libmariadb().mysql_close(handle_);
}

void Connection::Fail(std::string_view sql) {
  const unsigned code = Libmariadb().mysql_errno(handle_);
  const std::string message = url_.Scrub(Libmariadb().mysql_error(handle_));
  if (IsConnectionLoss(code)) {
    broken_ = true;
    throw ConnectError(fmt::format("lost connection to {}: {}", url_.Redacted(), message));
  }
  const std::string sqlstate = Libmariadb().mysql_sqlstate(handle_);
  // The mysql client's form, so the code can be looked up in the manual.
  throw SqlError(fmt::format("ERROR {} ({}): {}", code, sqlstate, message), sqlstate,
                 ErrorPosition(sql, message));
}

QueryRows Connection::DrainResults(bool keep_first) {
  QueryRows rows;
  bool first = true;
  while (true) {
    MYSQL_RES* result = Libmariadb().mysql_store_result(handle_);
    if (result != nullptr) {
      if (keep_first && first) {
        const unsigned columns = Libmariadb().mysql_num_fields(result);
        while (MYSQL_ROW row = Libmariadb().mysql_fetch_row(result)) {
          const unsigned long* lengths = Libmariadb().mysql_fetch_lengths(result);
          std::vector<std::optional<std::string>>& out = rows.emplace_back();
          out.reserve(columns);
          for (unsigned c = 0; c < columns; ++c) {
            if (row[c] == nullptr) {
              out.emplace_back(std::nullopt);
            } else {
              out.emplace_back(std::string(row[c], lengths[c]));
            }
          }
        }
      }
      first = false;
      Libmariadb().mysql_free_result(result);
    } else if (Libmariadb().mysql_errno(handle_) != 0) {
      Fail("");
    }
    const int next = Libmariadb().mysql_next_result(handle_);
    if (next < 0) return rows;
    if (next > 0) Fail("");
  }
}

bool Connection::ClosedByServer() {
  if (broken_) return true;
  pollfd socket{static_cast<int>(Libmariadb().mysql_get_socket(handle_)), POLLIN, 0};
  if (::poll(&socket, 1, 0) <= 0) return false;
  // Bytes or the end of the stream on an idle connection: the server ended
  // it (KILL, wait_timeout, a restart). A statement tells.
  try {
    Exec("DO 1");
  } catch (const Error&) {
    // broken_ has the answer; any other error leaves the connection usable.
  }
  return broken_;
}

void Connection::Exec(std::string_view sql) {
  if (Libmariadb().mysql_real_query(handle_, sql.data(), sql.size()) != 0) Fail(sql);
  DrainResults(false);
}

QueryRows Connection::Query(std::string_view sql) {
  if (Libmariadb().mysql_real_query(handle_, sql.data(), sql.size()) != 0) Fail(sql);
  return DrainResults(true);
}

std::string Connection::Literal(std::string_view value) {
  std::string escaped(value.size() * 2 + 1, '\0');
  const unsigned long length =
      Libmariadb().mysql_real_escape_string(handle_, escaped.data(), value.data(), value.size());
  escaped.resize(length);
  return "'" + escaped + "'";
}

unsigned long Connection::ThreadId() { return Libmariadb().mysql_thread_id(handle_); }

std::string Connection::ServerInfo() { return Libmariadb().mysql_get_server_info(handle_); }

int ErrorPosition(std::string_view sql, std::string_view message) {
  constexpr std::string_view kAtLine = "' at line ";
  constexpr std::string_view kNear = "near '";
  const std::size_t at = message.rfind(kAtLine);
  const std::size_t near = message.find(kNear);
  if (at == std::string_view::npos || near == std::string_view::npos || near > at) return 0;
  const int line = std::atoi(std::string(message.substr(at + kAtLine.size())).c_str());
  if (line < 1) return 0;
  std::size_t line_start = 0;
  for (int i = 1; i < line; ++i) {
    line_start = sql.find('\n', line_start);
    if (line_start == std::string_view::npos) return 0;
    ++line_start;
  }
  // The server quotes the text from the error on (at most 80 characters,
  // cut anywhere); an empty quote means the statement ended too early.
  const std::string_view snippet = message.substr(near + kNear.size(), at - near - kNear.size());
  std::size_t offset = line_start;
  if (snippet.empty()) {
    offset = sql.empty() ? 0 : sql.size() - 1;
  } else if (sql.ends_with(snippet)) {
    // The whole rest of the statement: unambiguous even if the text repeats.
    offset = sql.size() - snippet.size();
  } else {
    const std::size_t found = sql.find(snippet, line_start);
    if (found != std::string_view::npos) offset = found;
  }
  return CodePoints(sql, offset) + 1;
}

}  // namespace dbshift::mysql
