// dbshift backup and backup verify as users run them on SQLite: the folder,
// its manifest tagged with the schema version and row counts, private file
// modes, a copy that opens as the same database, the migration lock, a
// flipped byte caught by verify, and MySQL, which has no backups yet.
// PostgreSQL's backups: backup_postgres_test.cc.

#include <algorithm>
#include <fstream>
#include <string>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

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

long long CountRows(const std::filesystem::path& database, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  const std::string sql = "SELECT count(*) FROM " + table;
  long long rows = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    rows = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

class BackupTest : public CliTest {
 protected:
  void MigrateSample() {
    WriteMigration("V1__users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
    WriteMigration("V2__seed.sql", "INSERT INTO users (name) VALUES ('ann'), ('bob'), ('cy');\n");
    WriteMigration("V3__orders.sql", "CREATE TABLE orders (id INTEGER, user_id INTEGER);\n");
    ASSERT_EQ(Run("up").exit_code, 0);
  }
  std::filesystem::path out() { return db().dir().path() / "backups"; }
};

TEST_P(BackupTest, WritesAVerifiedFolderTaggedWithTheSchemaVersion) {
  MigrateSample();
  const std::string schema_before = db().SchemaSnapshot();

  const ProcessResult run = Run("--format", "json", "backup", "--out", out().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["schema_version"], "3");
  EXPECT_EQ(result["engine"], "sqlite");
  const std::filesystem::path folder = result["backup"].get<std::string>();
  EXPECT_EQ(folder.parent_path(), out());
  EXPECT_THAT(folder.filename().string(), HasSubstr("-v3-"));

  const nlohmann::json manifest = nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  EXPECT_EQ(manifest["schema_version"], "3");
  EXPECT_EQ(manifest["engine"], "sqlite");
  EXPECT_EQ(manifest["history_table"], "dbshift_history");
  ASSERT_EQ(manifest["migrations"].size(), 3U);
  EXPECT_EQ(manifest["migrations"][1]["script"], "V2__seed.sql");
  EXPECT_THAT(manifest["migrations"][1]["checksum"].get<std::string>(), HasSubstr("sha256:"));
  bool saw_users = false;
  for (const nlohmann::json& table : manifest["tables"]) {
    if (table["name"] == "users") {
      saw_users = true;
      EXPECT_EQ(table["rows"], 3);
    }
  }
  EXPECT_TRUE(saw_users) << manifest.dump(2);
  // The copy, and the schema as dbshift reads it, for restore and drift.
  std::vector<std::string> files;
  for (const nlohmann::json& file : manifest["files"]) files.push_back(file["path"]);
  EXPECT_THAT(files, ::testing::UnorderedElementsAre("database.sqlite", "schema.json"));
  EXPECT_THAT(ReadBytes(folder / "schema.json"), HasSubstr("\"users.name\""));
  // The password-free target, and nothing but the listed files.
  EXPECT_THAT(manifest["target"].get<std::string>(), HasSubstr("sqlite:"));

  struct stat info {};
  ASSERT_EQ(::stat((folder / "database.sqlite").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0600U);
  ASSERT_EQ(::stat(folder.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0700U);

  // The copy is the same database.
  EXPECT_EQ(CountRows(folder / "database.sqlite", "users"), 3);
  EXPECT_EQ(CountRows(folder / "database.sqlite", "dbshift_history"), 3);
  // The source is untouched.
  EXPECT_EQ(db().SchemaSnapshot(), schema_before);

  const ProcessResult verify = Run("backup", "verify", folder.string());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("complete"));
  EXPECT_THAT(verify.out, HasSubstr("schema version 3"));
}

TEST_P(BackupTest, VerifyCatchesAFlippedByte) {
  MigrateSample();
  const ProcessResult run = Run("--format", "json", "backup", "--out", out().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::filesystem::path folder = ParseJson(run.out)["backup"].get<std::string>();
  const std::filesystem::path data = folder / "database.sqlite";
  std::string bytes = ReadBytes(data);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  std::ofstream(data, std::ios::binary | std::ios::trunc) << bytes;

  const ProcessResult verify = Run("backup", "verify", folder.string());
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_THAT(verify.err, HasSubstr("database.sqlite"));
  EXPECT_THAT(verify.err, HasSubstr("SHA-256 differs"));

  const ProcessResult json = Run("--format", "json", "backup", "verify", folder.string());
  EXPECT_EQ(json.exit_code, 3);
  const nlohmann::json report = ParseJson(json.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["problems"][0]["file"], "database.sqlite");
}

TEST_P(BackupTest, WaitsForTheMigrationLock) {
  MigrateSample();
  std::unique_ptr<Driver> holder = OpenDriver(Url::Parse(url()), {});
  ASSERT_TRUE(holder->TryLock());
  const ProcessResult run = Run("--lock-timeout", "300ms", "backup", "--out", out().string());
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_FALSE(std::filesystem::exists(out()) && !std::filesystem::is_empty(out()));
  holder->Unlock();
  EXPECT_EQ(Run("backup", "--out", out().string()).exit_code, 0);
}

TEST_P(BackupTest, EmptyDatabaseHasNoVersion) {
  const ProcessResult run = Run("--format", "json", "backup", "--out", out().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(ParseJson(run.out)["schema_version"].is_null());
}

TEST_P(BackupTest, VerifyOfAFolderThatIsNoBackup) {
  std::filesystem::create_directories(out());
  const ProcessResult verify = Run("backup", "verify", out().string());
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_THAT(verify.err, HasSubstr("manifest.json: missing"));
  const ProcessResult none = Run("backup", "verify", (out() / "nothing").string());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("is not a folder"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, BackupTest, ::testing::Values("sqlite"), EngineName);

TEST_P(BackupTest, UpWithBackupTakesOneUnderItsLockBeforeApplying) {
  MigrateSample();
  WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
  const ProcessResult run = Run("--format", "json", "up", "--backup");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["current_version"], "4");
  // The default folder: ./backups, in the working folder (no dbshift.toml).
  const std::filesystem::path folder = result["backup"].get<std::string>();
  EXPECT_TRUE(folder.is_absolute());
  EXPECT_EQ(std::filesystem::weakly_canonical(folder.parent_path()),
            std::filesystem::weakly_canonical(work_dir() / "backups"));
  // The backup holds the state before V4.
  const nlohmann::json manifest = nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  EXPECT_EQ(manifest["schema_version"], "3");
  EXPECT_EQ(Run("backup", "verify", folder.string()).exit_code, 0);

  // Named in the run log, in that run before its first migration.
  std::vector<nlohmann::json> lines;
  for (const std::string& file : FilesUnder(log_dir())) {
    for (nlohmann::json& line : ReadLines(log_dir() / file)) lines.push_back(std::move(line));
  }
  const auto backup_line = std::find_if(lines.begin(), lines.end(), [](const nlohmann::json& line) {
    return line["event"] == "backup_taken";
  });
  ASSERT_NE(backup_line, lines.end());
  EXPECT_EQ((*backup_line)["backup"], folder.string());
  EXPECT_EQ((*backup_line)["current_version"], "3");
  std::vector<std::string> events;
  for (const nlohmann::json& line : lines) {
    if (line["run_id"] == (*backup_line)["run_id"]) events.push_back(line["event"]);
  }
  const auto taken = std::find(events.begin(), events.end(), "backup_taken");
  const auto started = std::find(events.begin(), events.end(), "migration_started");
  EXPECT_TRUE(taken != events.end() && taken < started);
}

TEST_P(BackupTest, UpWithBackupAndNothingPendingTakesNone) {
  MigrateSample();
  const ProcessResult run = Run("up", "--backup");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(std::filesystem::exists(work_dir() / "backups"));
  const ProcessResult dry = [&] {
    WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
    return Run("up", "--backup", "--dry-run");
  }();
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_FALSE(std::filesystem::exists(work_dir() / "backups"));
}

TEST_P(BackupTest, EnvironmentThatRequiresABackupGetsOne) {
  MigrateSample();
  WriteMigration("V4__email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
  db().dir().Write("work/dbshift.toml", "backup_dir = \"vault\"\n[env.prod]\nurl = \"" + url() +
                                            "\"\nrequire_backup = true\n");
  const ProcessResult run = RunBare({.args = {"--env", "prod", "--dir", migrations_dir().string(),
                                              "--log-dir", log_dir().string(), "up"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("backup   "));
  ASSERT_TRUE(std::filesystem::exists(work_dir() / "vault"));
  EXPECT_FALSE(std::filesystem::is_empty(work_dir() / "vault"));
}

// A namespace's own history table is the one that backup records and leaves
// out of the schema, that up --backup records, and that restore rebuilds.
TEST_P(BackupTest, NamespaceHistoryTableIsTheOneRecordedAndRestored) {
  db().dir().Write("work/dbshift.toml",
                   "[[namespace]]\nname = \"app\"\ndir = \"db/app\"\n"
                   "history_table = \"app_history\"\n");
  db().dir().Write("work/db/app/V1__users.sql",
                   "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
  const auto in_project = [&](const std::string& target, std::vector<std::string> args) {
    std::vector<std::string> all = {"--url", target, "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = std::move(all)});
  };
  const auto manifest_of = [](const ProcessResult& run) {
    const std::filesystem::path folder = ParseJson(run.out)["backup"].get<std::string>();
    EXPECT_THAT(ReadBytes(folder / "schema.json"), ::testing::Not(HasSubstr("app_history")));
    return nlohmann::json::parse(ReadBytes(folder / "manifest.json"));
  };
  ASSERT_EQ(in_project(url(), {"up"}).exit_code, 0);
  const ProcessResult backup =
      in_project(url(), {"--format", "json", "backup", "--out", out().string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_EQ(manifest_of(backup)["history_table"], "app_history");

  db().dir().Write("work/db/app/V2__email.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
  const ProcessResult up = in_project(url(), {"--format", "json", "up", "--backup"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(manifest_of(up)["history_table"], "app_history");

  const std::string restored = "sqlite:" + (db().dir().path() / "restored.db").string();
  const std::string folder = ParseJson(backup.out)["backup"].get<std::string>();
  const ProcessResult restore = in_project(restored, {"restore", "--from", folder});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  const ProcessResult status = in_project(restored, {"--format", "json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json migrations = ParseJson(status.out)["migrations"];
  ASSERT_EQ(migrations.size(), 2U);
  EXPECT_EQ(migrations[0]["state"], "applied");
  EXPECT_EQ(migrations[1]["state"], "pending");
}

class RestoreTest : public BackupTest {
 protected:
  // A backup of the sample at version 3; returns its folder.
  std::filesystem::path BackUpSample() {
    MigrateSample();
    const ProcessResult run = Run("--format", "json", "backup", "--out", out().string());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return ParseJson(run.out)["backup"].get<std::string>();
  }
  std::filesystem::path restored() { return db().dir().path() / "restored.db"; }
  // dbshift against the restore target, with the same migrations folder.
  ProcessResult OnRestored(std::vector<std::string> args) {
    std::vector<std::string> all = {"--url",     "sqlite:" + restored().string(),
                                    "--dir",     migrations_dir().string(),
                                    "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = std::move(all)});
  }
};

TEST_P(RestoreTest, EmptyDatabaseGetsTheDataAtTheBackupsVersion) {
  const std::filesystem::path folder = BackUpSample();
  const ProcessResult run = OnRestored({"--format", "json", "restore", "--from", folder.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json result = ParseJson(run.out);
  EXPECT_EQ(result["schema_version"], "3");
  EXPECT_EQ(CountRows(restored(), "users"), 3);

  // dbshift sees the restored database as migrated to 3, nothing pending.
  ExpectEveryMigrationAppliedAt(OnRestored({"--format", "json", "status"}), "3");
  // And a later migration applies on top.
  WriteMigration("V4__more.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n");
  EXPECT_EQ(OnRestored({"up"}).exit_code, 0);
}

TEST_P(RestoreTest, RefusesADatabaseAtAnotherVersion) {
  const std::filesystem::path folder = BackUpSample();
  ASSERT_EQ(OnRestored({"up", "--to", "1"}).exit_code, 0);
  const ProcessResult run = OnRestored({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("the target is at version 1 and the backup at version 3"));
  EXPECT_EQ(CountRows(restored(), "users"), 0);  // left as it was
}

TEST_P(RestoreTest, RefusesANonEmptyDatabase) {
  const std::filesystem::path folder = BackUpSample();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(restored().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE keep_me (id INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const ProcessResult run = OnRestored({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("the target is not empty (1 object: keep_me)"));
  EXPECT_EQ(CountRows(restored(), "keep_me"), 0);
}

TEST_P(RestoreTest, RefusesWhenTheMigrationsAreNotTheOnesOfTheBackup) {
  const std::filesystem::path folder = BackUpSample();
  WriteMigration("V2__seed.sql", "INSERT INTO users (name) VALUES ('someone else');\n");
  RemoveMigration("V3__orders.sql");
  const ProcessResult run = OnRestored({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("V2__seed.sql: the file differs"));
  EXPECT_THAT(run.err, HasSubstr("3 (V3__orders.sql) is not in the migrations folder"));
  EXPECT_EQ(CountRows(restored(), "users"), -1);  // nothing written
}

TEST_P(RestoreTest, RefusesADamagedBackup) {
  const std::filesystem::path folder = BackUpSample();
  std::filesystem::remove(folder / "manifest.json.sha256");
  const ProcessResult run = OnRestored({"restore", "--from", folder.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("is not a complete, unchanged backup"));
  EXPECT_EQ(CountRows(restored(), "users"), -1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, RestoreTest, ::testing::Values("sqlite"), EngineName);

class BackupServerTest : public CliTest {};

TEST_P(BackupServerTest, RestoreOfABackupOfAnotherEngineIsRefused) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  const std::string sqlite_url = "sqlite:" + (db().dir().path() / "src.db").string();
  const std::filesystem::path out = db().dir().path() / "backups";
  auto on_sqlite = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {
        "--url", sqlite_url, "--dir", migrations_dir().string(), "--log-dir", log_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return RunBare({.args = std::move(all)});
  };
  ASSERT_EQ(on_sqlite({"up"}).exit_code, 0);
  const ProcessResult backup = on_sqlite({"--format", "json", "backup", "--out", out.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const std::string folder = ParseJson(backup.out)["backup"].get<std::string>();

  const ProcessResult run = Run("restore", "--from", folder);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("the backup is of a sqlite database and the target is " + GetParam()));
  EXPECT_FALSE(db().HasTable("a"));
}

INSTANTIATE_TEST_SUITE_P(Servers, BackupServerTest, ::testing::Values("postgres", "mysql"),
                         EngineName);

class BackupMysqlTest : public CliTest {};

// Said plainly, before anything is written.
TEST_P(BackupMysqlTest, BackupIsRefused) {
  const std::filesystem::path out = db().dir().path() / "backups";
  const ProcessResult run = Run("backup", "--out", out.string());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("SQLite and PostgreSQL only"));
  EXPECT_TRUE(!std::filesystem::exists(out) || std::filesystem::is_empty(out));
}

// A backup that cannot be taken stops up before anything is applied.
TEST_P(BackupMysqlTest, UpWithBackupWhereNoneCanBeTakenAppliesNothing) {
  WriteMigration("V1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  const ProcessResult run = Run("up", "--backup");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("SQLite and PostgreSQL only"));
  EXPECT_FALSE(db().HasTable("a"));
  EXPECT_EQ(Run("up").exit_code, 0);
  EXPECT_TRUE(db().HasTable("a"));
}

INSTANTIATE_TEST_SUITE_P(Mysql, BackupMysqlTest, ::testing::Values("mysql"), EngineName);

}  // namespace
}  // namespace dbshift::testing
