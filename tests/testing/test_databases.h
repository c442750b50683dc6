#pragma once

#include <string>

#include <gtest/gtest.h>

namespace dbshift::testing {

/// Integration tests find their servers through environment variables that
/// scripts/test.sh sets:
///   DBSHIFT_TEST_POSTGRES_URL  an admin URL (may create and drop databases)
///   DBSHIFT_TEST_MYSQL_URL     the same for MySQL/MariaDB:
///                              mysql://user:password@127.0.0.1:PORT/mysql
///   DBSHIFT_REQUIRE_ALL_ENGINES=1  turns a missing server into a failure
/// Without a URL, tests skip (dbmate's GetenvURLOrSkip).
bool AllEnginesRequired();

/// A database created for one test on a server named by an environment
/// variable (DBSHIFT_TEST_POSTGRES_URL, DBSHIFT_TEST_MYSQL_URL) and dropped
/// when it goes out of scope. url() is empty when the variable is unset.
class ScopedServerDatabase {
 public:
  enum class Engine { kPostgres, kMysql };
  explicit ScopedServerDatabase(Engine engine);
  ~ScopedServerDatabase();
  ScopedServerDatabase(const ScopedServerDatabase&) = delete;
  ScopedServerDatabase& operator=(const ScopedServerDatabase&) = delete;

  bool available() const { return !url_.empty(); }
  /// <scheme>://...@127.0.0.1:PORT/<fresh database>
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  // Runs one administrative statement on the admin URL's database.
  void Admin(const std::string& sql) const;

  Engine engine_;
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

class ScopedPostgresDatabase : public ScopedServerDatabase {
 public:
  ScopedPostgresDatabase() : ScopedServerDatabase(Engine::kPostgres) {}
};

/// The parts of a mysql://user:password@host:port/database URL (user,
/// password and database percent-decoded; the query string is ignored).
struct MysqlUrl {
  std::string user;
  std::string password;
  std::string host;
  unsigned port = 3306;
  std::string database;
};
MysqlUrl ParseMysqlUrl(const std::string& url);

/// Runs one statement through libmariadb on the server and database of a
/// mysql:// URL and returns the rows: cells joined by '|', each row ending in
/// '\n'; NULL as "NULL". Throws std::runtime_error with the server's message.
std::string QueryMysql(const std::string& url, const std::string& sql);

class ScopedMysqlDatabase : public ScopedServerDatabase {
 public:
  ScopedMysqlDatabase() : ScopedServerDatabase(Engine::kMysql) {}
};

}  // namespace dbshift::testing

/// Declares `var` (a ScopedPostgresDatabase) or skips the test when no server
/// is configured; fails instead when DBSHIFT_REQUIRE_ALL_ENGINES=1.
#define DBSHIFT_POSTGRES_DATABASE_OR_SKIP(var)                                          \
  ::dbshift::testing::ScopedPostgresDatabase var;                                       \
  if (!var.available()) {                                                               \
    if (::dbshift::testing::AllEnginesRequired()) {                                     \
      FAIL() << "DBSHIFT_TEST_POSTGRES_URL is unset and DBSHIFT_REQUIRE_ALL_ENGINES=1"; \
    }                                                                                   \
    GTEST_SKIP() << "DBSHIFT_TEST_POSTGRES_URL is unset";                               \
  }

/// Declares `var` (a ScopedMysqlDatabase) or skips the test when no server is
/// configured; fails instead when DBSHIFT_REQUIRE_ALL_ENGINES=1.
#define DBSHIFT_MYSQL_DATABASE_OR_SKIP(var)                                          \
  ::dbshift::testing::ScopedMysqlDatabase var;                                       \
  if (!var.available()) {                                                            \
    if (::dbshift::testing::AllEnginesRequired()) {                                  \
      FAIL() << "DBSHIFT_TEST_MYSQL_URL is unset and DBSHIFT_REQUIRE_ALL_ENGINES=1"; \
    }                                                                                \
    GTEST_SKIP() << "DBSHIFT_TEST_MYSQL_URL is unset";                               \
  }
