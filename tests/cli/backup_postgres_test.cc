// dbshift backup and restore on PostgreSQL as operators run them: a backup
// in one snapshot with every table's rows (awkward values, generated and
// identity columns, foreign keys, triggers, sequences, a materialized
// view), restored into an empty database by the migrations of the backup
// and a load that leaves rows, keys, triggers and sequences as they were;
// and the refusals: a damaged file, a target that is not empty or at
// another version, and a source changed by hand (the target left empty,
// or holding the migrations when one ran outside a transaction);
// migrations that cannot share one transaction.

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

#include "cli/cli_fixture.h"

namespace dbshift::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every table's rows, in a fixed order, as text: equal dumps, equal data.
const char* const kDataQueries[] = {
    "SELECT id, name, name_length, note FROM users ORDER BY id",
    "SELECT id, user_id, amount, placed_at, tags, payload FROM orders ORDER BY id",
    "SELECT * FROM audit ORDER BY id",
    "SELECT * FROM order_totals ORDER BY user_id",
    "SELECT * FROM dbshift_history ORDER BY installed_rank",
};

// What restore sets aside and puts back: constraints, indexes (rebuilt
// after the rows, or kept in place), comments.
const char* const kSchemaQueries[] = {
    "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY "
    "conrelid::regclass::text, conname",
    "SELECT indexrelid::regclass, indisvalid, indisready FROM pg_index "
    "WHERE indrelid::regclass::text IN ('users', 'orders') ORDER BY indexrelid::regclass::text",
    "SELECT obj_description('orders_user'::regclass, 'pg_class')",
    "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
};

class PostgresBackupTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    target_ = std::make_unique<TargetDatabase>("postgres");
  }

  std::filesystem::path out() { return db().dir().path() / "backups"; }
  TargetDatabase& target() { return *target_; }

  // Three migrations and a repeatable; then rows the application wrote.
  void MigrateAndFill() {
    WriteMigration("V1__users.sql",
                   "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL,\n"
                   "  name_length int GENERATED ALWAYS AS (length(name)) STORED, note text);\n"
                   "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                   "  user_id int NOT NULL REFERENCES users (id), amount numeric(10,2),\n"
                   "  placed_at timestamptz, tags text[], payload jsonb);\n"
                   "CREATE INDEX orders_user ON orders (user_id);\n");
    WriteMigration("V2__seed.sql", "INSERT INTO users (name) VALUES ('seed');\n");
    WriteMigration("V3__audit.sql",
                   "CREATE TABLE audit (id serial PRIMARY KEY, what text);\n"
                   "CREATE FUNCTION audit_user() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   "BEGIN INSERT INTO audit (what) VALUES ('user ' || NEW.name); RETURN NEW; "
                   "END $$;\n"
                   "CREATE TRIGGER users_audit AFTER INSERT ON users\n"
                   "  FOR EACH ROW EXECUTE FUNCTION audit_user();\n"
                   "CREATE MATERIALIZED VIEW order_totals AS\n"
                   "  SELECT user_id, sum(amount) AS total FROM orders GROUP BY user_id;\n"
                   // Indexes of every shape; one with a comment, and a
                   // primary key a view depends on, which restore keeps.
                   "CREATE UNIQUE INDEX users_lower_name ON users (lower(name))\n"
                   "  WHERE note IS NOT NULL;\n"
                   "CREATE INDEX orders_recent ON orders (placed_at DESC) INCLUDE (amount)\n"
                   "  WITH (fillfactor = 80);\n"
                   "ALTER TABLE orders ADD CONSTRAINT orders_positive CHECK (amount >= 0);\n"
                   "COMMENT ON INDEX orders_user IS 'kept in place';\n"
                   "CREATE VIEW user_order_counts AS SELECT u.id, u.name, count(o.id) AS n\n"
                   "  FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id;\n");
    WriteMigration("R__names.sql",
                   "CREATE OR REPLACE VIEW user_names AS SELECT id, name FROM users;\n");
    ASSERT_EQ(Run("up").exit_code, 0);
    // Rows of every awkward kind: tabs, newlines, backslashes, quotes, NULL,
    // arrays, JSON, non-ASCII text.
    db().Query(
        "INSERT INTO users (name, note) VALUES ('ann', E'tab\\there\\nnewline \\\\ back'), "
        "('bob', NULL), ('zoë \"q\" ''s', '') ;"
        "INSERT INTO orders (user_id, amount, placed_at, tags, payload) "
        "SELECT 1 + g % 4, g * 1.25, '2026-01-01T00:00:00Z'::timestamptz + g * interval '1h', "
        "ARRAY['a', 'b,c', NULL], jsonb_build_object('g', g, 's', E'x\\ty') "
        "FROM generate_series(1, 500) g;"
        "REFRESH MATERIALIZED VIEW order_totals;");
    // A sequence ahead of the rows: a deleted row's id is never reused.
    db().Query("INSERT INTO users (name) VALUES ('gone'); DELETE FROM users WHERE name = 'gone';");
  }

  std::filesystem::path TakeBackup(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--format", "json", "backup", "--out", out().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult run = Run(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    if (run.exit_code != 0) return {};
    return ParseJson(run.out)["backup"].get<std::string>();
  }

  // A fresh backup of the source restored on the target (exit -1 when the
  // backup failed, which fails the test).
  ProcessResult BackUpAndRestore() {
    const std::filesystem::path folder = TakeBackup();
    if (folder.empty()) return {};
    return OnTarget({"restore", "--from", folder.string()});
  }

  // dbshift against the restore target, with the same migrations folder.
  ProcessResult OnTarget(std::vector<std::string> args) {
    std::vector<std::string> all = {"--url",     target().url(),
                                    "--dir",     migrations_dir().string(),
                                    "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = std::move(all)});
  }

 private:
  std::unique_ptr<TargetDatabase> target_;
};

TEST_P(PostgresBackupTest, BackupHoldsEveryTableInOneFolderTaggedWithTheVersion) {
  MigrateAndFill();
  const std::filesystem::path folder = TakeBackup({"--jobs", "3"});
  ASSERT_FALSE(folder.empty());
  EXPECT_THAT(folder.filename().string(), HasSubstr("-v3-"));

  const nlohmann::json manifest = nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  EXPECT_EQ(manifest["engine"], "postgres");
  EXPECT_EQ(manifest["schema_version"], "3");
  EXPECT_THAT(manifest["server_version"].get<std::string>(), HasSubstr("15"));
  ASSERT_EQ(manifest["migrations"].size(), 4U);
  std::map<std::string, long long> rows;
  for (const nlohmann::json& table : manifest["tables"]) {
    rows[table["schema"].get<std::string>() + "." + table["name"].get<std::string>()] =
        table["rows"].get<long long>();
    // Generated columns are computed again on load, not copied.
    if (table["name"] == "users") {
      EXPECT_EQ(table["columns"], nlohmann::json({"id", "name", "note"}));
    }
    struct stat info {};
    ASSERT_EQ(::stat((folder / table["file"].get<std::string>()).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
  }
  EXPECT_EQ(rows["public.users"], 4);
  EXPECT_EQ(rows["public.orders"], 500);
  EXPECT_EQ(rows["public.audit"], 4);  // the seed came before the trigger
  EXPECT_EQ(rows["public.dbshift_history"], 4);
  // The materialized view is refreshed on restore, not copied.
  EXPECT_EQ(rows.count("public.order_totals"), 0U);
  EXPECT_EQ(manifest["materialized_views"][0]["name"], "order_totals");
  bool saw_users_sequence = false;
  for (const nlohmann::json& sequence : manifest["sequences"]) {
    if (sequence["name"] == "users_id_seq") {
      saw_users_sequence = true;
      EXPECT_EQ(sequence["last_value"], "5");
    }
  }
  EXPECT_TRUE(saw_users_sequence) << manifest.dump(2);
  // The source's schema, kept for restore and drift.
  EXPECT_THAT(ReadBytes(folder / "schema.json"), HasSubstr("public.users.name_length"));
  EXPECT_EQ(Run("backup", "verify", folder.string()).exit_code, 0);
}

TEST_P(PostgresBackupTest, RestoreRebuildsTheDatabaseAsItWas) {
  MigrateAndFill();
  const std::filesystem::path folder = TakeBackup({"--jobs", "2"});
  ASSERT_FALSE(folder.empty());

  const ProcessResult run =
      OnTarget({"--format", "json", "restore", "--from", folder.string(), "--jobs", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ParseJson(run.out)["schema_version"], "3");

  for (const char* query : kDataQueries) {
    EXPECT_EQ(target().Query(query), db().Query(query)) << query;
  }
  EXPECT_EQ(target().SchemaSnapshot(), db().SchemaSnapshot());
  for (const char* query : kSchemaQueries) {
    EXPECT_EQ(target().Query(query), db().Query(query)) << query;
  }
  // The seed row of V2 is there once: the migration's row gave way to the backup's.
  EXPECT_EQ(target().Query("SELECT count(*) FROM users WHERE name = 'seed'"), "1\n");
  // Sequences go on where the source's were, so no id is handed out twice.
  EXPECT_EQ(target().Query("SELECT nextval('users_id_seq')"), "6\n");
  EXPECT_EQ(target().Query("INSERT INTO orders (user_id) VALUES (2) RETURNING id"), "501\n");
  // The trigger is on again (it did not fire for the loaded rows: audit
  // matched above), and the foreign key is back and checked.
  target().Query("INSERT INTO users (name) VALUES ('after')");
  EXPECT_EQ(target().Query("SELECT what FROM audit ORDER BY id DESC LIMIT 1"), "user after\n");
  EXPECT_THROW(target().Query("INSERT INTO orders (user_id) VALUES (999)"), std::runtime_error);
  // dbshift sees the restored database at version 3 with the source's history.
  ExpectEveryMigrationAppliedAt(OnTarget({"--format", "json", "status"}), "3");
  // And a later migration applies on top.
  WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  EXPECT_EQ(OnTarget({"up"}).exit_code, 0);
}

TEST_P(PostgresBackupTest, RestoreRefusesATargetThatIsNotEmpty) {
  MigrateAndFill();
  const std::filesystem::path folder = TakeBackup();
  ASSERT_FALSE(folder.empty());
  target().Query("CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (1)");
  const ProcessResult run = OnTarget({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("the target is not empty (1 object: public.keep_me)"));
  EXPECT_EQ(target().Query("SELECT count(*) FROM keep_me"), "1\n");
  EXPECT_FALSE(target().HasTable("users"));
}

TEST_P(PostgresBackupTest, RestoreRefusesATargetAtAnotherVersion) {
  MigrateAndFill();
  const std::filesystem::path folder = TakeBackup();
  ASSERT_FALSE(folder.empty());
  ASSERT_EQ(OnTarget({"up", "--to", "1"}).exit_code, 0);
  const ProcessResult run = OnTarget({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("the target is at version 1 and the backup at version 3"));
  EXPECT_EQ(target().Query("SELECT count(*) FROM users"), "0\n");
}

TEST_P(PostgresBackupTest, RestoreRefusesADamagedTableFile) {
  MigrateAndFill();
  const std::filesystem::path folder = TakeBackup();
  ASSERT_FALSE(folder.empty());
  const nlohmann::json manifest = nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  std::string damaged;
  for (const nlohmann::json& table : manifest["tables"]) {
    if (table["name"] == "orders") damaged = table["file"].get<std::string>();
  }
  ASSERT_FALSE(damaged.empty());
  std::string bytes = ReadBytes(folder / damaged);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(folder / damaged, std::ios::binary | std::ios::trunc) << bytes;

  const ProcessResult verify = Run("backup", "verify", folder.string());
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_THAT(verify.err, HasSubstr(damaged));
  const ProcessResult run = OnTarget({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("is not a complete, unchanged backup"));
  EXPECT_FALSE(target().HasTable("users"));
}

// A column added by hand on the source is in the data, and no migration
// makes it: restore says so before loading anything.
TEST_P(PostgresBackupTest, RestoreRefusesDataOfAColumnNoMigrationMakes) {
  MigrateAndFill();
  db().Query("ALTER TABLE users ADD COLUMN nickname text");
  const ProcessResult run = BackUpAndRestore();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("+ column public.users.nickname: text"));
  EXPECT_THAT(run.err, HasSubstr("no data was loaded"));
  EXPECT_THAT(run.err, HasSubstr("the target was left empty"));
  // The migrations ran in one transaction that rolled back: nothing of
  // them, not even the history table, is left, and the target takes a
  // restore of a backup that fits.
  EXPECT_FALSE(target().HasTable("users"));
  EXPECT_FALSE(target().HasTable("dbshift_history"));
  db().Query("ALTER TABLE users DROP COLUMN nickname");
  const ProcessResult again = BackUpAndRestore();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(target().Query("SELECT count(*) FROM orders"), "500\n");
}

// A migration marked no-transaction cannot roll back with the others: the
// migrations run one transaction each, as up runs them, and a refusal
// says the target holds them.
TEST_P(PostgresBackupTest, RefusalAfterANoTransactionScriptSaysWhatIsLeft) {
  MigrateAndFill();
  WriteMigration("V4__index.sql",
                 "-- dbshift:no-transaction\n"
                 "CREATE INDEX CONCURRENTLY users_name ON users (name);\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  db().Query("ALTER TABLE users ADD COLUMN nickname text");
  const ProcessResult run = BackUpAndRestore();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("+ column public.users.nickname: text"));
  EXPECT_THAT(run.err, HasSubstr("the target holds the migrations only"));
  EXPECT_TRUE(target().HasTable("users"));
  EXPECT_EQ(target().Query("SELECT count(*) FROM orders"), "0\n");
}

// A value added to an enum cannot be used in the transaction that added
// it: the one-transaction run fails, rolls back, and the migrations run
// one transaction each; the restore goes through.
TEST_P(PostgresBackupTest, MigrationsThatCannotShareATransactionStillRestore) {
  WriteMigration("V1__status.sql",
                 "CREATE TYPE status AS ENUM ('new');\n"
                 "CREATE TABLE tickets (id int PRIMARY KEY, state status NOT NULL);\n");
  WriteMigration("V2__closed.sql", "ALTER TYPE status ADD VALUE 'closed';\n");
  WriteMigration("V3__default.sql",
                 "ALTER TABLE tickets ALTER COLUMN state SET DEFAULT 'closed';\n");
  ASSERT_EQ(Run("up").exit_code, 0);
  db().Query("INSERT INTO tickets VALUES (1, 'new'), (2, DEFAULT)");
  const ProcessResult run = BackUpAndRestore();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(target().Query("SELECT id, state FROM tickets ORDER BY id"), "1|new\n2|closed\n");
  EXPECT_EQ(target().Query("SELECT count(*) FROM dbshift_history"), "3\n");
}

// An index made by hand on the source: the data would fit, but the
// restored database would not be the one backed up.
TEST_P(PostgresBackupTest, RestoreRefusesASourceWhoseSchemaNoMigrationMakes) {
  MigrateAndFill();
  db().Query("CREATE INDEX users_note ON users (note)");
  const ProcessResult run = BackUpAndRestore();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("+ index public.users_note"));
  EXPECT_FALSE(target().HasTable("orders"));
}

// kill -9 in the middle of a backup (here while it waits for its table
// locks behind a session that holds one): only the hidden staging folder is
// left, which does not verify, and nothing stays locked on the server.
TEST_P(PostgresBackupTest, KilledBackupNeverLooksComplete) {
  MigrateAndFill();
  std::unique_ptr<Driver> blocker = OpenDriver(Url::Parse(url()), {});
  blocker->Begin();
  blocker->Query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
  std::vector<std::string> args = CommonArgs();
  args.insert(args.end(), {"backup", "--out", out().string()});
  BackgroundProcess backup(
      DbshiftBinary(), {.args = args, .env = {{"DATABASE_URL", std::nullopt}}, .cwd = work_dir()});
  bool waiting = false;
  for (int i = 0; i < 400 && !waiting; ++i) {
    waiting = db().Query(
                  "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                  "'dbshift' AND wait_event_type = 'Lock'") != "0\n";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(waiting) << "the backup never waited for its table locks";
  backup.Kill(SIGKILL);
  backup.Wait(std::chrono::seconds(10));
  blocker->Rollback();

  std::vector<std::filesystem::path> left;
  for (const auto& entry : std::filesystem::directory_iterator(out())) left.push_back(entry.path());
  ASSERT_EQ(left.size(), 1U);
  EXPECT_THAT(left[0].filename().string(), ::testing::StartsWith("."));
  EXPECT_THAT(left[0].filename().string(), HasSubstr(".partial-"));
  const ProcessResult verify = Run("backup", "verify", left[0].string());
  EXPECT_EQ(verify.exit_code, 3);
  // The server let go of the dead backup's locks and snapshot: the next one runs.
  const std::filesystem::path folder = TakeBackup();
  EXPECT_FALSE(folder.empty());
}

TEST_P(PostgresBackupTest, UpWithBackupTakesOneBeforeApplying) {
  MigrateAndFill();
  WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  const ProcessResult run = Run("--format", "json", "up", "--backup");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::filesystem::path folder = ParseJson(run.out)["backup"].get<std::string>();
  const nlohmann::json manifest = nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  EXPECT_EQ(manifest["schema_version"], "3");
  // The backup restores to the state before V4, with V4 still to apply.
  RemoveMigration("V4__email.sql");
  ASSERT_EQ(OnTarget({"restore", "--from", folder.string()}).exit_code, 0);
  EXPECT_EQ(target().Query(kDataQueries[1]), db().Query(kDataQueries[1]));
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresBackupTest, ::testing::Values("postgres"), EngineName);

}  // namespace
}  // namespace dbshift::testing
