// Pure logic of the MySQL driver: URL parameters, error positions, lock
// names. No server needed.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/mysql/connect_options.h"
#include "dbshift/driver/mysql/mysql_connection.h"
#include "dbshift/driver/mysql/mysql_driver.h"

namespace dbshift::mysql {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ConnectOptions Options(const std::string& query) {
  return ParseConnectOptions(Url::Parse("mysql://app:pw@db.example:3306/shop" + query));
}

TEST(MysqlConnectOptionsTest, EveryToolsSpellingOfTlsModes) {
  EXPECT_EQ(Options("").tls, TlsMode::kDefault);
  EXPECT_EQ(Options("?sslmode=disable").tls, TlsMode::kDisable);
  EXPECT_EQ(Options("?sslmode=prefer").tls, TlsMode::kPrefer);
  EXPECT_EQ(Options("?sslmode=require").tls, TlsMode::kRequire);
  EXPECT_EQ(Options("?sslmode=verify-full").tls, TlsMode::kVerify);
  EXPECT_EQ(Options("?ssl-mode=VERIFY_IDENTITY").tls, TlsMode::kVerify);
  EXPECT_EQ(Options("?ssl-mode=REQUIRED").tls, TlsMode::kRequire);
  EXPECT_EQ(Options("?tls=skip-verify").tls, TlsMode::kRequire);
  EXPECT_EQ(Options("?tls=true").tls, TlsMode::kVerify);
  EXPECT_EQ(Options("?tls=false").tls, TlsMode::kDisable);
}

TEST(MysqlConnectOptionsTest, CertificateFilesAndSocket) {
  const ConnectOptions options =
      Options("?sslrootcert=/etc/ca.pem&ssl-cert=/c.pem&sslkey=/k.pem&socket=/run/mysqld.sock");
  EXPECT_EQ(options.ca_file, "/etc/ca.pem");
  EXPECT_EQ(options.cert_file, "/c.pem");
  EXPECT_EQ(options.key_file, "/k.pem");
  EXPECT_EQ(options.socket, "/run/mysqld.sock");
  EXPECT_EQ(options.tls, TlsMode::kVerify) << "a CA file without a mode verifies the server";
  EXPECT_EQ(Options("?sslrootcert=/ca.pem&sslmode=require").tls, TlsMode::kRequire);
}

TEST(MysqlConnectOptionsTest, MistakesAreConfigErrorsWithoutThePassword) {
  for (const std::string query :
       {"?sslmode=maybe", "?sslmod=require", "?sslmode=require&tls=true"}) {
    try {
      Options(query);
      ADD_FAILURE() << query;
    } catch (const ConfigError& error) {
      EXPECT_THAT(error.what(), Not(HasSubstr(":pw@"))) << query;
      EXPECT_THAT(error.what(), HasSubstr("mysql://app:***@db.example:3306/shop")) << query;
    }
  }
}

TEST(MysqlErrorPositionTest, PointsAtTheQuotedTextOnTheNamedLine) {
  const std::string sql = "SELECT 1,\n  2 FROM\n  dual garbage garbage";
  // The server quotes the rest of the statement from the error on.
  EXPECT_EQ(ErrorPosition(sql, "You have an error ... near 'garbage' at line 3"),
            static_cast<int>(sql.size() - 7) + 1);
  // Cut at 80 characters: found from the start of its line.
  EXPECT_EQ(ErrorPosition("SELECT x\nFROM t WHERE bad bad", "near 'bad b' at line 2"), 23);
  // Nothing quoted: the statement ended too early.
  EXPECT_EQ(ErrorPosition("SELECT (1", "near '' at line 1"), 9);
  // Characters, not bytes.
  EXPECT_EQ(ErrorPosition("SELECT 'é' oops", "near 'oops' at line 1"), 12);
  // No position in the message.
  EXPECT_EQ(ErrorPosition("SELECT 1", "Table 'db.t' doesn't exist"), 0);
  EXPECT_EQ(ErrorPosition("SELECT 1", "near 'x' at line 9"), 0);
}

TEST(MysqlLockNameTest, StableAndWithinTheServersLimit) {
  EXPECT_EQ(LockName("shop", "dbshift_history"), "dbshift:shop.dbshift_history");
  const std::string long_name = LockName(std::string(64, 'd'), "dbshift_history");
  EXPECT_EQ(long_name.size(), 64u);
  EXPECT_EQ(long_name.rfind("dbshift:", 0), 0u);
  EXPECT_EQ(long_name, LockName(std::string(64, 'd'), "dbshift_history"));
  EXPECT_NE(long_name, LockName(std::string(64, 'e'), "dbshift_history"));
}

}  // namespace
}  // namespace dbshift::mysql
