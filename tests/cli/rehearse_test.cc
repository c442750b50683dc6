// dbshift rehearse on SQLite and PostgreSQL: the pending migrations apply
// to a copy, the ones with undo scripts are undone and redone, the target
// is never written, and the copy is removed; a failing migration, an undo
// that does not restore the schema, nothing pending; PostgreSQL's lock
// report, its copy by template or by backup (chosen, forced, refused) that
// holds the target's rows; MySQL, refused.

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/sha256.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RehearseTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(scratch());
  }
  // Where the copy goes (TMPDIR of the child), to see that it is removed.
  std::filesystem::path scratch() { return db().dir().path() / "tmp"; }
  ProcessResult Rehearse(std::vector<std::string> args = {}) {
    std::vector<std::string> all = {"--format", "json", "rehearse"};
    all.insert(all.end(), args.begin(), args.end());
    return RunWith({.args = all, .env = {{"TMPDIR", scratch().string()}}});
  }
  // SQLite: the file's SHA-256; PostgreSQL: schema and rows as text.
  std::string TargetFileHash() {
    if (postgres()) {
      return db().SchemaSnapshot() + db().Query("SELECT * FROM users ORDER BY id");
    }
    const std::string path = url().substr(std::string("sqlite:").size());
    std::ifstream in(path, std::ios::binary);
    return Sha256Hex(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  // V1 and V2 applied; V3 and V4 pending, both with undo scripts.
  void TargetAtTwoWithTwoPending() {
    // An id the engine numbers itself on both.
    WriteMigration("V1__users.sql",
                   postgres() ? "CREATE TABLE users (id serial PRIMARY KEY, name TEXT);\n"
                              : "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
    WriteMigration("V2__seed.sql", "INSERT INTO users (name) VALUES ('ann'), ('bob');\n");
    ASSERT_EQ(Run("up").exit_code, 0);
    WriteMigration("V3__orders.sql",
                   "CREATE TABLE orders (id INTEGER, user_id INTEGER);\n"
                   "CREATE INDEX orders_user ON orders (user_id);\n");
    WriteMigration("U3__orders.sql", "DROP TABLE orders;\n");
    WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
    WriteMigration("U4__email.sql", "ALTER TABLE users DROP COLUMN email;\n");
  }
};

TEST_P(RehearseTest, AppliesUndoesAndRedoesOnACopyAndLeavesTheTargetAlone) {
  TargetAtTwoWithTwoPending();
  const std::string before = TargetFileHash();
  const std::string history_before = History();

  const ProcessResult run = Rehearse();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["ok"], true);
  // Nothing else is connected to the test's database.
  EXPECT_EQ(result["copy"], postgres() ? "template" : "backup api");
  EXPECT_EQ(result["from_version"], "2");
  ASSERT_EQ(result["applied"].size(), 2U);
  EXPECT_EQ(result["applied"][0]["version"], "3");
  EXPECT_EQ(result["applied"][1]["version"], "4");
  EXPECT_TRUE(result["applied"][0].contains("execution_ms"));
  EXPECT_EQ(result["round_trip"], nlohmann::json({"4", "3"}));
  EXPECT_TRUE(result["schema_differences"].empty());

  EXPECT_EQ(TargetFileHash(), before);
  EXPECT_EQ(History(), history_before);
  EXPECT_FALSE(db().HasTable("orders"));
  EXPECT_TRUE(std::filesystem::is_empty(scratch())) << "the copy is removed";

  const ProcessResult text =
      RunWith({.args = {"rehearse"}, .env = {{"TMPDIR", scratch().string()}}});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("Undone and applied again: 4, 3; the schema came back identical"));
}

TEST_P(RehearseTest, RoundTripStopsAtTheFirstMigrationWithoutUndo) {
  TargetAtTwoWithTwoPending();
  RemoveMigration("U3__orders.sql");
  const ProcessResult run = Rehearse();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ParseJson(run.out)["round_trip"], nlohmann::json({"4"}));
}

TEST_P(RehearseTest, FailingMigrationFailsTheRehearsalOnly) {
  TargetAtTwoWithTwoPending();
  WriteMigration(
      "V4__email.sql",
      "ALTER TABLE users ADD COLUMN email TEXT;\nALTER TABLE nope ADD COLUMN x INTEGER;\n");
  const std::string before = TargetFileHash();
  const ProcessResult run = Rehearse();
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["ok"], false);
  EXPECT_EQ(result["error"]["file"], "V4__email.sql");
  EXPECT_EQ(result["error"]["line"], 2);
  EXPECT_EQ(TargetFileHash(), before);
  EXPECT_TRUE(std::filesystem::is_empty(scratch()));
}

TEST_P(RehearseTest, UndoThatDoesNotRestoreTheSchemaIsReported) {
  TargetAtTwoWithTwoPending();
  WriteMigration("U4__email.sql",
                 "ALTER TABLE users DROP COLUMN email;\nCREATE TABLE leftover (id INTEGER);\n");
  const ProcessResult run = Rehearse();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["ok"], false);
  const std::string differences = result["schema_differences"].dump();
  const std::string leftover = postgres() ? "table public.leftover" : "table leftover";
  EXPECT_THAT(differences, HasSubstr("after undo: " + leftover + " is new"));
  EXPECT_THAT(differences, HasSubstr("after undo and redo: " + leftover + " is new"));
  EXPECT_FALSE(db().HasTable("leftover"));
}

TEST_P(RehearseTest, NothingPendingIsNothingToRehearse) {
  WriteMigration("V1__users.sql", "CREATE TABLE users (id INTEGER);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  const ProcessResult run =
      RunWith({.args = {"rehearse"}, .env = {{"TMPDIR", scratch().string()}}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Nothing pending"));
  const ProcessResult json = Rehearse();
  EXPECT_EQ(ParseJson(json.out)["copy"], nullptr) << "no copy is made";
}

INSTANTIATE_TEST_SUITE_P(Engines, RehearseTest, ::testing::Values("sqlite", "postgres"),
                         EngineName);

class RehearseSqliteTest : public RehearseTest {};

TEST_P(RehearseSqliteTest, HasNoTemplateCopy) {
  TargetAtTwoWithTwoPending();
  const ProcessResult run = Rehearse({"--copy", "template"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("SQLite has no template databases"));
}

// The copy is read and written with dbshift's own history; another tool's
// is refused before anything is copied.
TEST_P(RehearseSqliteTest, RefusesAnotherToolsHistory) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  ASSERT_EQ(Run("--history", "flyway", "up").exit_code, 0);
  WriteMigration("V2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  const ProcessResult compat = RunWith(
      {.args = {"--history", "flyway", "rehearse"}, .env = {{"TMPDIR", scratch().string()}}});
  EXPECT_EQ(compat.exit_code, 2) << compat.err;
  EXPECT_THAT(compat.err, HasSubstr("rehearse reads dbshift's own history: leave out --history"));
  EXPECT_TRUE(std::filesystem::is_empty(scratch())) << "nothing was copied";
  EXPECT_FALSE(db().HasTable("b"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, RehearseSqliteTest, ::testing::Values("sqlite"), EngineName);

// PostgreSQL's copy is a scratch database made by template or from a
// backup: the rehearsal reports the locks each migration took there, and
// the scratch database is gone afterwards.
class RehearsePostgresTest : public RehearseTest {
 protected:
  // rehearse, and no scratch database of that run left behind (its name
  // carries the pid of the dbshift that made it: other tests make theirs
  // at the same time).
  ProcessResult RehearseLeavingNoDatabase(std::vector<std::string> args) {
    std::vector<std::string> all = CommonArgs();
    all.insert(all.end(), args.begin(), args.end());
    return RunLeavingNoDatabase(all);
  }
  // The same with exactly `args` (nothing prepended).
  ProcessResult RunLeavingNoDatabase(const std::vector<std::string>& args) {
    BackgroundProcess process(
        DbshiftBinary(), {.args = args,
                          .env = {{"TMPDIR", scratch().string()}, {"DATABASE_URL", std::nullopt}},
                          .cwd = work_dir()});
    const std::optional<ProcessResult> result = process.Wait(std::chrono::seconds(60));
    EXPECT_TRUE(result) << "rehearse did not finish";
    EXPECT_EQ(ScratchDatabasesOf(process.pid()), "") << "the scratch database is left";
    EXPECT_TRUE(std::filesystem::is_empty(scratch())) << "the backup of the copy is left";
    return result.value_or(ProcessResult{});
  }
};

TEST_P(RehearsePostgresTest, ReportsTheLocksEachMigrationTook) {
  TargetAtTwoWithTwoPending();
  const ProcessResult run = RehearseLeavingNoDatabase({"--format", "json", "rehearse"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  ASSERT_EQ(result["applied"].size(), 2U);
  // V4 adds a column: ACCESS EXCLUSIVE on users, which blocks its readers.
  EXPECT_EQ(
      result["applied"][1]["locks"],
      nlohmann::json::parse(R"([{"relation": "public.users", "mode": "AccessExclusiveLock"}])"))
      << result.dump(2);
  // V3 creates orders and an index on it.
  EXPECT_THAT(result["applied"][0]["locks"].dump(), HasSubstr("public.orders"));
  EXPECT_FALSE(db().HasTable("orders"));

  const ProcessResult text = RehearseLeavingNoDatabase({"rehearse"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Locks held by V4__email.sql"));
  EXPECT_THAT(text.out, HasSubstr("AccessExclusiveLock on public.users"));
}

// With no other session on the target, the copy is made by template; with
// one, by backup, and the rehearsal says why. Both copies hold the target's
// rows: a migration that depends on them fails on the copy as it would on
// the target.
TEST_P(RehearsePostgresTest, TheCopyHoldsTheTargetsRowsByTemplateAndByBackup) {
  TargetAtTwoWithTwoPending();
  WriteMigration("V4__email.sql",
                 "-- dbshift:allow adding-not-nullable-field\n"
                 "ALTER TABLE users ADD COLUMN email TEXT;\n"
                 "DO $$ BEGIN IF (SELECT count(*) FROM users) <> 3 THEN\n"
                 "  RAISE EXCEPTION 'the copy lacks rows'; END IF; END $$;\n"
                 "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n");
  db().Query("INSERT INTO users (id) VALUES (99)");  // a row that breaks SET NOT NULL
  const std::string before = TargetFileHash();
  for (const bool other_session : {false, true}) {
    SCOPED_TRACE(other_session ? "another session connected" : "no other session");
    std::unique_ptr<Driver> session =
        other_session ? OpenDriver(Url::Parse(url()), DriverOptions{}) : nullptr;
    const ProcessResult run = RehearseLeavingNoDatabase({"--format", "json", "rehearse"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const nlohmann::json result = ParseJson(run.out);
    EXPECT_EQ(result["copy"], other_session ? "backup" : "template") << result.dump(2);
    if (other_session) {
      EXPECT_EQ(result["copy_note"], "1 other session is connected to the target");
    }
    EXPECT_EQ(result["error"]["file"], "V4__email.sql");
    EXPECT_EQ(result["error"]["line"], 5);
    EXPECT_THAT(result["error"]["message"].get<std::string>(), HasSubstr("contains null values"));
  }
  EXPECT_EQ(TargetFileHash(), before);
}

// --copy template refuses to wait for other sessions (exit 4, the target
// is not had in time); --copy backup never closes the target.
TEST_P(RehearsePostgresTest, CopyMethodCanBeChosen) {
  TargetAtTwoWithTwoPending();
  const ProcessResult by_backup =
      RehearseLeavingNoDatabase({"--format", "json", "rehearse", "--copy", "backup"});
  ASSERT_EQ(by_backup.exit_code, 0) << by_backup.err;
  EXPECT_EQ(ParseJson(by_backup.out)["copy"], "backup");
  EXPECT_FALSE(ParseJson(by_backup.out).contains("copy_note"));

  const ProcessResult by_template = RehearseLeavingNoDatabase({"rehearse", "--copy", "template"});
  ASSERT_EQ(by_template.exit_code, 0) << by_template.err;
  EXPECT_THAT(by_template.out, HasSubstr("CREATE DATABASE ... TEMPLATE"));

  const std::unique_ptr<Driver> session = OpenDriver(Url::Parse(url()), DriverOptions{});
  const ProcessResult refused = RehearseLeavingNoDatabase({"rehearse", "--copy", "template"});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("1 other session is connected to the target"));
  EXPECT_FALSE(db().HasTable("orders"));
}

// A role that may create databases but not copy the target (it does not
// own it) is refused the template by the server after dbshift closed its
// session: dbshift connects again and copies by backup.
TEST_P(RehearsePostgresTest, ARefusedTemplateFallsBackToABackup) {
  TargetAtTwoWithTwoPending();
  const std::string role = fmt::format("dbshift_rehearse_notowner_{}", ::getpid());
  const std::string password = "Sup3rSecretPw";
  db().Query(fmt::format("CREATE ROLE {} LOGIN CREATEDB PASSWORD '{}'", role, password));
  db().Query(
      fmt::format("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {0}; "
                  "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {0}",
                  role));
  const ProcessResult run =
      RunLeavingNoDatabase({"--url", UrlAs(role, password), "--dir", migrations_dir().string(),
                            "--format", "json", "rehearse"});
  db().Query(fmt::format("DROP OWNED BY {0}; DROP ROLE {0}", role));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["copy"], "backup");
  EXPECT_THAT(result["copy_note"].get<std::string>(), HasSubstr("would not copy the target"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr(password)));
  EXPECT_EQ(result["applied"].size(), 2U);
  EXPECT_FALSE(db().HasTable("orders"));
}

INSTANTIATE_TEST_SUITE_P(Postgres, RehearsePostgresTest, ::testing::Values("postgres"), EngineName);

class RehearseMysqlTest : public CliTest {};

TEST_P(RehearseMysqlTest, IsRefused) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  const ProcessResult run = Run("rehearse");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("SQLite and PostgreSQL only"));
  EXPECT_FALSE(db().HasTable("a"));
}

INSTANTIATE_TEST_SUITE_P(Mysql, RehearseMysqlTest, ::testing::Values("mysql"), EngineName);

}  // namespace
}  // namespace dbshift::testing
