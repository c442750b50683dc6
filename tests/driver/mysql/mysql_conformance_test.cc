// The shared driver conformance suite (tests/driver/conformance.h), run on
// MySQL / MariaDB: each test gets a fresh database on DBSHIFT_TEST_MYSQL_URL.

#include <memory>
#include <string>

#include "driver/conformance.h"
#include "testing/test_databases.h"

namespace {

class MysqlDatabase : public dbshift::testing::EngineDatabase {
 public:
  std::string url() override { return database_.url(); }
  std::string SkipReason() const override { return "DBSHIFT_TEST_MYSQL_URL is unset"; }

 private:
  dbshift::testing::ScopedMysqlDatabase database_;
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Mysql, DriverConformance,
                         ::testing::Values(dbshift::testing::ConformanceEngine{
                             .name = "mysql",
                             .make = [] { return std::make_unique<MysqlDatabase>(); },
                             // Port 1 on loopback: refused at once, and the password must not leak.
                             .bad_url = "mysql://root:S3cr3t-p%40ss@127.0.0.1:1/mysql",
                             .bad_url_secret = "S3cr3t",
                             .reports_error_position = true,
                         }),
                         dbshift::testing::ConformanceEngineName);
