// dbshift drift as users run it, on SQLite and PostgreSQL: no drift right
// after `up`; columns, indexes, defaults, functions and triggers changed by
// hand are reported in text and JSON with exit 3; the target stays as it
// was and the scratch database is gone afterwards; edited or missing
// migrations stop it as `up` would; MySQL is refused.

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

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class DriftTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(scratch());
  }
  // TMPDIR of the child: where an SQLite scratch database goes.
  std::filesystem::path scratch() { return db().dir().path() / "tmp"; }
  // Names in the live schema: PostgreSQL qualifies them with the schema.
  std::string Named(const std::string& name) { return postgres() ? "public." + name : name; }

  // Runs `dbshift [--format json] drift`, and checks what every run must
  // leave behind: the target's history and schema as they were, and no
  // scratch database.
  ProcessResult Drift(bool json = true) {
    const std::string history = History();
    const std::string schema = db().SchemaSnapshot();
    std::vector<std::string> args = CommonArgs();
    if (json) args.insert(args.end(), {"--format", "json"});
    args.push_back("drift");
    BackgroundProcess process(
        DbshiftBinary(), {.args = args,
                          .env = {{"TMPDIR", scratch().string()}, {"DATABASE_URL", std::nullopt}},
                          .cwd = work_dir()});
    const std::optional<ProcessResult> result = process.Wait(std::chrono::seconds(60));
    EXPECT_TRUE(result) << "drift did not finish";
    EXPECT_EQ(History(), history) << "drift changed the target's history";
    EXPECT_EQ(db().SchemaSnapshot(), schema) << "drift changed the target's schema";
    EXPECT_TRUE(std::filesystem::is_empty(scratch())) << "the SQLite scratch folder is left";
    if (postgres()) {
      // Its name carries the pid of the dbshift that made it; other tests
      // may be running drift at the same time.
      EXPECT_EQ(ScratchDatabasesOf(process.pid()), "") << "the scratch database is left";
    }
    return result.value_or(ProcessResult{});
  }

  // users with an index and a default; orders with a foreign key.
  void MigrateUsersAndOrders() {
    WriteMigration("V1__users.sql",
                   "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,\n"
                   "  name TEXT DEFAULT 'anonymous');\n"
                   "CREATE INDEX users_name_idx ON users (name);\n");
    WriteMigration("V2__orders.sql",
                   "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
                   "  user_id INTEGER REFERENCES users (id));\n"
                   "ALTER TABLE users ADD COLUMN age INTEGER;\n"
                   "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;\n");
    const ProcessResult up = Run("up");
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  // The JSON difference of that kind and name; null when there is none.
  static nlohmann::json DifferenceOf(const nlohmann::json& result, const std::string& kind,
                                     const std::string& name) {
    for (const nlohmann::json& difference : result["differences"]) {
      if (difference["kind"] == kind && difference["name"] == name) return difference;
    }
    return nullptr;
  }
};

TEST_P(DriftTest, NoDriftRightAfterUp) {
  MigrateUsersAndOrders();
  const ProcessResult run = Drift();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["drift"], false);
  EXPECT_THAT(result["differences"], IsEmpty());
  EXPECT_EQ(result["schema_version"], "2");
  EXPECT_EQ(result["target"], Url::Parse(url()).Redacted());

  const ProcessResult text = Drift(false);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("No drift"));
}

TEST_P(DriftTest, AColumnAddedByHandIsDrift) {
  MigrateUsersAndOrders();
  db().Query("ALTER TABLE users ADD COLUMN nickname TEXT");

  const ProcessResult run = Drift();
  ASSERT_EQ(run.exit_code, 3) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["drift"], true);
  ASSERT_EQ(result["differences"].size(), 1U) << result.dump(2);
  EXPECT_EQ(result["differences"][0], nlohmann::json({{"kind", "column"},
                                                      {"name", Named("users.nickname")},
                                                      {"expected", nullptr},
                                                      {"actual", postgres() ? "text" : "TEXT"}}));

  const ProcessResult text = Drift(false);
  EXPECT_EQ(text.exit_code, 3) << text.err;
  EXPECT_THAT(text.out, HasSubstr("+ column " + Named("users.nickname")));
  EXPECT_THAT(text.out, HasSubstr("Drift: 1 difference "));
}

TEST_P(DriftTest, ADroppedIndexAndAChangedDefaultAreDrift) {
  MigrateUsersAndOrders();
  db().Query("DROP INDEX users_name_idx");
  db().Query(postgres() ? "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'nobody'"
                        : "DROP VIEW adults");

  const ProcessResult run = Drift();
  ASSERT_EQ(run.exit_code, 3) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  const nlohmann::json index = DifferenceOf(result, "index", Named("users_name_idx"));
  ASSERT_FALSE(index.is_null()) << result.dump(2);
  EXPECT_THAT(index["expected"].get<std::string>(), HasSubstr("CREATE INDEX users_name_idx"));
  EXPECT_TRUE(index["actual"].is_null());
  if (postgres()) {
    const nlohmann::json name = DifferenceOf(result, "column", "public.users.name");
    ASSERT_FALSE(name.is_null()) << result.dump(2);
    EXPECT_EQ(name["expected"], "text DEFAULT 'anonymous'::text");
    EXPECT_EQ(name["actual"], "text DEFAULT 'nobody'::text");
    const ProcessResult text = Drift(false);
    EXPECT_THAT(text.out, HasSubstr("~ column public.users.name: migrations give \"text DEFAULT "
                                    "'anonymous'::text\", live has \"text DEFAULT "
                                    "'nobody'::text\""));
    EXPECT_THAT(text.out, HasSubstr("- index public.users_name_idx: CREATE INDEX"));
  } else {
    EXPECT_FALSE(DifferenceOf(result, "view", "adults").is_null()) << result.dump(2);
  }
}

TEST_P(DriftTest, ATriggerOrFunctionAddedByHandIsDrift) {
  MigrateUsersAndOrders();
  if (postgres()) {
    db().Query(
        "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
    db().Query(
        "CREATE TRIGGER users_audit AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION "
        "audit()");
  } else {
    db().Query("CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN SELECT 1; END");
  }
  const ProcessResult run = Drift();
  ASSERT_EQ(run.exit_code, 3) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_FALSE(DifferenceOf(result, "trigger", Named("users.users_audit")).is_null())
      << result.dump(2);
  if (postgres()) {
    const nlohmann::json function = DifferenceOf(result, "function", "public.audit()");
    ASSERT_FALSE(function.is_null()) << result.dump(2);
    EXPECT_TRUE(function["expected"].is_null());
    EXPECT_THAT(function["actual"].get<std::string>(), HasSubstr("RETURNS trigger"));
  }
}

TEST_P(DriftTest, PendingMigrationsAreNotDrift) {
  MigrateUsersAndOrders();
  WriteMigration("V3__later.sql", "CREATE TABLE later (id INTEGER);\n");
  const ProcessResult run = Drift();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ParseJson(run.out)["schema_version"], "2");
}

TEST_P(DriftTest, AnEditedAppliedMigrationStopsItAsUpWould) {
  MigrateUsersAndOrders();
  WriteMigration("V2__orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
  const ProcessResult edited = Drift(false);
  EXPECT_EQ(edited.exit_code, 3) << edited.err;
  EXPECT_THAT(edited.err, HasSubstr("drift refused"));
  EXPECT_THAT(edited.err, HasSubstr("V2__orders.sql was changed after it was applied"));

  RemoveMigration("V2__orders.sql");
  const ProcessResult missing = Drift(false);
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
  EXPECT_THAT(missing.err,
              HasSubstr("version 2 was applied (V2__orders.sql) but its file is gone"));
  EXPECT_THAT(missing.out, Not(HasSubstr("No drift")));
}

TEST_P(DriftTest, AMigrationThatOnlyWorkedOnTheTargetFailsTheComparison) {
  // The table it fills was made by hand: on an empty database it fails.
  db().Query("CREATE TABLE settings (k TEXT)");
  WriteMigration("V1__seed.sql", "INSERT INTO settings (k) VALUES ('a');\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  const ProcessResult run = Drift();
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["error"]["file"], "V1__seed.sql");
  EXPECT_EQ(result["error"]["line"], 1);
  EXPECT_THAT(run.err, HasSubstr("failed on the scratch database"));
}

INSTANTIATE_TEST_SUITE_P(Engines, DriftTest, ::testing::Values("sqlite", "postgres"), EngineName);

class DriftSqliteTest : public DriftTest {};

TEST_P(DriftSqliteTest, AChangedDefaultIsDrift) {
  MigrateUsersAndOrders();
  // SQLite cannot ALTER a default: the table is rebuilt, as users do.
  for (const char* statement : {
           "DROP VIEW adults",
           "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
           " name TEXT DEFAULT 'nobody', age INTEGER)",
           "INSERT INTO users_new SELECT id, email, name, age FROM users",
           "DROP TABLE users",
           "ALTER TABLE users_new RENAME TO users",
           "CREATE INDEX users_name_idx ON users (name)",
           "CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18",
       }) {
    db().Query(statement);
  }
  const ProcessResult run = Drift();
  ASSERT_EQ(run.exit_code, 3) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  ASSERT_EQ(result["differences"].size(), 1U) << result.dump(2);
  EXPECT_EQ(result["differences"][0]["name"], "users.name");
  EXPECT_EQ(result["differences"][0]["expected"], "TEXT DEFAULT 'anonymous'");
  EXPECT_EQ(result["differences"][0]["actual"], "TEXT DEFAULT 'nobody'");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DriftSqliteTest, ::testing::Values("sqlite"), EngineName);

class DriftPostgresTest : public DriftTest {};

// The role needs CREATEDB for the scratch database; without it, one message
// says so (and the password stays out of it).
TEST_P(DriftPostgresTest, ARoleWithoutCreatedbIsToldWhatItNeeds) {
  MigrateUsersAndOrders();
  const std::string role = fmt::format("dbshift_drift_nocreatedb_{}", ::getpid());
  const std::string password = "Sup3rSecretPw";
  db().Query(fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}'", role, password));
  db().Query(fmt::format("GRANT SELECT ON dbshift_history TO {}", role));
  const std::string role_url = UrlAs(role, password);

  const ProcessResult run =
      RunBare({.args = {"--url", role_url, "--dir", migrations_dir().string(), "drift"},
               .env = {{"TMPDIR", scratch().string()}}});
  db().Query(fmt::format("REVOKE ALL ON dbshift_history FROM {}", role));
  db().Query(fmt::format("DROP ROLE {}", role));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("may not create databases"));
  EXPECT_THAT(run.err, HasSubstr("CREATEDB"));
  EXPECT_THAT(run.err + run.out, Not(HasSubstr(password)));
}

INSTANTIATE_TEST_SUITE_P(Postgres, DriftPostgresTest, ::testing::Values("postgres"), EngineName);

class DriftMysqlTest : public CliTest {};

TEST_P(DriftMysqlTest, IsNotSupportedYet) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  const ProcessResult run = Run("drift");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("not supported yet"));
}

INSTANTIATE_TEST_SUITE_P(Mysql, DriftMysqlTest, ::testing::Values("mysql"), EngineName);

}  // namespace
}  // namespace dbshift::testing
