// [[namespace]]: independent migration sets in one database, each with its
// own folder and history table, run in their listed order.

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_fixture.h"
#include "testing/temp_dir.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

class NamespacesTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    project_ = db().dir().path() / "project";
    db().dir().Write("project/dbshift.toml",
                     "[[namespace]]\nname = \"auth\"\ndir = \"db/auth\"\n\n"
                     "[[namespace]]\nname = \"billing\"\ndir = \"db/billing\"\n"
                     "history_table = \"billing_history\"\nlayout = \"golang-migrate\"\n");
    db().dir().Write("project/db/auth/V1__users.sql",
                     "CREATE TABLE users (id INTEGER PRIMARY KEY);\n");
    db().dir().Write("project/db/auth/U1__users.sql", "DROP TABLE users;\n");
    db().dir().Write("project/db/billing/1_invoices.up.sql",
                     "CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                     "users (id));\n");
    db().dir().Write("project/db/billing/1_invoices.down.sql", "DROP TABLE invoices;\n");
  }

  const std::filesystem::path& Project() const { return project_; }

  // The binary in the project folder, so dbshift.toml is found there.
  ProcessResult InProject(std::vector<std::string> args) const {
    std::vector<std::string> all = {"--url", url(), "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = all, .cwd = Project()});
  }

  std::string Rows(const std::string& table) {
    if (!db().HasTable(table)) return "";
    return db().Query("SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM " + table +
                      " ORDER BY installed_rank");
  }

 private:
  std::filesystem::path project_;
};

TEST_P(NamespacesTest, UpRunsEveryNamespaceInOrderEachWithItsOwnHistory) {
  ProcessResult up = InProject({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("== namespace auth =="));
  EXPECT_LT(up.out.find("namespace auth"), up.out.find("namespace billing"));
  EXPECT_TRUE(db().HasTable("invoices"));
  EXPECT_EQ(Rows("dbshift_history_auth"), "1|1\n");
  EXPECT_EQ(Rows("billing_history"), "1|1\n");
  EXPECT_FALSE(db().HasTable("dbshift_history"));

  ProcessResult status = InProject({"--format", "json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json json = ParseJson(status.out);
  ASSERT_EQ(json["namespaces"].size(), 2u);
  EXPECT_EQ(json["namespaces"][0]["namespace"], "auth");
  EXPECT_EQ(json["namespaces"][1]["namespace"], "billing");
  EXPECT_EQ(json["namespaces"][1]["layout"], "golang-migrate");
  EXPECT_EQ(json["namespaces"][1]["migrations"][0]["state"], "applied");
}

TEST_P(NamespacesTest, NamespaceFlagPicksOne) {
  ProcessResult up = InProject({"--namespace", "auth", "up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(db().HasTable("users"));
  EXPECT_FALSE(db().HasTable("invoices"));
  EXPECT_EQ(Rows("billing_history"), "");

  ProcessResult status = InProject({"--namespace", "billing", "--format", "json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json json = ParseJson(status.out);
  EXPECT_FALSE(json.contains("namespaces")) << "one namespace: the plain document";
  EXPECT_EQ(json["migrations"][0]["state"], "pending");

  ProcessResult down = InProject({"--namespace", "auth", "--yes", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_FALSE(db().HasTable("users"));
}

TEST_P(NamespacesTest, AFailureStopsTheNamespacesAfterIt) {
  db().dir().Write("project/db/auth/V2__broken.sql", "CREATE TABLE users (id INTEGER);\n");
  ProcessResult up = InProject({"up"});
  EXPECT_EQ(up.exit_code, 1);
  // Where DDL cannot roll back the failed script is recorded as failed.
  EXPECT_EQ(Rows("dbshift_history_auth"), ddl_rolls_back() ? "1|1\n" : "1|1\n2|0\n");
  EXPECT_FALSE(db().HasTable("invoices")) << "billing ran after auth failed";
}

TEST_P(NamespacesTest, UnknownNamespaceAndAmbiguousCommandsAreUsageErrors) {
  ProcessResult unknown = InProject({"--namespace", "sales", "status"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no such namespace (the config lists auth, billing)"));

  ProcessResult made = InProject({"new", "add invoices"});
  EXPECT_EQ(made.exit_code, 2);
  EXPECT_THAT(made.err, HasSubstr("--namespace"));

  ProcessResult dir = InProject({"--dir", "elsewhere", "status"});
  EXPECT_EQ(dir.exit_code, 2);

  ProcessResult billing = InProject({"--namespace", "billing", "new", "add", "totals"});
  ASSERT_EQ(billing.exit_code, 0) << billing.err;
  EXPECT_TRUE(std::filesystem::exists(Project() / "db/billing/2_add_totals.up.sql"));
}

// PostgreSQL: a namespace may keep its history in a schema of its own, under
// the default table name.
TEST_P(NamespacesTest, PostgresNamespaceHistoryInItsOwnSchema) {
  if (!postgres()) GTEST_SKIP() << "schemas are PostgreSQL's";
  db().Query("CREATE SCHEMA reporting");
  db().dir().Write("schema/dbshift.toml",
                   "[[namespace]]\nname = \"reporting\"\ndir = \"db\"\nschema = \"reporting\"\n"
                   "history_table = \"dbshift_history\"\n");
  db().dir().Write("schema/db/V1__reports.sql", "CREATE TABLE reporting.reports (id INTEGER);\n");
  ProcessResult up = RunBare({.args = {"--url", url(), "--log-dir", log_dir().string(), "up"},
                              .cwd = db().dir().path() / "schema"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db().Query("SELECT table_schema FROM information_schema.tables WHERE table_name = "
                       "'dbshift_history'"),
            "reporting\n");
}

INSTANTIATE_TEST_SUITE_P(Engines, NamespacesTest, ::testing::ValuesIn(kEngines), EngineName);

}  // namespace
}  // namespace dbshift::testing
