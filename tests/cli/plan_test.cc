// dbshift plan as users run it: the pending migrations of a PostgreSQL
// target with the size and estimated rows of what they lock, named files and
// --all without a database, a SQLite target, text and JSON, exit codes.

#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The statements of the migration whose file name contains `file`.
const nlohmann::json& StatementsOf(const nlohmann::json& plan, const std::string& file) {
  for (const nlohmann::json& migration : plan["migrations"]) {
    if (migration["file"].get<std::string>().find(file) != std::string::npos) {
      return migration["statements"];
    }
  }
  static const nlohmann::json kNone = nlohmann::json::array();
  ADD_FAILURE() << "no migration " << file << " in " << plan.dump(2);
  return kNone;
}

std::vector<std::string> RulesOf(const nlohmann::json& statement) {
  std::vector<std::string> rules;
  for (const nlohmann::json& finding : statement["findings"]) rules.push_back(finding["rule"]);
  return rules;
}

class PlanPostgresTest : public CliTest {};

TEST_P(PlanPostgresTest, PendingMigrationsWithLocksSizesAndRows) {
  WriteMigration("V1__users.sql",
                 "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
                 "INSERT INTO users SELECT g, 'name ' || g FROM generate_series(1, 5000) g;\n"
                 "CREATE TABLE fresh (id bigint) WITH (autovacuum_enabled = false);\n"
                 "INSERT INTO fresh SELECT generate_series(1, 100);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  db().Query("ANALYZE users");
  WriteMigration("V2__alter.sql",
                 "-- widen the name\n"
                 "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n"
                 "CREATE INDEX users_name ON users (name);\n"
                 "CREATE TABLE notes (id bigint, user_id bigint REFERENCES users);\n"
                 "DELETE FROM fresh;\n");
  WriteMigration("V3__notes.sql", "ALTER TABLE notes ADD COLUMN body text NOT NULL;\n");
  const std::string schema_before = db().SchemaSnapshot();

  ProcessResult json_run = Run("--format", "json", "plan");
  ASSERT_EQ(json_run.exit_code, 0) << "informational: lint errors do not fail it\n" << json_run.err;
  const nlohmann::json plan = ParseJson(json_run.out);
  EXPECT_EQ(plan["connected"], true);
  EXPECT_EQ(plan["lock_analysis"], true);
  ASSERT_EQ(plan["migrations"].size(), 2u) << "V1 is applied";
  const nlohmann::json& v2 = plan["migrations"][0];
  EXPECT_EQ(v2["version"], "2");
  EXPECT_EQ(v2["description"], "alter");
  EXPECT_EQ(v2["in_transaction"], true);
  const nlohmann::json& statements = StatementsOf(plan, "V2__alter.sql");
  ASSERT_EQ(statements.size(), 4u);

  const nlohmann::json& alter = statements[0];
  EXPECT_EQ(alter["line"], 2);
  EXPECT_EQ(alter["column"], 1);
  EXPECT_EQ(alter["text"], "ALTER TABLE users ALTER COLUMN name TYPE varchar(20)");
  ASSERT_EQ(alter["locks"].size(), 1u);
  EXPECT_EQ(alter["locks"][0]["relation"], "users");
  EXPECT_EQ(alter["locks"][0]["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(alter["locks"][0]["new_table"], false);
  EXPECT_EQ(alter["locks"][0]["exists"], true);
  EXPECT_GT(alter["locks"][0]["size_bytes"].get<int64_t>(), 0);
  EXPECT_GT(alter["relation_size_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(alter["estimated_rows"], 5000);
  EXPECT_EQ(alter["rewrites"], true);
  EXPECT_THAT(RulesOf(alter), ::testing::Contains("changing-column-type"));

  const nlohmann::json& index = statements[1];
  EXPECT_EQ(index["locks"][0]["mode"], "SHARE");
  EXPECT_EQ(index["scans"], true);
  EXPECT_EQ(index["rewrites"], false);
  ASSERT_THAT(RulesOf(index), ::testing::Contains("require-concurrent-index-creation"));
  EXPECT_EQ(index["findings"][0]["line"], 3);
  EXPECT_EQ(index["findings"][0]["severity"], "error");

  const nlohmann::json& create = statements[2];
  ASSERT_EQ(create["locks"].size(), 2u);
  EXPECT_EQ(create["locks"][0]["relation"], "notes");
  EXPECT_EQ(create["locks"][0]["new_table"], true);
  EXPECT_EQ(create["locks"][1]["relation"], "users");
  EXPECT_EQ(create["locks"][1]["mode"], "SHARE ROW EXCLUSIVE");

  const nlohmann::json& wipe = statements[3];
  EXPECT_EQ(wipe["locks"][0]["mode"], "ROW EXCLUSIVE");
  EXPECT_EQ(wipe["scans"], true);
  EXPECT_TRUE(wipe["estimated_rows"].is_null()) << "fresh was never analysed";
  EXPECT_GT(wipe["relation_size_bytes"].get<int64_t>(), 0);

  // One lock per existing table, the strongest, from the statement that took it.
  const nlohmann::json& held = v2["held_until_commit"];
  ASSERT_EQ(held.size(), 2u) << held.dump(2);
  EXPECT_EQ(held[0]["relation"], "users");
  EXPECT_EQ(held[0]["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(held[0]["line"], 2);
  EXPECT_EQ(held[1]["relation"], "fresh");
  EXPECT_EQ(held[1]["mode"], "ROW EXCLUSIVE");

  // notes is created by V2, which runs first: new to V3, for the plan and the lint.
  const nlohmann::json& v3 = StatementsOf(plan, "V3__notes.sql");
  ASSERT_EQ(v3.size(), 1u);
  EXPECT_EQ(v3[0]["locks"][0]["relation"], "notes");
  EXPECT_EQ(v3[0]["locks"][0]["new_table"], true);
  EXPECT_THAT(RulesOf(v3[0]), Not(::testing::Contains("adding-required-field")));
  EXPECT_TRUE(plan["migrations"][1]["held_until_commit"].empty());

  // Text: each statement, its locks aligned beneath it, findings inline.
  ProcessResult text = Run("plan");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Target: "));
  EXPECT_THAT(text.out, HasSubstr("Version 2: alter ("));
  EXPECT_THAT(text.out, HasSubstr("  2:1  ALTER TABLE users ALTER COLUMN name TYPE varchar(20)\n"));
  EXPECT_THAT(text.out, HasSubstr("~5,000 rows"));
  EXPECT_THAT(text.out, HasSubstr("rows unknown"));
  EXPECT_THAT(text.out, HasSubstr("error [require-concurrent-index-creation]"));
  EXPECT_THAT(text.out, HasSubstr("new: no one waits"));
  EXPECT_THAT(text.out, HasSubstr("held until commit:"));
  EXPECT_THAT(text.out, HasSubstr("2 scripts, 5 statements"));
  // The relation column starts at the same place on every lock line of V2.
  const std::size_t v2_at = text.out.find("Version 2:");
  const std::string v2_text = text.out.substr(v2_at, text.out.find("Version 3:") - v2_at);
  const std::regex lock_line(
      R"(\n( +)(ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE|SHARE|ROW EXCLUSIVE)( +)(users|notes|fresh) )");
  std::vector<std::size_t> starts;
  for (auto it = std::sregex_iterator(v2_text.begin(), v2_text.end(), lock_line);
       it != std::sregex_iterator(); ++it) {
    starts.push_back((*it)[1].length() + (*it)[2].length() + (*it)[3].length());
  }
  ASSERT_GE(starts.size(), 7u) << v2_text;
  for (std::size_t start : starts) EXPECT_EQ(start, starts[0]) << text.out;

  // Read-only: nothing ran.
  EXPECT_EQ(db().SchemaSnapshot(), schema_before);
  EXPECT_EQ(History(), "1|1\n");

  // Nothing pending, nothing to say.
  RemoveMigration("V2__alter.sql");
  RemoveMigration("V3__notes.sql");
  ProcessResult none = Run("plan");
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_THAT(none.out, HasSubstr("No pending migrations."));
}

TEST_P(PlanPostgresTest, DropIndexIsALockOnItsTableAndPlaceholdersAreSubstituted) {
  WriteMigration("V1__users.sql",
                 "CREATE TABLE users (id bigint, name text);\n"
                 "CREATE INDEX users_name ON users (name);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__drop.sql",
                 "ALTER TABLE ${table} ALTER COLUMN name SET STATISTICS 200;\n"
                 "DROP INDEX users_name;\n");
  ProcessResult run = RunWith(
      {.args = {"--format", "json", "plan"}, .env = {{"DBSHIFT_PLACEHOLDER_TABLE", "users"}}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json plan = ParseJson(run.out);
  const nlohmann::json& statements = StatementsOf(plan, "V2__drop.sql");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0]["text"], "ALTER TABLE users ALTER COLUMN name SET STATISTICS 200");
  EXPECT_EQ(statements[0]["locks"][0]["mode"], "SHARE UPDATE EXCLUSIVE");
  const nlohmann::json& drop = statements[1]["locks"][0];
  EXPECT_EQ(drop["object"], "table_of_index");
  EXPECT_EQ(drop["relation"], "users_name");
  EXPECT_EQ(drop["table"], "users");
  // Held until commit: both fold into one lock on users, the stronger.
  const nlohmann::json& held = plan["migrations"][0]["held_until_commit"];
  ASSERT_EQ(held.size(), 1u) << held.dump(2);
  EXPECT_EQ(held[0]["relation"], "users");
  EXPECT_EQ(held[0]["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(held[0]["line"], 2);

  // The lint reads the same substituted SQL: no syntax error at ${table}.
  ProcessResult lint = RunWith(
      {.args = {"--format", "json", "lint"}, .env = {{"DBSHIFT_PLACEHOLDER_TABLE", "users"}}});
  const nlohmann::json findings = ParseJson(lint.out)["findings"];
  for (const nlohmann::json& finding : findings) EXPECT_NE(finding["rule"], "syntax-error");

  // Without a value: a warning, and the text as written.
  ProcessResult undefined = Run("plan");
  EXPECT_EQ(undefined.exit_code, 0);
  EXPECT_THAT(undefined.err, HasSubstr("${table} has no value"));
  EXPECT_THAT(undefined.err, HasSubstr("DBSHIFT_PLACEHOLDER_TABLE"));
}

TEST_P(PlanPostgresTest, NoTransactionScriptHoldsNothingUntilCommit) {
  WriteMigration("V1__users.sql", "CREATE TABLE users (id bigint, name text);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__index.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name ON users (name);\n");
  const nlohmann::json plan = ParseJson(Run("--format", "json", "plan").out);
  ASSERT_EQ(plan["migrations"].size(), 1u);
  EXPECT_EQ(plan["migrations"][0]["in_transaction"], false);
  EXPECT_TRUE(plan["migrations"][0]["held_until_commit"].empty());
  const nlohmann::json& index = StatementsOf(plan, "V2__index.sql")[0];
  EXPECT_EQ(index["locks"][0]["mode"], "SHARE UPDATE EXCLUSIVE");
  EXPECT_TRUE(index["findings"].empty()) << index.dump(2);
  EXPECT_EQ(index["estimated_rows"], nullptr) << "never analysed";
}

TEST_P(PlanPostgresTest, UnreachableTargetIsExitSix) {
  ProcessResult run = RunBare({.args = {"--url", "postgres://nobody@127.0.0.1:1/none", "--dir",
                                        migrations_dir().string(), "plan"}});
  EXPECT_EQ(run.exit_code, 6) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Postgres, PlanPostgresTest, ::testing::Values("postgres"), EngineName);

// SQLite targets, and the modes that need no database.
class PlanTest : public CliTest {};

TEST_P(PlanTest, SqliteTargetListsPendingStatementsWithoutLockAnalysis) {
  WriteMigration("V1__users.sql", "CREATE TABLE users (id INTEGER, name TEXT);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  WriteMigration("V2__index.sql", "CREATE INDEX users_name ON users (name);\nDROP TABLE users;\n");
  ProcessResult run = Run("--format", "json", "plan");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("PostgreSQL"));
  EXPECT_THAT(run.err, HasSubstr("--all"));
  const nlohmann::json plan = ParseJson(run.out);
  EXPECT_EQ(plan["lock_analysis"], false);
  EXPECT_EQ(plan["dialect"], "sqlite");
  const nlohmann::json& statements = StatementsOf(plan, "V2__index.sql");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1]["line"], 2);
  EXPECT_EQ(statements[1]["analyzed"], false);
  EXPECT_TRUE(statements[1]["locks"].empty());
  EXPECT_TRUE(statements[1]["findings"].empty());

  ProcessResult text = Run("plan");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("2:1  DROP TABLE users"));
  EXPECT_THAT(text.out, HasSubstr("note: no lock analysis for sqlite"));
  EXPECT_THAT(text.out, Not(HasSubstr("ACCESS EXCLUSIVE")));
}

TEST_P(PlanTest, NamedFilesAndAllNeedNoDatabase) {
  const std::string file = WriteMigration("V4__fk.sql",
                                          "\xEF\xBB\xBF"
                                          "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN "
                                          "KEY (user_id) REFERENCES users (id) NOT VALID;\n"
                                          "ALTER TABLE orders VALIDATE CONSTRAINT orders_user;\n")
                               .string();
  const std::vector<std::string> unreachable = {"--url", "postgres://nobody@127.0.0.1:1/none",
                                                "--dir", migrations_dir().string()};
  std::vector<std::string> args = unreachable;
  args.insert(args.end(), {"--format", "json", "plan", file});
  ProcessResult run = RunBare({.args = args});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json plan = ParseJson(run.out);
  EXPECT_EQ(plan["connected"], false);
  ASSERT_EQ(plan["migrations"].size(), 1u);
  EXPECT_EQ(plan["migrations"][0]["version"], "4");
  EXPECT_EQ(plan["migrations"][0]["file"], file);
  const nlohmann::json& statements = plan["migrations"][0]["statements"];
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0]["analyzed"], true) << "the BOM is not part of the SQL";
  EXPECT_EQ(statements[0]["column"], 1);
  EXPECT_EQ(statements[0]["locks"][0]["relation"], "orders");
  EXPECT_EQ(statements[0]["locks"][0]["mode"], "SHARE ROW EXCLUSIVE");
  EXPECT_EQ(statements[0]["locks"][1]["relation"], "users");
  EXPECT_EQ(statements[0]["locks"][1]["mode"], "SHARE ROW EXCLUSIVE");
  EXPECT_EQ(statements[0]["scans"], false);
  EXPECT_TRUE(statements[0]["relation_size_bytes"].is_null());
  EXPECT_FALSE(statements[0]["locks"][0].contains("size_bytes"));
  EXPECT_EQ(statements[1]["locks"][0]["mode"], "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(statements[1]["scans"], true);
  EXPECT_THAT(RulesOf(statements[1]), ::testing::Contains("constraint-missing-not-valid"))
      << "VALIDATE in the transaction that added it NOT VALID";

  // --all reads every script of the folder, one by one.
  WriteMigration("V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  args = unreachable;
  args.insert(args.end(), {"plan", "--all"});
  ProcessResult all = RunBare({.args = args});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("Version 1: users ("));
  EXPECT_THAT(all.out, HasSubstr("Version 4: fk ("));
  EXPECT_THAT(all.out, HasSubstr("SHARE UPDATE EXCLUSIVE  orders"));
  EXPECT_THAT(all.out, Not(HasSubstr("Target:")));
}

TEST_P(PlanTest, BadInputIsAUsageError) {
  ProcessResult missing = Run("plan", (migrations_dir() / "V9__nope.sql").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("plan: cannot read"));
  ProcessResult sarif = Run("--format", "sarif", "plan", "--all");
  EXPECT_EQ(sarif.exit_code, 2);
  EXPECT_THAT(sarif.err, HasSubstr("sarif is for lint only"));
}

INSTANTIATE_TEST_SUITE_P(Files, PlanTest, ::testing::Values("sqlite"), EngineName);

}  // namespace
}  // namespace dbshift::testing
