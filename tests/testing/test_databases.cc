#include "testing/test_databases.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <mysql.h>

namespace dbshift::testing {
namespace {

void RunAdmin(const std::string& admin_url, const std::string& sql) {
  PGconn* conn = PQconnectdb(admin_url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test server unreachable: " + message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + message);
}

// Replaces the database part of a postgres:// URL (the path after host[:port]).
std::string WithDatabase(const std::string& url, const std::string& database) {
  std::size_t scheme_end = url.find("://");
  std::size_t path = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  std::size_t query = url.find('?');
  std::string base = url.substr(
      0, path == std::string::npos ? (query == std::string::npos ? url.size() : query) : path);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + tail;
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Closes a libmariadb connection when it goes out of scope.
struct MysqlCloser {
  void operator()(MYSQL* conn) const { mysql_close(conn); }
};
struct MysqlResultFree {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};

}  // namespace

MysqlUrl ParseMysqlUrl(const std::string& url) {
  std::string_view rest = url;
  std::size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos)
    throw std::invalid_argument("not a mysql:// URL: " + url);
  rest.remove_prefix(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  MysqlUrl parts;
  std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    parts.database = PercentDecode(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
  }
  std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    std::size_t colon = userinfo.find(':');
    parts.user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) parts.password = PercentDecode(userinfo.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("bad host in URL: " + url);
    parts.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else {
    std::size_t colon = rest.rfind(':');
    parts.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (parts.host.empty()) parts.host = "127.0.0.1";
  if (!port.empty()) {
    try {
      parts.port = static_cast<unsigned>(std::stoul(std::string(port)));
    } catch (const std::exception&) {
      throw std::invalid_argument("bad port in URL: " + url);
    }
  }
  return parts;
}

std::string QueryMysql(const std::string& url, const std::string& sql) {
  // mysql_init initialises the library on first use, which is not thread-safe.
  static std::once_flag library_init;
  std::call_once(library_init, [] { mysql_library_init(0, nullptr, nullptr); });

  MysqlUrl parts = ParseMysqlUrl(url);
  std::unique_ptr<MYSQL, MysqlCloser> conn(mysql_init(nullptr));
  if (!conn) throw std::runtime_error("mysql_init failed");
  unsigned timeout = 10;
  mysql_options(conn.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(conn.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(conn.get(), parts.host.c_str(), parts.user.c_str(), parts.password.c_str(),
                         parts.database.empty() ? nullptr : parts.database.c_str(), parts.port,
                         nullptr, 0) == nullptr) {
    throw std::runtime_error("mysql connect: " + std::string(mysql_error(conn.get())));
  }
  if (mysql_real_query(conn.get(), sql.data(), sql.size()) != 0) {
    throw std::runtime_error("mysql: " + std::string(mysql_error(conn.get())) + " in: " + sql);
  }
  // Every result set (a CALL may return several), then the final status.
  std::string rows;
  for (;;) {
    std::unique_ptr<MYSQL_RES, MysqlResultFree> result(mysql_store_result(conn.get()));
    if (result) {
      unsigned columns = mysql_num_fields(result.get());
      while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
        unsigned long* lengths = mysql_fetch_lengths(result.get());
        for (unsigned column = 0; column < columns; ++column) {
          if (column > 0) rows += '|';
          if (row[column] == nullptr) {
            rows += "NULL";
          } else {
            rows.append(row[column], lengths[column]);
          }
        }
        rows += '\n';
      }
    } else if (mysql_field_count(conn.get()) != 0) {
      throw std::runtime_error("mysql: " + std::string(mysql_error(conn.get())) + " in: " + sql);
    }
    int next = mysql_next_result(conn.get());
    if (next == -1) break;
    if (next > 0)
      throw std::runtime_error("mysql: " + std::string(mysql_error(conn.get())) + " in: " + sql);
  }
  return rows;
}

bool AllEnginesRequired() {
  const char* value = std::getenv("DBSHIFT_REQUIRE_ALL_ENGINES");
  return value != nullptr && std::string(value) == "1";
}

ScopedServerDatabase::ScopedServerDatabase(Engine engine) : engine_(engine) {
  const char* admin = std::getenv(engine_ == Engine::kPostgres ? "DBSHIFT_TEST_POSTGRES_URL"
                                                               : "DBSHIFT_TEST_MYSQL_URL");
  if (admin == nullptr || *admin == '\0') return;
  admin_url_ = admin;
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = fmt::format("dbshift_t_{}_{}_{:x}", getpid(), counter++, random());
  Admin(engine_ == Engine::kPostgres ? fmt::format("CREATE DATABASE \"{}\"", name_)
                                     : fmt::format("CREATE DATABASE `{}`", name_));
  url_ = WithDatabase(admin_url_, name_);
}

ScopedServerDatabase::~ScopedServerDatabase() {
  if (name_.empty()) return;
  try {
    Admin(engine_ == Engine::kPostgres
              ? fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name_)
              : fmt::format("DROP DATABASE IF EXISTS `{}`", name_));
  } catch (const std::exception&) {
    // A leftover database in a throwaway server harms nothing.
  }
}

void ScopedServerDatabase::Admin(const std::string& sql) const {
  if (engine_ == Engine::kPostgres) {
    RunAdmin(admin_url_, sql);
  } else {
    QueryMysql(admin_url_, sql);
  }
}

}  // namespace dbshift::testing
