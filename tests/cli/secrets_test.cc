// A password given to dbshift (in the URL, percent-encoded or as a query
// parameter, in DATABASE_URL, or in PGPASSWORD) never shows in stdout,
// stderr, the run log or the history table; connection failures exit 6 and
// name the target without its password.
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/url.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "Sup3r-S3cret!pw";
constexpr const char* kEncodedPassword = "Sup3r-S3cret%21pw";
// Any of these in an output means (part of) the password leaked.
const std::vector<std::string> kLeakMarkers = {kPassword, kEncodedPassword, "Sup3r", "S3cret"};

void ExpectNoSecret(const std::string& where, const std::string& text) {
  for (const std::string& marker : kLeakMarkers) {
    EXPECT_THAT(text, Not(HasSubstr(marker))) << "the password leaked in " << where;
  }
}

// How the test hands the password to dbshift.
enum class Credentials { kUrl, kQueryParameter, kDatabaseUrl, kPgPassword };

std::string CredentialsName(const ::testing::TestParamInfo<Credentials>& info) {
  switch (info.param) {
    case Credentials::kUrl:
      return "Url";
    case Credentials::kQueryParameter:
      return "QueryParameter";
    case Credentials::kDatabaseUrl:
      return "DatabaseUrl";
    case Credentials::kPgPassword:
      return "PgPassword";
  }
  return "unknown";
}

// A fresh PostgreSQL database and a login role with a password that may
// create tables in it. The test cluster trusts local logins, so any
// password works; what matters is that it never leaks.
class SecretsTest : public ::testing::TestWithParam<Credentials> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TargetDatabase>("postgres");
    if (!db_->available()) {
      if (AllEnginesRequired()) FAIL() << "postgres is not configured";
      GTEST_SKIP() << "postgres is not configured";
    }
    role_ = fmt::format("dbshift_secret_user_{}", getpid());
    const Url admin = Url::Parse(db_->url());
    host_port_ = fmt::format("{}:{}", admin.host(), admin.port());
    database_ = admin.database();
    db_->Query(fmt::format(
        "DO $$ BEGIN CREATE ROLE {0} LOGIN PASSWORD '{1}'; "
        "EXCEPTION WHEN duplicate_object THEN ALTER ROLE {0} LOGIN PASSWORD '{1}'; END $$",
        role_, kPassword));
    db_->Query(fmt::format("GRANT CREATE ON DATABASE \"{}\" TO {}", database_, role_));
    db_->Query(fmt::format("GRANT CREATE ON SCHEMA public TO {}", role_));
    role_created_ = true;
    std::filesystem::create_directories(dir() / "work");
  }

  void TearDown() override {
    if (!role_created_) return;
    try {
      db_->Query(fmt::format("DROP OWNED BY {}", role_));
      db_->Query(fmt::format("DROP ROLE {}", role_));
    } catch (const std::exception& error) {
      ADD_FAILURE() << "cannot drop the test role: " << error.what();
    }
  }

  const std::filesystem::path& dir() const { return db_->dir().path(); }

  std::string UrlWithoutPassword() const {
    return fmt::format("postgres://{}@{}/{}", role_, host_port_, database_);
  }
  std::string UrlWithPassword() const {
    return fmt::format("postgres://{}:{}@{}/{}", role_, kEncodedPassword, host_port_, database_);
  }

  // dbshift with the password passed the way GetParam() says.
  ProcessResult Dbshift(std::vector<std::string> args) {
    ProcessSpec spec;
    spec.cwd = dir() / "work";
    spec.env["DATABASE_URL"] = std::nullopt;
    spec.env["PGPASSWORD"] = std::nullopt;
    spec.args = {"--dir", (dir() / "migrations").string(), "--log-dir", (dir() / "log").string()};
    switch (GetParam()) {
      case Credentials::kUrl:
        spec.args.insert(spec.args.end(), {"--url", UrlWithPassword()});
        break;
      case Credentials::kQueryParameter:
        spec.args.insert(spec.args.end(),
                         {"--url", UrlWithoutPassword() + "?password=" + kEncodedPassword});
        break;
      case Credentials::kDatabaseUrl:
        spec.env["DATABASE_URL"] = UrlWithPassword();
        break;
      case Credentials::kPgPassword:
        spec.args.insert(spec.args.end(), {"--url", UrlWithoutPassword()});
        spec.env["PGPASSWORD"] = kPassword;
        break;
    }
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    ProcessResult result = RunProcess(DbshiftBinary(), spec);
    std::string command;
    for (const std::string& arg : args) command += " " + arg;
    ExpectNoSecret("stdout of" + command, result.out);
    ExpectNoSecret("stderr of" + command, result.err);
    return result;
  }

  std::unique_ptr<TargetDatabase> db_;
  std::string role_;
  std::string host_port_;
  std::string database_;
  bool role_created_ = false;
};

TEST_P(SecretsTest, PasswordAppearsInNoOutputLogOrHistory) {
  db_->dir().Write("migrations/V1__one.sql", "CREATE TABLE one (id INTEGER);\n");
  db_->dir().Write("migrations/U1__one.sql", "DROP TABLE one;\n");
  db_->dir().Write("migrations/V2__two.sql", "CREATE TABLE two (id INTEGER);\n");
  db_->dir().Write("migrations/U2__two.sql", "DROP TABLE two;\n");
  db_->dir().Write("migrations/V3__broken.sql", "SELECT * FROM no_such_table_here;\n");

  ProcessResult up = Dbshift({"-v", "up"});
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_THAT(up.err, HasSubstr("no_such_table_here"));
  EXPECT_THAT(up.out, HasSubstr(fmt::format("Target: postgres://{}", role_)));
  EXPECT_THAT(up.out, HasSubstr(host_port_));
  if (GetParam() == Credentials::kUrl || GetParam() == Credentials::kDatabaseUrl) {
    EXPECT_THAT(up.out, HasSubstr(fmt::format("{}:***@{}", role_, host_port_)));
  }
  if (GetParam() == Credentials::kQueryParameter) {
    EXPECT_THAT(up.out, HasSubstr("?password=***"));
  }
  ProcessResult up_json = Dbshift({"--format", "json", "up"});
  EXPECT_EQ(up_json.exit_code, 1) << up_json.err;
  EXPECT_EQ(ParseJson(up_json.out)["error"]["version"], "3") << up_json.out;

  for (const std::string format : {"text", "json"}) {
    SCOPED_TRACE(format);
    ProcessResult status = Dbshift({"--format", format, "status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    ProcessResult validate = Dbshift({"--format", format, "validate"});
    EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
    ProcessResult lock = Dbshift({"--format", format, "lock", "status"});
    EXPECT_EQ(lock.exit_code, 0) << lock.err;
    ProcessResult down = Dbshift({"--format", format, "--yes", "down"});
    EXPECT_EQ(down.exit_code, 0) << down.err;
  }
  EXPECT_FALSE(db_->HasTable("one"));
  EXPECT_FALSE(db_->HasTable("two"));

  // The run log: every file of every run.
  int log_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir() / "log")) {
    if (!entry.is_regular_file()) continue;
    ++log_files;
    ExpectNoSecret("run log " + entry.path().string(), ReadFile(entry.path()));
  }
  EXPECT_GE(log_files, 4);  // two runs of up, two of down at least

  // Every column of every history row.
  std::string history = db_->Query("SELECT * FROM dbshift_history ORDER BY installed_rank");
  EXPECT_THAT(history, HasSubstr("undo"));  // the table is really there
  ExpectNoSecret("the history table", history);
  // dbshift really logged in as the role with the password.
  EXPECT_EQ(db_->Query("SELECT tableowner FROM pg_tables WHERE tablename = 'dbshift_history'"),
            role_ + "\n");
}

INSTANTIATE_TEST_SUITE_P(Secrets, SecretsTest,
                         ::testing::Values(Credentials::kUrl, Credentials::kQueryParameter,
                                           Credentials::kDatabaseUrl, Credentials::kPgPassword),
                         CredentialsName);

// Failures to connect, and URLs that do not parse: the exit code of DESIGN
// ("6 cannot connect", "2 usage or config error") and no password.
class SecretsConnectFailureTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);\n"); }

  ProcessResult Dbshift(const std::string& url, std::vector<std::string> args) const {
    ProcessSpec spec;
    spec.cwd = dir_.path();
    spec.env["DATABASE_URL"] = std::nullopt;
    spec.env["PGPASSWORD"] = std::nullopt;
    spec.args = {"--url",     url,
                 "--dir",     (dir_.path() / "migrations").string(),
                 "--log-dir", (dir_.path() / "log").string()};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    ProcessResult result = RunProcess(DbshiftBinary(), spec);
    ExpectNoSecret("stdout", result.out);
    ExpectNoSecret("stderr", result.err);
    return result;
  }

  ScopedTempDir dir_;
};

TEST_F(SecretsConnectFailureTest, UnreachableServerExitsSixNamingTheTargetNotThePassword) {
  const std::string url = "postgres://u:Sup3r-S3cret@127.0.0.1:1/x";
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"status"}, {"up"}, {"lock", "status"}}) {
    SCOPED_TRACE(command.front());
    ProcessResult result = Dbshift(url, command);
    EXPECT_EQ(result.exit_code, 6) << result.err;
    EXPECT_THAT(result.err, HasSubstr("127.0.0.1:1"));
    EXPECT_THAT(result.err, HasSubstr("u:***@127.0.0.1:1/x"));
  }
  ProcessResult query = Dbshift("postgres://u@127.0.0.1:1/x?password=Sup3r-S3cret", {"status"});
  EXPECT_EQ(query.exit_code, 6) << query.err;
  EXPECT_THAT(query.err, HasSubstr("u@127.0.0.1:1/x?password=***"));

  std::vector<std::string> json_up = {"--format", "json", "up"};
  ProcessResult json = Dbshift(url, json_up);
  EXPECT_EQ(json.exit_code, 6);
  nlohmann::json document = ParseJson(json.out);
  EXPECT_EQ(document["error"]["exit_code"], 6);
  EXPECT_THAT(document["error"]["message"].get<std::string>(), HasSubstr("127.0.0.1:1"));
}

TEST_F(SecretsConnectFailureTest, MissingDatabaseExitsSix) {
  TargetDatabase server("postgres");  // for the server's address only
  if (!server.available()) {
    if (AllEnginesRequired()) FAIL() << "postgres is not configured";
    GTEST_SKIP() << "postgres is not configured";
  }
  const Url admin = Url::Parse(server.url());
  const std::string missing = fmt::format("dbshift_no_such_database_{}", getpid());
  const std::string url = fmt::format("postgres://{}:{}@{}:{}/{}", admin.user(), kEncodedPassword,
                                      admin.host(), admin.port(), missing);
  ProcessResult result = Dbshift(url, {"status"});
  EXPECT_EQ(result.exit_code, 6) << result.err;
  EXPECT_THAT(result.err, HasSubstr(missing));
  ProcessResult up = Dbshift(url, {"up"});
  EXPECT_EQ(up.exit_code, 6) << up.err;
}

TEST_F(SecretsConnectFailureTest, UnparsableUrlExitsTwoWithoutThePassword) {
  for (const std::string url : {"postgres://u:Sup3r-S3cret@127.0.0.1:notaport/x",
                                "postgres://u:Sup3r%ZZS3cret@127.0.0.1:5432/x"}) {
    SCOPED_TRACE(url);
    ProcessResult result = Dbshift(url, {"status"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_THAT(result.err, HasSubstr("is not a database URL"));
    EXPECT_THAT(result.err, HasSubstr("127.0.0.1"));
  }
}

// libpq ends the user info at the first '@', url.cc at the last: a raw '@'
// in a password would make libpq connect elsewhere than the target dbshift
// names, and its error would quote the rest of the password as the host
// (found by this test; now refused as a config error, exit 2).
TEST_F(SecretsConnectFailureTest, RawAtSignInPasswordIsRefusedWithoutLeaking) {
  ProcessResult result = Dbshift("postgres://u:Sup3r@%2Ftmp%2FS3cret@127.0.0.1:1/x", {"status"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("%40"));
  EXPECT_THAT(result.err, HasSubstr("127.0.0.1:1/x"));
  EXPECT_THAT(result.err, Not(HasSubstr("socket"))) << "libpq tried to connect";
}

// DESIGN: "6 cannot connect". A SQLite file whose folder does not exist
// cannot be opened (SQLite creates files, not folders).
TEST_F(SecretsConnectFailureTest, SqliteFileInAMissingFolderExitsSix) {
  const std::string path = (dir_.path() / "no" / "such" / "folder" / "app.db").string();
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"status"}, {"up"}, {"lock", "status"}}) {
    SCOPED_TRACE(command.front());
    ProcessResult result = Dbshift("sqlite:" + path, command);
    EXPECT_EQ(result.exit_code, 6) << result.err;
    EXPECT_THAT(result.err, HasSubstr(path));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "no"));
}

}  // namespace
}  // namespace dbshift::testing
