#pragma once

#include <string>

#include <gtest/gtest.h>

namespace dbshift::testing {

/// Integration tests find their servers through environment variables that
/// scripts/test.sh sets:
///   DBSHIFT_TEST_POSTGRES_URL  an admin URL (may create and drop databases)
///   DBSHIFT_REQUIRE_ALL_ENGINES=1  turns a missing server into a failure
/// Without a URL, tests skip (dbmate's GetenvURLOrSkip).
bool AllEnginesRequired();

/// A database created for one test on the PostgreSQL server named by
/// DBSHIFT_TEST_POSTGRES_URL and dropped (with FORCE) when it goes out of
/// scope. url() is empty when the variable is unset.
class ScopedPostgresDatabase {
 public:
  ScopedPostgresDatabase();
  ~ScopedPostgresDatabase();
  ScopedPostgresDatabase(const ScopedPostgresDatabase&) = delete;
  ScopedPostgresDatabase& operator=(const ScopedPostgresDatabase&) = delete;

  bool available() const { return !url_.empty(); }
  /// postgres://...@127.0.0.1:PORT/<fresh database>
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace dbshift::testing

/// Declares `var` (a ScopedPostgresDatabase) or skips the test when no server
/// is configured; fails instead when DBSHIFT_REQUIRE_ALL_ENGINES=1.
#define DBSHIFT_POSTGRES_DATABASE_OR_SKIP(var)                                     \
  ::dbshift::testing::ScopedPostgresDatabase var;                                  \
  if (!var.available()) {                                                          \
    if (::dbshift::testing::AllEnginesRequired()) {                                \
      FAIL() << "DBSHIFT_TEST_POSTGRES_URL is unset and DBSHIFT_REQUIRE_ALL_ENGINES=1"; \
    }                                                                              \
    GTEST_SKIP() << "DBSHIFT_TEST_POSTGRES_URL is unset";                          \
  }
