#pragma once

// The behaviour every Driver must have, as one parameterised gtest suite
// (golang-migrate's database/testing). Each engine's test program includes
// this header from exactly ONE .cc file (it defines the tests) and
// instantiates the suite with its engine:
//
//   #include "driver/conformance.h"
//
//   namespace {
//   class SqliteDatabase : public dbshift::testing::EngineDatabase {
//    public:
//     std::string url() override { return "sqlite:" + (dir_.path() / "test.db").string(); }
//    private:
//     dbshift::testing::ScopedTempDir dir_;
//   };
//   }  // namespace
//
//   INSTANTIATE_TEST_SUITE_P(
//       Sqlite, DriverConformance,
//       ::testing::Values(dbshift::testing::ConformanceEngine{
//           .name = "sqlite",
//           .make = [] { return std::make_unique<SqliteDatabase>(); },
//           .bad_url = "sqlite:/nonexistent-dbshift-dir/sub/test.db",
//           .bad_url_secret = "",
//           .reports_error_position = true,
//       }),
//       dbshift::testing::ConformanceEngineName);
//
// make() is called once per test and must return a FRESH, EMPTY database
// that stays alive until the returned object is destroyed (after every
// driver of the test is closed). An EngineDatabase whose url() is empty
// means "engine not configured": the test skips, or fails when
// DBSHIFT_REQUIRE_ALL_ENGINES=1.
//
// The suite only uses the Driver interface, OpenDriver and engine-neutral SQL
// (CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT), INSERT, SELECT).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/history_row.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/sql/statement.h"

#include "testing/test_databases.h"

namespace dbshift::testing {

/// One database for one test. Destroyed after every driver of the test.
class EngineDatabase {
 public:
  virtual ~EngineDatabase() = default;
  /// The URL of a fresh, empty database; empty when the engine is not
  /// configured (the test then skips, or fails under
  /// DBSHIFT_REQUIRE_ALL_ENGINES=1).
  virtual std::string url() = 0;
  /// Why url() is empty, shown when the test skips or fails.
  virtual std::string SkipReason() const { return "engine not configured"; }
};

/// One engine under test: the instantiation parameter of DriverConformance.
struct ConformanceEngine {
  /// Test-name suffix: letters, digits and '_' only ("sqlite", "postgres").
  std::string name;
  /// Makes a fresh database for one test.
  std::function<std::unique_ptr<EngineDatabase>()> make;
  /// A URL OpenDriver cannot reach (bad host, port or path); empty skips that
  /// test. It may contain a password, named by bad_url_secret.
  std::string bad_url;
  /// Text of bad_url that must never appear in the ConnectError message
  /// (its password); empty when bad_url has none.
  std::string bad_url_secret;
  /// True when the engine reports where in a statement a syntax error is:
  /// the suite then checks SqlError::position().
  bool reports_error_position = true;
};

/// Name generator for INSTANTIATE_TEST_SUITE_P.
inline std::string ConformanceEngineName(const ::testing::TestParamInfo<ConformanceEngine>& info) {
  return info.param.name;
}

// gtest prints parameters; without this it would dump the struct's bytes.
inline void PrintTo(const ConformanceEngine& engine, std::ostream* out) { *out << engine.name; }

}  // namespace dbshift::testing

namespace dbshift::conformance_detail {

inline Statement Sql(std::string text) {
  Statement statement;
  statement.text = std::move(text);
  return statement;
}

// Every field set, none at its default, so a column that is not written or
// not read back shows up.
inline HistoryRow FullRow(std::string version) {
  HistoryRow row;
  row.version = std::move(version);
  row.description = "create users";
  row.kind = HistoryKind::kVersioned;
  row.script = "V" + row.version + "__create_users.sql";
  row.checksum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  row.success = true;
  row.statements_done = 7;
  row.statements_total = 7;
  row.error = "";
  row.applied_by = "deploy@build-host";
  row.applied_at = "2026-11-21T09:30:00.123Z";
  row.execution_ms = 1234567890123;  // beyond 32 bits
  row.run_id = "0123456789abcdef0123456789abcdef";
  row.tool_version = "0.1.0";
  row.statements_checksum =
      "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  return row;
}

inline std::string LongErrorText() {
  std::string text = "ERROR:  relation \"users\" already exists\nLINE 1: CREATE TABLE users (\n";
  while (text.size() < 20000) text += "a 'quoted' \"text\" with \\ backslash; ";
  return text;
}

inline void ExpectSameRow(const HistoryRow& expected, const HistoryRow& actual) {
  SCOPED_TRACE("installed_rank " + std::to_string(expected.installed_rank));
  EXPECT_EQ(expected.installed_rank, actual.installed_rank);
  EXPECT_EQ(expected.version, actual.version);
  EXPECT_EQ(expected.description, actual.description);
  EXPECT_EQ(HistoryKindName(expected.kind), HistoryKindName(actual.kind));
  EXPECT_EQ(expected.script, actual.script);
  EXPECT_EQ(expected.checksum, actual.checksum);
  EXPECT_EQ(expected.success, actual.success);
  EXPECT_EQ(expected.statements_done, actual.statements_done);
  EXPECT_EQ(expected.statements_total, actual.statements_total);
  EXPECT_EQ(expected.error, actual.error);
  EXPECT_EQ(expected.applied_by, actual.applied_by);
  EXPECT_EQ(expected.applied_at, actual.applied_at);
  EXPECT_EQ(expected.execution_ms, actual.execution_ms);
  EXPECT_EQ(expected.run_id, actual.run_id);
  EXPECT_EQ(expected.tool_version, actual.tool_version);
  EXPECT_EQ(expected.statements_checksum, actual.statements_checksum);
}

inline void ExpectSameRows(const std::vector<HistoryRow>& expected,
                           const std::vector<HistoryRow>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ExpectSameRow(expected[i], actual[i]);
}

// True when `statement` runs without error; the way the suite asks whether a
// table exists, since Driver has no query API.
inline bool Runs(Driver& driver, const std::string& statement) {
  try {
    driver.Execute(Sql(statement));
    return true;
  } catch (const SqlError&) {
    return false;
  }
}

}  // namespace dbshift::conformance_detail

/// The suite. Global namespace so instantiation reads `DriverConformance`.
class DriverConformance : public ::testing::TestWithParam<dbshift::testing::ConformanceEngine> {
 protected:
  void SetUp() override {
    database_ = GetParam().make();
    url_text_ = database_->url();
    if (url_text_.empty()) {
      if (dbshift::testing::AllEnginesRequired()) {
        FAIL() << GetParam().name << ": " << database_->SkipReason()
               << " and DBSHIFT_REQUIRE_ALL_ENGINES=1";
      }
      GTEST_SKIP() << GetParam().name << ": " << database_->SkipReason();
    }
    url_ = dbshift::Url::Parse(url_text_);
  }

  /// A new driver (a new connection) on this test's database.
  std::unique_ptr<dbshift::Driver> Open(const dbshift::DriverOptions& options = {}) {
    auto driver = dbshift::OpenDriver(*url_, options);
    EXPECT_NE(driver, nullptr);
    return driver;
  }

  std::unique_ptr<dbshift::testing::EngineDatabase> database_;
  std::string url_text_;
  std::optional<dbshift::Url> url_;
};

// ---- identity

TEST_P(DriverConformance, OpensAndReportsIdentity) {
  auto driver = Open();
  EXPECT_FALSE(driver->ServerVersion().empty());
  EXPECT_FALSE(driver->Target().empty());
  if (!url_->password().empty()) {
    EXPECT_EQ(driver->Target().find(url_->password()), std::string::npos);
  }
  EXPECT_FALSE(driver->QuoteIdentifier("t").empty());
  driver.reset();  // closing must not throw or crash
}

// ---- history table

TEST_P(DriverConformance, HistoryTableIsCreatedOnceAndIdempotently) {
  auto driver = Open();
  EXPECT_FALSE(driver->HistoryTableExists());
  EXPECT_TRUE(driver->ReadHistory().empty());
  EXPECT_FALSE(driver->HistoryTableExists()) << "ReadHistory must not create the table";
  driver->EnsureHistoryTable();
  EXPECT_TRUE(driver->HistoryTableExists());
  driver->EnsureHistoryTable();
  driver->EnsureHistoryTable();
  EXPECT_TRUE(driver->HistoryTableExists());
  EXPECT_TRUE(driver->ReadHistory().empty());

  auto other = Open();
  EXPECT_TRUE(other->HistoryTableExists());
  other->EnsureHistoryTable();
}

TEST_P(DriverConformance, HistoryRowsRoundTripEveryField) {
  using dbshift::conformance_detail::ExpectSameRows;
  using dbshift::conformance_detail::FullRow;
  auto driver = Open();
  driver->EnsureHistoryTable();

  std::vector<dbshift::HistoryRow> rows;
  rows.push_back(FullRow("1.2"));

  dbshift::HistoryRow repeatable = FullRow("");
  repeatable.kind = dbshift::HistoryKind::kRepeatable;
  repeatable.description = "vues ünïcödé — 数据库 🚀 'quote' \"dq\"";
  repeatable.script = "R__vues_ünïcödé.sql";
  rows.push_back(repeatable);

  dbshift::HistoryRow failed = FullRow("20261121093000");
  failed.success = false;
  failed.statements_done = 2;
  failed.statements_total = 5;
  failed.error = dbshift::conformance_detail::LongErrorText();
  failed.execution_ms = 0;
  rows.push_back(failed);

  dbshift::HistoryRow baseline = FullRow("3");
  baseline.kind = dbshift::HistoryKind::kBaseline;
  baseline.checksum = "";
  baseline.run_id = "";
  baseline.statements_done = 0;
  baseline.statements_total = 0;
  rows.push_back(baseline);

  dbshift::HistoryRow undo = FullRow("1.2");
  undo.kind = dbshift::HistoryKind::kUndo;
  undo.applied_at = "";  // the driver fills it in
  rows.push_back(undo);

  int64_t previous_rank = 0;
  for (auto& row : rows) {
    driver->AppendHistory(row);
    EXPECT_EQ(row.installed_rank, previous_rank + 1) << "ranks are max + 1";
    previous_rank = row.installed_rank;
  }
  EXPECT_FALSE(rows.back().applied_at.empty()) << "AppendHistory sets applied_at when empty";
  EXPECT_EQ(rows[0].applied_at, "2026-11-21T09:30:00.123Z") << "a given applied_at is kept";

  ExpectSameRows(rows, driver->ReadHistory());
  // Also through a second connection: the rows are really stored, not cached.
  auto other = Open();
  ExpectSameRows(rows, other->ReadHistory());
}

// A history table that an older dbshift created lacks the newest column;
// status reads it without upgrading, and the next up adds the column.
TEST_P(DriverConformance, TableWithoutTheNewestColumnIsReadThenUpgraded) {
  using dbshift::conformance_detail::FullRow;
  {
    auto driver = Open();
    driver->EnsureHistoryTable();
    dbshift::HistoryRow row = FullRow("1");
    driver->AppendHistory(row);
    driver->Execute(dbshift::conformance_detail::Sql(
        "ALTER TABLE dbshift_history DROP COLUMN statements_checksum"));
  }
  auto driver = Open();
  std::vector<dbshift::HistoryRow> rows = driver->ReadHistory();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version, "1");
  EXPECT_EQ(rows[0].statements_checksum, "");

  driver->EnsureHistoryTable();
  dbshift::HistoryRow second = FullRow("2");
  driver->AppendHistory(second);
  rows = driver->ReadHistory();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].statements_checksum, second.statements_checksum);
}

TEST_P(DriverConformance, UpdateHistoryRewritesEveryColumnButTheRank) {
  using dbshift::conformance_detail::FullRow;
  auto driver = Open();
  driver->EnsureHistoryTable();
  std::vector<dbshift::HistoryRow> rows = {FullRow("1"), FullRow("2"), FullRow("3")};
  for (auto& row : rows) driver->AppendHistory(row);

  dbshift::HistoryRow changed;
  changed.installed_rank = rows[1].installed_rank;
  changed.version = "2.1";
  changed.description = "réparé ✓";
  changed.kind = dbshift::HistoryKind::kUndo;
  changed.script = "U2.1__repaired.sql";
  changed.checksum = "sha256:00";
  changed.success = false;
  changed.statements_done = 1;
  changed.statements_total = 9;
  changed.error = "boom";
  changed.applied_by = "repair@elsewhere";
  changed.applied_at = "2027-01-02T03:04:05.678Z";
  changed.execution_ms = 42;
  changed.run_id = "ffffffffffffffffffffffffffffffff";
  changed.tool_version = "9.9.9";
  driver->UpdateHistory(changed);
  rows[1] = changed;
  dbshift::conformance_detail::ExpectSameRows(rows, driver->ReadHistory());

  // And back to empty optional fields.
  changed.version = "";
  changed.checksum = "";
  changed.error = "";
  changed.run_id = "";
  changed.success = true;
  driver->UpdateHistory(changed);
  rows[1] = changed;
  dbshift::conformance_detail::ExpectSameRows(rows, Open()->ReadHistory());
}

TEST_P(DriverConformance, DeleteHistoryRemovesOneRank) {
  using dbshift::conformance_detail::FullRow;
  auto driver = Open();
  driver->EnsureHistoryTable();
  std::vector<dbshift::HistoryRow> rows = {FullRow("1"), FullRow("2"), FullRow("3")};
  for (auto& row : rows) driver->AppendHistory(row);

  driver->DeleteHistory(rows[1].installed_rank);
  rows.erase(rows.begin() + 1);
  dbshift::conformance_detail::ExpectSameRows(rows, driver->ReadHistory());

  driver->DeleteHistory(12345);  // an absent rank is not an error
  dbshift::conformance_detail::ExpectSameRows(rows, driver->ReadHistory());

  dbshift::HistoryRow next = FullRow("4");
  driver->AppendHistory(next);
  EXPECT_GT(next.installed_rank, rows.back().installed_rank);
}

// ---- transactions

TEST_P(DriverConformance, HistoryRowsFollowTheTransaction) {
  using dbshift::conformance_detail::FullRow;
  auto driver = Open();
  driver->EnsureHistoryTable();

  driver->Begin();
  dbshift::HistoryRow rolled_back = FullRow("1");
  driver->AppendHistory(rolled_back);
  EXPECT_EQ(driver->ReadHistory().size(), 1u) << "visible inside its own transaction";
  driver->Rollback();
  EXPECT_TRUE(driver->ReadHistory().empty());

  driver->Begin();
  dbshift::HistoryRow committed = FullRow("1");
  driver->AppendHistory(committed);
  driver->Commit();
  ASSERT_EQ(driver->ReadHistory().size(), 1u);
  EXPECT_EQ(Open()->ReadHistory().size(), 1u);
}

// Rows appended at commit may travel with the COMMIT itself; they must still
// get the next ranks in order, every field, and applied_at when empty.
TEST_P(DriverConformance, RowsAppendedAtCommitArriveInOrderWithTheCommit) {
  using dbshift::conformance_detail::FullRow;
  using dbshift::conformance_detail::Sql;
  auto driver = Open();
  driver->EnsureHistoryTable();
  std::vector<dbshift::HistoryRow> expected;
  expected.push_back(FullRow("1"));
  driver->AppendHistory(expected.back());

  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  // More rows than one INSERT of the PostgreSQL driver carries (1,000).
  for (int i = 2; i <= 1002; ++i) {
    dbshift::HistoryRow row = FullRow(std::to_string(i));
    row.installed_rank = i;  // what the driver must assign
    row.description = "row " + std::to_string(i);
    if (i == 1002) row.applied_at = "";
    expected.push_back(row);
    driver->AppendHistoryAtCommit(row);
  }
  driver->Commit();

  std::vector<dbshift::HistoryRow> rows = Open()->ReadHistory();
  ASSERT_EQ(rows.size(), expected.size());
  EXPECT_FALSE(rows.back().applied_at.empty()) << "applied_at is set when empty";
  expected.back().applied_at = rows.back().applied_at;
  dbshift::conformance_detail::ExpectSameRows(expected, rows);
}

TEST_P(DriverConformance, RowsAppendedAtCommitVanishWithARollback) {
  auto driver = Open();
  driver->EnsureHistoryTable();
  driver->Begin();
  driver->AppendHistoryAtCommit(dbshift::conformance_detail::FullRow("1"));
  driver->Rollback();
  // Nothing of the rolled-back transaction may reach a later one.
  driver->Begin();
  driver->Commit();
  EXPECT_TRUE(driver->ReadHistory().empty());
  EXPECT_TRUE(Open()->ReadHistory().empty());
}

// A migration that reads the history table, and the history calls, see the
// rows of the migrations before it in the same transaction.
TEST_P(DriverConformance, RowsAppendedAtCommitAreVisibleInsideTheTransaction) {
  using dbshift::conformance_detail::Sql;
  auto driver = Open();
  driver->EnsureHistoryTable();
  driver->Execute(Sql("CREATE TABLE seen (n INTEGER)"));
  driver->Begin();
  driver->AppendHistoryAtCommit(dbshift::conformance_detail::FullRow("1"));
  driver->Execute(Sql("INSERT INTO seen (n) SELECT COUNT(*) FROM dbshift_history"));
  driver->AppendHistoryAtCommit(dbshift::conformance_detail::FullRow("2"));
  EXPECT_EQ(driver->Query("SELECT COUNT(*) FROM dbshift_history", {}).at(0).at(0), "2");
  driver->AppendHistoryAtCommit(dbshift::conformance_detail::FullRow("3"));
  EXPECT_EQ(driver->ReadHistory().size(), 3u);
  driver->Commit();
  EXPECT_EQ(driver->Query("SELECT n FROM seen", {}).at(0).at(0), "1");
  EXPECT_EQ(Open()->ReadHistory().size(), 3u);
}

TEST_P(DriverConformance, RolledBackDdlVanishes) {
  auto driver = Open();
  if (!driver->capabilities().transactional_ddl) {
    GTEST_SKIP() << GetParam().name << " has no transactional DDL";
  }
  driver->Begin();
  driver->Execute(dbshift::conformance_detail::Sql(
      "CREATE TABLE rolled_back (id INTEGER PRIMARY KEY, name TEXT)"));
  driver->Execute(
      dbshift::conformance_detail::Sql("INSERT INTO rolled_back (id, name) VALUES (1, 'a')"));
  driver->Rollback();
  EXPECT_FALSE(dbshift::conformance_detail::Runs(*driver, "SELECT id FROM rolled_back"));
}

TEST_P(DriverConformance, CommittedDdlAndHistoryPersistTogether) {
  using dbshift::conformance_detail::Runs;
  using dbshift::conformance_detail::Sql;
  auto driver = Open();
  driver->EnsureHistoryTable();
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
  driver->Execute(Sql("INSERT INTO t (id, name) VALUES (1, 'one')"));
  dbshift::HistoryRow row = dbshift::conformance_detail::FullRow("1");
  driver->AppendHistory(row);
  driver->Commit();

  auto other = Open();
  EXPECT_TRUE(Runs(*other, "SELECT id, name FROM t"));
  EXPECT_EQ(other->ReadHistory().size(), 1u);
}

TEST_P(DriverConformance, RollbackOutsideTransactionIsANoOp) {
  auto driver = Open();
  driver->Rollback();
  driver->Rollback();
  driver->Execute(dbshift::conformance_detail::Sql("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  EXPECT_TRUE(dbshift::conformance_detail::Runs(*driver, "SELECT id FROM t"));
}

TEST_P(DriverConformance, FailedStatementInsideTransactionRollsBackCleanly) {
  using dbshift::conformance_detail::Runs;
  using dbshift::conformance_detail::Sql;
  auto driver = Open();
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
  EXPECT_THROW(driver->Execute(Sql("SELECT nope FROM no_such_table")), dbshift::SqlError);
  driver->Rollback();
  // The connection is usable again after the failed transaction.
  driver->Execute(Sql("CREATE TABLE u (id INTEGER PRIMARY KEY)"));
  EXPECT_TRUE(Runs(*driver, "SELECT id FROM u"));
}

// ---- errors

TEST_P(DriverConformance, SyntaxErrorThrowsSqlErrorWithCodeMessageAndPosition) {
  auto driver = Open();
  // "garbage" starts at character 15; every SQL grammar rejects it there.
  const std::string statement = "SELECT 1 AS a garbage";
  try {
    driver->Execute(dbshift::conformance_detail::Sql(statement));
    FAIL() << "no SqlError";
  } catch (const dbshift::SqlError& e) {
    EXPECT_FALSE(e.context().sqlstate.empty());
    EXPECT_NE(std::string(e.what()).find("garbage"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), dbshift::ExitCode::kMigrationFailed);
    if (GetParam().reports_error_position) {
      EXPECT_EQ(e.position(), 15) << "1-based position of 'garbage'";
    }
  }
}

TEST_P(DriverConformance, ErrorPositionCountsCharactersNotBytes) {
  if (!GetParam().reports_error_position) GTEST_SKIP() << "engine reports no position";
  auto driver = Open();
  // 'é' and '数' are 2 and 3 bytes: the second "garbage" is at character 29
  // (byte 32); the first one is a column alias.
  const std::string statement = "SELECT 'é数' AS a, 1 garbage garbage";
  try {
    driver->Execute(dbshift::conformance_detail::Sql(statement));
    FAIL() << "no SqlError";
  } catch (const dbshift::SqlError& e) {
    EXPECT_FALSE(e.context().sqlstate.empty());
    EXPECT_EQ(e.position(), 29) << e.what();
  }
}

TEST_P(DriverConformance, MissingTableErrorNamesTheTable) {
  auto driver = Open();
  try {
    driver->Execute(dbshift::conformance_detail::Sql("SELECT id FROM no_such_table"));
    FAIL() << "no SqlError";
  } catch (const dbshift::SqlError& e) {
    EXPECT_FALSE(e.context().sqlstate.empty());
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
}

TEST_P(DriverConformance, ConstraintViolationThrowsSqlError) {
  using dbshift::conformance_detail::Sql;
  auto driver = Open();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
  driver->Execute(Sql("INSERT INTO t (id, name) VALUES (1, 'one')"));
  try {
    driver->Execute(Sql("INSERT INTO t (id, name) VALUES (1, 'again')"));
    FAIL() << "no SqlError";
  } catch (const dbshift::SqlError& e) {
    EXPECT_FALSE(e.context().sqlstate.empty());
    EXPECT_FALSE(std::string(e.what()).empty());
  }
}

// ---- lock

TEST_P(DriverConformance, TryLockIsReentrantOnOneDriver) {
  auto driver = Open();
  EXPECT_TRUE(driver->TryLock());
  EXPECT_TRUE(driver->TryLock());
  driver->Unlock();
  driver->Unlock();  // unlocking a free lock is harmless
}

TEST_P(DriverConformance, SecondDriverWaitsForTheLock) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first->TryLock());
  EXPECT_FALSE(second->TryLock());
  EXPECT_FALSE(second->TryLock());
  first->Unlock();
  EXPECT_TRUE(second->TryLock());
  EXPECT_FALSE(first->TryLock());
  second->Unlock();
  EXPECT_TRUE(first->TryLock());
  first->Unlock();
}

TEST_P(DriverConformance, LockStatusNamesTheHolder) {
  auto holder = Open();
  auto observer = Open();
  EXPECT_EQ(observer->LockStatus(), std::nullopt);
  ASSERT_TRUE(holder->TryLock());

  std::optional<dbshift::LockHolder> status = observer->LockStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(status->who.find(std::to_string(getpid())), std::string::npos) << status->who;

  holder->Unlock();
  EXPECT_EQ(observer->LockStatus(), std::nullopt);
  EXPECT_EQ(holder->LockStatus(), std::nullopt);
}

TEST_P(DriverConformance, LockIsReleasedWhenTheHolderIsDestroyed) {
  auto holder = Open();
  auto second = Open();
  ASSERT_TRUE(holder->TryLock());
  EXPECT_FALSE(second->TryLock());
  holder.reset();
  EXPECT_TRUE(second->TryLock());
  second->Unlock();
}

TEST_P(DriverConformance, LockDoesNotBlockMigrationWork) {
  using dbshift::conformance_detail::Sql;
  // The lock lives on its own handle: the migration connection still runs
  // transactions and DDL while it is held.
  auto driver = Open();
  ASSERT_TRUE(driver->TryLock());
  driver->EnsureHistoryTable();
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
  dbshift::HistoryRow row = dbshift::conformance_detail::FullRow("1");
  driver->AppendHistory(row);
  driver->Commit();
  EXPECT_EQ(driver->ReadHistory().size(), 1u);
  driver->Unlock();
}

// ---- session settings

TEST_P(DriverConformance, TimeoutsAreAccepted) {
  using dbshift::conformance_detail::Runs;
  using std::chrono::milliseconds;
  auto driver = Open();
  driver->SetLockTimeout(milliseconds(5000));
  driver->SetStatementTimeout(milliseconds(30000));
  EXPECT_TRUE(Runs(*driver, "CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  driver->SetLockTimeout(milliseconds(0));
  driver->SetStatementTimeout(milliseconds(0));
  EXPECT_TRUE(Runs(*driver, "SELECT id FROM t"));
}

// ---- naming

TEST_P(DriverConformance, CustomHistoryTableNameIsQuoted) {
  dbshift::DriverOptions options;
  options.history_table = "Deploy History \"v2\"";
  auto driver = Open(options);
  EXPECT_FALSE(driver->HistoryTableExists());
  driver->EnsureHistoryTable();
  driver->EnsureHistoryTable();
  EXPECT_TRUE(driver->HistoryTableExists());
  dbshift::HistoryRow row = dbshift::conformance_detail::FullRow("1");
  driver->AppendHistory(row);
  dbshift::conformance_detail::ExpectSameRows({row}, driver->ReadHistory());

  auto default_named = Open();
  EXPECT_FALSE(default_named->HistoryTableExists()) << "the default table was not touched";
  EXPECT_TRUE(default_named->ReadHistory().empty());
}

TEST_P(DriverConformance, QuoteIdentifierMakesAnyNameUsable) {
  using dbshift::conformance_detail::Runs;
  auto driver = Open();
  const std::string table = driver->QuoteIdentifier("odd \"name\" Table");
  const std::string column = driver->QuoteIdentifier("select");
  EXPECT_TRUE(Runs(*driver, "CREATE TABLE " + table + " (" + column + " INTEGER)"));
  EXPECT_TRUE(Runs(*driver, "INSERT INTO " + table + " (" + column + ") VALUES (1)"));
  EXPECT_TRUE(Runs(*driver, "SELECT " + column + " FROM " + table));
}

// ---- connecting

TEST_P(DriverConformance, UnreachableTargetThrowsConnectErrorWithoutPassword) {
  const auto& engine = GetParam();
  if (engine.bad_url.empty()) GTEST_SKIP() << "engine entry has no bad_url";
  dbshift::Url bad = dbshift::Url::Parse(engine.bad_url);
  dbshift::DriverOptions options;
  options.connect_timeout = std::chrono::milliseconds(3000);
  try {
    dbshift::OpenDriver(bad, options);
    FAIL() << "no ConnectError for " << bad.Redacted();
  } catch (const dbshift::ConnectError& e) {
    EXPECT_EQ(e.code(), dbshift::ExitCode::kConnect);
    EXPECT_FALSE(std::string(e.what()).empty());
    if (!engine.bad_url_secret.empty()) {
      EXPECT_EQ(std::string(e.what()).find(engine.bad_url_secret), std::string::npos) << e.what();
    }
  }
}
