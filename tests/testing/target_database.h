#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include "testing/test_databases.h"

namespace dbshift::testing {

/// A fresh, empty database of one engine for one test, and a way to look
/// into it that does not go through dbshift (so a test checks dbshift's
/// effect with an independent client). Engines: "sqlite", "postgres",
/// "mysql" (MySQL or MariaDB, through libmariadb).
class TargetDatabase {
 public:
  explicit TargetDatabase(std::string_view engine);
  ~TargetDatabase();
  TargetDatabase(const TargetDatabase&) = delete;
  TargetDatabase& operator=(const TargetDatabase&) = delete;

  const std::string& engine() const { return engine_; }
  /// The URL to pass to dbshift; empty when the engine is not configured.
  const std::string& url() const { return url_; }
  bool available() const { return !url_.empty(); }

  /// Runs `sql` and returns the rows: cells joined by '|', each row ending
  /// in '\n'; NULL as "NULL". Throws std::runtime_error on an SQL error.
  std::string Query(const std::string& sql) const;
  /// True when a table (or view) of that name exists.
  bool HasTable(const std::string& name) const;
  /// Every table, view, index and trigger with its definition, sorted: two
  /// equal snapshots mean an equal schema.
  std::string SchemaSnapshot() const;

  /// A folder for migrations, logs and config of this test.
  const ScopedTempDir& dir() const { return dir_; }

 private:
  std::string engine_;
  ScopedTempDir dir_;
  std::unique_ptr<ScopedPostgresDatabase> postgres_;
  std::unique_ptr<ScopedMysqlDatabase> mysql_;
  std::string url_;
};

/// Engine names for INSTANTIATE_TEST_SUITE_P(..., ::testing::ValuesIn(kEngines)).
inline const std::vector<std::string> kEngines = {"sqlite", "postgres", "mysql"};

}  // namespace dbshift::testing

/// Declares `var` (a TargetDatabase for `engine`) or skips the test when the
/// engine's server is not configured; fails instead when
/// DBSHIFT_REQUIRE_ALL_ENGINES=1.
#define DBSHIFT_TARGET_OR_SKIP(var, engine)                                         \
  ::dbshift::testing::TargetDatabase var(engine);                                   \
  if (!var.available()) {                                                           \
    if (::dbshift::testing::AllEnginesRequired()) {                                 \
      FAIL() << (engine) << " is not configured and DBSHIFT_REQUIRE_ALL_ENGINES=1"; \
    }                                                                               \
    GTEST_SKIP() << (engine) << " is not configured";                               \
  }
