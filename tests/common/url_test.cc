#include "dbshift/common/url.h"

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct ParseCase {
  std::string text;
  std::string scheme;
  std::string user;
  std::string password;
  std::string host;
  int port;
  std::string database;
  std::map<std::string, std::string> params;
  std::string redacted;
};

class UrlParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(UrlParseTest, ParsesEveryPart) {
  const ParseCase& c = GetParam();
  const Url url = Url::Parse(c.text);
  EXPECT_EQ(url.raw(), c.text);
  EXPECT_EQ(url.scheme(), c.scheme);
  EXPECT_EQ(url.user(), c.user);
  EXPECT_EQ(url.password(), c.password);
  EXPECT_EQ(url.host(), c.host);
  EXPECT_EQ(url.port(), c.port);
  EXPECT_EQ(url.database(), c.database);
  EXPECT_EQ(url.params(), c.params);
  EXPECT_EQ(url.Redacted(), c.redacted);
}

const ParseCase kParseCases[] = {
    // SQLite forms.
    {"sqlite:./app.db", "sqlite", "", "", "", 0, "./app.db", {}, "sqlite:./app.db"},
    {"sqlite:app.db", "sqlite", "", "", "", 0, "app.db", {}, "sqlite:app.db"},
    {"sqlite:///abs/path.db", "sqlite", "", "", "", 0, "/abs/path.db", {}, "sqlite:///abs/path.db"},
    {"sqlite://rel/path.db", "sqlite", "", "", "", 0, "rel/path.db", {}, "sqlite://rel/path.db"},
    {"sqlite::memory:", "sqlite", "", "", "", 0, ":memory:", {}, "sqlite::memory:"},
    {"SQLite:x.db", "sqlite", "", "", "", 0, "x.db", {}, "SQLite:x.db"},
    {"sqlite:/tmp/100%.db", "sqlite", "", "", "", 0, "/tmp/100%.db", {}, "sqlite:/tmp/100%.db"},
    {"sqlite:a.db?mode=ro",
     "sqlite",
     "",
     "",
     "",
     0,
     "a.db",
     {{"mode", "ro"}},
     "sqlite:a.db?mode=ro"},
    // PostgreSQL.
    {"postgres://alice:s3cret@db.example.com:5433/app?sslmode=require",
     "postgres",
     "alice",
     "s3cret",
     "db.example.com",
     5433,
     "app",
     {{"sslmode", "require"}},
     "postgres://alice:***@db.example.com:5433/app?sslmode=require"},
    {"postgresql://alice@localhost/app",
     "postgres",
     "alice",
     "",
     "localhost",
     0,
     "app",
     {},
     "postgresql://alice@localhost/app"},
    {"postgres://localhost", "postgres", "", "", "localhost", 0, "", {}, "postgres://localhost"},
    // Empty host: unix socket or libpq defaults.
    {"postgres:///app", "postgres", "", "", "", 0, "app", {}, "postgres:///app"},
    {"postgres://", "postgres", "", "", "", 0, "", {}, "postgres://"},
    {"postgres://%2Fvar%2Frun%2Fpostgresql/app",
     "postgres",
     "",
     "",
     "/var/run/postgresql",
     0,
     "app",
     {},
     "postgres://%2Fvar%2Frun%2Fpostgresql/app"},
    // Empty password is still shown as masked: it was given.
    {"postgres://bob:@h/app", "postgres", "bob", "", "h", 0, "app", {}, "postgres://bob:***@h/app"},
    // Password without a user.
    {"postgres://:pw12@h/app", "postgres", "", "pw12", "h", 0, "app", {}, "postgres://:***@h/app"},
    // Percent-encoded reserved characters in the password.
    {"postgres://u:p%40ss%3Aw%2Fo%25rd%3B%3F%23@h:5432/d",
     "postgres",
     "u",
     "p@ss:w/o%rd;?#",
     "h",
     5432,
     "d",
     {},
     "postgres://u:***@h:5432/d"},
    // A raw '?' in the password.
    {"postgres://u:pass?x@h/d", "postgres", "u", "pass?x", "h", 0, "d", {}, "postgres://u:***@h/d"},
    // Unicode, raw and percent-encoded.
    {"postgres://j\xc3\xbcrgen:gr\xc3\xbc\xc3\x9f@h/d",
     "postgres",
     "j\xc3\xbcrgen",
     "gr\xc3\xbc\xc3\x9f",
     "h",
     0,
     "d",
     {},
     "postgres://j\xc3\xbcrgen:***@h/d"},
    {"postgres://u:gr%C3%BC%C3%9F@h/d",
     "postgres",
     "u",
     "gr\xc3\xbc\xc3\x9f",
     "h",
     0,
     "d",
     {},
     "postgres://u:***@h/d"},
    // Percent-encoded user and database.
    {"postgres://my%20user:x@h/my%20db",
     "postgres",
     "my user",
     "x",
     "h",
     0,
     "my db",
     {},
     "postgres://my%20user:***@h/my%20db"},
    // IPv6 hosts.
    {"postgres://u:pw@[::1]:5432/d",
     "postgres",
     "u",
     "pw",
     "::1",
     5432,
     "d",
     {},
     "postgres://u:***@[::1]:5432/d"},
    {"postgres://[fe80::1%25eth0]/d",
     "postgres",
     "",
     "",
     "fe80::1%eth0",
     0,
     "d",
     {},
     "postgres://[fe80::1%25eth0]/d"},
    // Query parameters: decoded, secret ones masked, others kept.
    {"postgres://h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=a%20b",
     "postgres",
     "",
     "",
     "h",
     0,
     "d",
     {{"sslmode", "verify-full"}, {"sslrootcert", "/etc/ca.pem"}, {"application_name", "a b"}},
     "postgres://h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=a%20b"},
    {"postgres://u@h/d?password=topsecret&sslpassword=keypass&sslkey=/k.pem",
     "postgres",
     "u",
     "",
     "h",
     0,
     "d",
     {{"password", "topsecret"}, {"sslpassword", "keypass"}, {"sslkey", "/k.pem"}},
     "postgres://u@h/d?password=***&sslpassword=***&sslkey=/k.pem"},
    // An '@' inside a query value is not the user info delimiter.
    {"postgres://u:pw@h/d?application_name=me@laptop",
     "postgres",
     "u",
     "pw",
     "h",
     0,
     "d",
     {{"application_name", "me@laptop"}},
     "postgres://u:***@h/d?application_name=me@laptop"},
    {"postgres://h?application_name=me@laptop",
     "postgres",
     "",
     "",
     "h",
     0,
     "",
     {{"application_name", "me@laptop"}},
     "postgres://h?application_name=me@laptop"},
    // libpq's multi-host form is kept whole.
    {"postgres://u@h1:5432,h2:5433/d",
     "postgres",
     "u",
     "",
     "h1:5432,h2:5433",
     0,
     "d",
     {},
     "postgres://u@h1:5432,h2:5433/d"},
    // MySQL / MariaDB.
    {"mysql://root:pa55word@127.0.0.1:3306/shop",
     "mysql",
     "root",
     "pa55word",
     "127.0.0.1",
     3306,
     "shop",
     {},
     "mysql://root:***@127.0.0.1:3306/shop"},
    {"mariadb://app@db/shop?pwd=abcd",
     "mysql",
     "app",
     "",
     "db",
     0,
     "shop",
     {{"pwd", "abcd"}},
     "mariadb://app@db/shop?pwd=***"},
    {"MySQL://u:p@h/d", "mysql", "u", "p", "h", 0, "d", {}, "MySQL://u:***@h/d"},
};

INSTANTIATE_TEST_SUITE_P(Cases, UrlParseTest, ::testing::ValuesIn(kParseCases));

struct BadCase {
  std::string text;
  std::string expected_reason;
  std::string secret;  // must not appear in the message; empty when none
};

class UrlBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(UrlBadTest, ThrowsConfigErrorWithoutSecrets) {
  const BadCase& c = GetParam();
  try {
    Url::Parse(c.text);
    FAIL() << "parsed: " << c.text;
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr(c.expected_reason));
    EXPECT_THAT(message, HasSubstr("sqlite:PATH"));
    EXPECT_THAT(message, HasSubstr("postgres://"));
    EXPECT_THAT(message, HasSubstr("mysql://"));
    if (!c.secret.empty()) {
      EXPECT_THAT(message, Not(HasSubstr(c.secret)));
    }
    EXPECT_EQ(error.code(), ExitCode::kUsage);
  }
}

const BadCase kBadCases[] = {
    {"", "empty", ""},
    {"app.db", "no scheme", ""},
    {"postgress://u:hunter22@h/d", "unknown scheme \"postgress\"", "hunter22"},
    {"oracle://scott:tiger99@h/d", "unknown scheme", "tiger99"},
    {"host=h password=hunter22", "no scheme", "hunter22"},
    {"sqlite:", "path is empty", ""},
    {"sqlite://", "path is empty", ""},
    {"postgres:h/d", "\"//\"", ""},
    {"postgres://u:hunter22@h:99999/d", "port", "hunter22"},
    {"postgres://u:hunter22@h:abc/d", "port", "hunter22"},
    {"postgres://u:hunter22@[::1/d", "IPv6", "hunter22"},
    {"postgres://u:hun%zzter@h/d", "percent-encoding", "hun%zzter"},
    {"postgres://u:hunter22@h/d%", "percent-encoding", "hunter22"},
    // A raw '/' in the password cannot be told from the path: the parse fails
    // on the "port", and the message still hides everything up to the '@'.
    {"postgres://u:hun/ter22@h/d", "port", "ter22"},
    {"mysql://u:hunter22@h/d?password=other-secret&=x", "no name", "other-secret"},
    // libpq ends the user info at the first '@': refuse rather than let two
    // readers of one URL connect to different hosts.
    {"postgres://u:hunt@er22@h/d", "raw '@'", "er22"},
};

INSTANTIATE_TEST_SUITE_P(Cases, UrlBadTest, ::testing::ValuesIn(kBadCases));

TEST(UrlRedactedTest, NeverContainsThePassword) {
  const std::vector<std::string> passwords = {
      "hunter22",   "p@ss",   "a:b",   "s/l/a/s/h",          "100%",
      "semi;colon", "que?ry", "ha#sh", "gr\xc3\xbc\xc3\x9f",
  };
  for (const std::string& password : passwords) {
    std::string encoded;
    for (unsigned char c : password) {
      if (std::isalnum(c)) {
        encoded.push_back(static_cast<char>(c));
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        encoded += {'%', kHex[c >> 4], kHex[c & 15]};
      }
    }
    const Url url = Url::Parse("postgres://user:" + encoded + "@host:5432/db");
    EXPECT_EQ(url.password(), password);
    EXPECT_THAT(url.Redacted(), Not(HasSubstr(password))) << password;
    EXPECT_THAT(url.Redacted(), Not(HasSubstr(encoded))) << encoded;
    EXPECT_EQ(url.Redacted(), "postgres://user:***@host:5432/db");
  }
}

struct ScrubCase {
  std::string url;
  std::string text;
  std::string expected;
};

class UrlScrubTest : public ::testing::TestWithParam<ScrubCase> {};

TEST_P(UrlScrubTest, RemovesSecrets) {
  const ScrubCase& c = GetParam();
  EXPECT_EQ(Url::Parse(c.url).Scrub(c.text), c.expected);
}

const ScrubCase kScrubCases[] = {
    // The raw URL is replaced by its redacted form.
    {"postgres://app:hunter22@db:5432/prod",
     "could not connect to postgres://app:hunter22@db:5432/prod: timeout",
     "could not connect to postgres://app:***@db:5432/prod: timeout"},
    // Realistic libpq messages quoting the password.
    {"postgres://app:hunter22@db/prod",
     "connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  password "
     "authentication failed for user \"app\" (password hunter22)",
     "connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  password "
     "authentication failed for user \"app\" (password ***)"},
    {"postgres://app:p%40ss%2Fword@db/prod",
     "invalid connection option in \"user=app password=p@ss/word host=db\"; raw p%40ss%2Fword",
     "invalid connection option in \"user=app password=*** host=db\"; raw ***"},
    // Secret query parameter values go too.
    {"postgres://app@db/prod?sslpassword=keyphrase1",
     "could not decrypt SSL key with sslpassword keyphrase1",
     "could not decrypt SSL key with sslpassword ***"},
    // Short passwords are only replaced where delimited, so words survive.
    {"postgres://app:ab@db/prod", "password=ab rejected for app:ab@db (table tab)",
     "password=*** rejected for app:***@db (table tab)"},
    {"postgres://app:ab@db/prod", "conninfo password='ab' user=app",
     "conninfo password='***' user=app"},
    {"postgres://app:ab@db/prod", "password=abc is not ab", "password=abc is not ab"},
    {"postgres://app:a@db/prod", "a table named a: app:a@db", "a table named a: app:***@db"},
    // Empty password and no password: nothing to remove.
    {"postgres://app:@db/prod", "error at postgres://app:@db/prod",
     "error at postgres://app:***@db/prod"},
    {"sqlite:./app.db", "no such table: users in ./app.db", "no such table: users in ./app.db"},
    // Every occurrence.
    {"mysql://root:Secret99@h/d", "Secret99 Secret99", "*** ***"},
};

INSTANTIATE_TEST_SUITE_P(Cases, UrlScrubTest, ::testing::ValuesIn(kScrubCases));

struct WithDatabaseCase {
  std::string text;
  std::string database;
  std::string raw;  ///< the URL that comes out
};

class UrlWithDatabaseTest : public ::testing::TestWithParam<WithDatabaseCase> {};

TEST_P(UrlWithDatabaseTest, ReplacesOnlyTheDatabase) {
  const WithDatabaseCase& c = GetParam();
  const Url url = Url::Parse(c.text).WithDatabase(c.database);
  EXPECT_EQ(url.raw(), c.raw);
  EXPECT_EQ(url.database(), c.database);
}

const WithDatabaseCase kWithDatabaseCases[] = {
    {"postgres://app:pw@db:5432/prod?sslmode=require", "scratch_1",
     "postgres://app:pw@db:5432/scratch_1?sslmode=require"},
    {"postgres://app@db", "scratch", "postgres://app@db/scratch"},
    {"postgres://db:5432?application_name=x", "s", "postgres://db:5432/s?application_name=x"},
    {"postgresql://db/old%20name", "new name", "postgresql://db/new%20name"},
    {"mysql://root:pw@127.0.0.1:3306/app", "other", "mysql://root:pw@127.0.0.1:3306/other"},
    {"sqlite:./app.db?mode=ro", "/tmp/x/scratch.db", "sqlite:/tmp/x/scratch.db?mode=ro"},
};

INSTANTIATE_TEST_SUITE_P(Cases, UrlWithDatabaseTest, ::testing::ValuesIn(kWithDatabaseCases));

TEST(UrlWithDatabaseTest, RefusesADatabaseNamedByTheDbnameParameter) {
  const Url url = Url::Parse("postgres://app:secret@db/?dbname=prod");
  try {
    url.WithDatabase("scratch");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("dbname"));
    EXPECT_THAT(error.what(), Not(HasSubstr("secret")));
  }
}

}  // namespace
}  // namespace dbshift
