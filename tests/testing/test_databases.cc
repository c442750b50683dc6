#include "testing/test_databases.h"

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

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
  std::string base = url.substr(0, path == std::string::npos ? (query == std::string::npos ? url.size() : query) : path);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + database + tail;
}

}  // namespace

bool AllEnginesRequired() {
  const char* value = std::getenv("DBSHIFT_REQUIRE_ALL_ENGINES");
  return value != nullptr && std::string(value) == "1";
}

ScopedPostgresDatabase::ScopedPostgresDatabase() {
  const char* admin = std::getenv("DBSHIFT_TEST_POSTGRES_URL");
  if (admin == nullptr || *admin == '\0') return;
  admin_url_ = admin;
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = fmt::format("dbshift_t_{}_{}_{:x}", getpid(), counter++, random());
  RunAdmin(admin_url_, fmt::format("CREATE DATABASE \"{}\"", name_));
  url_ = WithDatabase(admin_url_, name_);
}

ScopedPostgresDatabase::~ScopedPostgresDatabase() {
  if (name_.empty()) return;
  try {
    RunAdmin(admin_url_, fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name_));
  } catch (const std::exception&) {
    // A leftover database in a throwaway cluster harms nothing.
  }
}

}  // namespace dbshift::testing
