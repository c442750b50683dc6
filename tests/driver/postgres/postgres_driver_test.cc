// PostgreSQL-specific behaviour of the driver, against the real test server
// (DBSHIFT_TEST_POSTGRES_URL); the engine-neutral contract is in
// postgres_conformance_test.cc.

#include "dbshift/driver/postgres/postgres_driver.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/history_row.h"
#include "dbshift/common/system_info.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/postgres/handles.h"
#include "dbshift/driver/postgres/libpq.h"
#include "dbshift/exec/transaction.h"

#include "testing/test_databases.h"

namespace dbshift::postgres {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "S3cr3t-p@ss";
constexpr char kSecretInUrl[] = "S3cr3t-p%40ss";

Statement Sql(std::string text) {
  Statement statement;
  statement.text = std::move(text);
  return statement;
}

Statement Copy(std::string text, std::string data) {
  Statement statement = Sql(std::move(text));
  statement.copy_from_stdin = true;
  statement.copy_data = std::move(data);
  return statement;
}

// A history row with the fields every append needs.
HistoryRow RowOfVersionOne() {
  HistoryRow row;
  row.version = "1";
  row.description = "d";
  row.script = "V1__d.sql";
  row.applied_by = "me";
  row.tool_version = "0.1.0";
  return row;
}

std::unique_ptr<PostgresDriver> Open(const std::string& url, const DriverOptions& options = {}) {
  return std::make_unique<PostgresDriver>(Url::Parse(url), options);
}

// The first column of the first row of `sql`, run on a plain libpq
// connection of the test's own (the driver has no query API).
std::string Query(const std::string& url, const std::string& sql) {
  PgConnPtr conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "test connection: " << PQerrorMessage(conn.get());
    return "";
  }
  PgResultPtr result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(conn.get());
    return "";
  }
  if (PQntuples(result.get()) == 0 || PQgetisnull(result.get(), 0, 0)) return "<null>";
  return PQgetvalue(result.get(), 0, 0);
}

// Runs `statement` and returns the SqlError it throws (fails when none).
std::optional<SqlError> ErrorOf(Driver& driver, const Statement& statement) {
  try {
    driver.Execute(statement);
  } catch (const SqlError& e) {
    return e;
  }
  ADD_FAILURE() << "no SqlError for: " << statement.text;
  return std::nullopt;
}

// The test server's URL with `database` and a password in it.
std::string UrlWithPassword(int port, const std::string& database) {
  const char* admin = std::getenv("DBSHIFT_TEST_POSTGRES_URL");
  Url parsed = Url::Parse(admin);
  return "postgres://" + parsed.user() + ":" + kSecretInUrl +
         "@127.0.0.1:" + std::to_string(port == 0 ? parsed.port() : port) + "/" + database;
}

TEST(PostgresDriver, ReportsIdentityAndCapabilities) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  EXPECT_EQ(driver->dialect(), Dialect::kPostgres);
  EXPECT_TRUE(std::regex_match(driver->ServerVersion(), std::regex(R"(\d+\.\d+)")))
      << driver->ServerVersion();
  EXPECT_TRUE(driver->capabilities().transactional_ddl);
  EXPECT_TRUE(driver->capabilities().lock_timeout);
  EXPECT_TRUE(driver->capabilities().statement_timeout);
  EXPECT_EQ(driver->Target(), Url::Parse(db.url()).Redacted());
  EXPECT_EQ(driver->QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(driver->HistorySchema(), "public");
}

// Ends the backend that holds this database's migration lock (it announces
// itself in application_name) and waits until the server has let it go.
void TerminateLockHolder(const std::string& url) {
  EXPECT_EQ(
      Query(url,
            "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE 'dbshift % pid %'"),
      "1");
  for (int i = 0; i < 250; ++i) {
    if (Query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == "0") return;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ADD_FAILURE() << "the server kept the advisory lock";
}

TEST(PostgresDriver, LockKeptWhileNothingHappenedPassesTheCheck) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->CheckLockStillHeld();  // holds nothing: nothing to lose
  ASSERT_TRUE(driver->TryLock());
  driver->CheckLockStillHeld();
  driver->CheckLockStillHeld();
  EXPECT_TRUE(driver->LockStatus().has_value());
  driver->CheckLockStillHeld();  // LockStatus used the same connection
  driver->Unlock();
  driver->CheckLockStillHeld();
}

// Nothing used the lock's connection after the server closed it: the check
// finds the closed socket itself.
TEST(PostgresDriver, LockWhoseConnectionTheServerClosedFailsTheCheck) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  ASSERT_TRUE(driver->TryLock());
  TerminateLockHolder(db.url());
  try {
    driver->CheckLockStillHeld();
    ADD_FAILURE() << "no error for a lock the server dropped";
  } catch (const ConnectError& e) {
    EXPECT_THAT(e.what(), HasSubstr("lost the migration lock"));
    EXPECT_THAT(e.what(), HasSubstr(Url::Parse(db.url()).Redacted()));
  }
  // Said once; the driver can take the lock again on a new connection.
  driver->CheckLockStillHeld();
  ASSERT_TRUE(driver->TryLock());
  driver->CheckLockStillHeld();
  driver->Unlock();
}

// The lock's connection died and something else (the blocker look-up of a
// long statement) reopened it before the check: the loss is still reported.
TEST(PostgresDriver, LockLostAndConnectionReopenedFailsTheCheck) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  ASSERT_TRUE(driver->TryLock());
  TerminateLockHolder(db.url());
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(driver->LockStatus().has_value());  // reconnects: the lock is free
  EXPECT_THROW(driver->CheckLockStillHeld(), ConnectError);
  driver->CheckLockStillHeld();
}

TEST(PostgresDriver, AdvisoryLockKeyIsStable) {
  // Runners of different versions must agree: this value may never change.
  EXPECT_EQ(AdvisoryLockKey("public", "dbshift_history"), 4719684907524370015LL);
  EXPECT_NE(AdvisoryLockKey("app", "dbshift_history"),
            AdvisoryLockKey("public", "dbshift_history"));
  EXPECT_NE(AdvisoryLockKey("public", "other"), AdvisoryLockKey("public", "dbshift_history"));
}

TEST(PostgresDriver, RunsDollarQuotedFunctionAndDoBlock) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Execute(Sql(R"(CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE plpgsql AS $fn$
BEGIN
  -- a ';' and a 'quote' inside the body
  RETURN i + 1;
END;
$fn$)"));
  driver->Execute(Sql(R"(DO $$
BEGIN
  IF add_one(1) <> 2 THEN RAISE EXCEPTION 'add_one is wrong'; END IF;
  RAISE NOTICE 'do block ran; result %', add_one(41);
END
$$)"));
  EXPECT_EQ(Query(db.url(), "SELECT add_one(41)"), "42");
  EXPECT_THAT(driver->TakeNotices(), ::testing::Contains(HasSubstr("do block ran; result 42")));
  EXPECT_TRUE(driver->TakeNotices().empty()) << "TakeNotices empties the list";
}

TEST(PostgresDriver, KeepsOnlyTheMostRecentNotices) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Execute(Sql("DO $$ BEGIN FOR i IN 1..1500 LOOP RAISE NOTICE 'n%', i; END LOOP; END $$"));
  std::vector<std::string> notices = driver->TakeNotices();
  ASSERT_EQ(notices.size(), Connection::kMaxNotices);
  EXPECT_THAT(notices.front(), HasSubstr("n501"));
  EXPECT_THAT(notices.back(), HasSubstr("n1500"));
}

TEST(PostgresDriver, ExceptionRaisedInDoBlockIsSqlError) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  auto error = ErrorOf(*driver, Sql("DO $$ BEGIN RAISE EXCEPTION 'nope' USING ERRCODE = 'P0001', "
                                    "DETAIL = 'the detail', HINT = 'the hint'; END $$"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "P0001");
  EXPECT_EQ(std::string(error->what()), "nope\nDETAIL: the detail\nHINT: the hint");
  EXPECT_EQ(error->position(), 0);
}

TEST(PostgresDriver, CopyFromStdinLoadsData) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Execute(Sql("CREATE TABLE items (id integer PRIMARY KEY, name text, note text)"));
  driver->Execute(Copy("COPY items (id, name, note) FROM STDIN",
                       "1\tit's\ta;b\n"
                       "2\t\"quoted\"\t\\N\n"
                       "3\ttab\\there\t; DROP TABLE items;\n"
                       "4\tünïcödé 数据\t\\\\backslash\n"));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "4");
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items WHERE note IS NULL"), "1");
  EXPECT_EQ(Query(db.url(), "SELECT name FROM items WHERE id = 1"), "it's");
  EXPECT_EQ(Query(db.url(), "SELECT note FROM items WHERE id = 1"), "a;b");
  EXPECT_EQ(Query(db.url(), "SELECT name FROM items WHERE id = 2"), "\"quoted\"");
  EXPECT_EQ(Query(db.url(), "SELECT name FROM items WHERE id = 3"), "tab\there");
  EXPECT_EQ(Query(db.url(), "SELECT name FROM items WHERE id = 4"), "ünïcödé 数据");
  EXPECT_EQ(Query(db.url(), "SELECT note FROM items WHERE id = 4"), "\\backslash");

  // CSV, and more data than one chunk, inside a transaction.
  std::string csv;
  for (int i = 100; i < 20100; ++i) {
    csv += std::to_string(i) + ",\"name, " + std::to_string(i) + "\",x\n";
  }
  ASSERT_GT(csv.size(), 64u * 1024u * 2u);
  driver->Begin();
  driver->Execute(Copy("COPY items FROM STDIN WITH (FORMAT csv)", csv));
  driver->Commit();
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "20004");
  EXPECT_EQ(Query(db.url(), "SELECT name FROM items WHERE id = 20099"), "name, 20099");

  // An empty data section loads nothing and succeeds.
  driver->Execute(Copy("COPY items FROM STDIN", ""));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "20004");
}

TEST(PostgresDriver, FailingCopyThrowsAndConnectionRecovers) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Execute(Sql("CREATE TABLE items (id integer PRIMARY KEY, name text)"));

  driver->Begin();
  driver->Execute(Copy("COPY items FROM STDIN", "1\tgood\n"));
  auto bad = ErrorOf(*driver, Copy("COPY items FROM STDIN", "2\tfine\nnot-a-number\tbad\n"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->context().sqlstate, "22P02");
  EXPECT_THAT(bad->what(), HasSubstr("not-a-number"));
  driver->Rollback();
  driver->Execute(Sql("SELECT 1"));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "0");

  // Outside a transaction too, and with a duplicate key found mid-load.
  auto duplicate = ErrorOf(*driver, Copy("COPY items FROM STDIN", "5\ta\n5\tb\n"));
  ASSERT_TRUE(duplicate.has_value());
  EXPECT_EQ(duplicate->context().sqlstate, "23505");
  EXPECT_THAT(duplicate->what(), HasSubstr("DETAIL: Key (id)=(5) already exists."));
  driver->Execute(Copy("COPY items FROM STDIN", "6\tafter\n"));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "1");

  // A COPY whose script had no data section fails instead of hanging.
  auto no_data = ErrorOf(*driver, Sql("COPY items FROM STDIN"));
  ASSERT_TRUE(no_data.has_value());
  EXPECT_THAT(no_data->what(), HasSubstr("no data"));
  driver->Execute(Sql("SELECT 1"));

  // COPY TO STDOUT output is discarded and the connection stays usable.
  driver->Execute(Sql("COPY items TO STDOUT"));
  driver->Execute(Sql("INSERT INTO items VALUES (7, 'seven')"));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM items"), "2");
}

TEST(PostgresDriver, SyntaxErrorHasSqlstateAndPosition) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  auto error = ErrorOf(*driver, Sql("CREATE TABEL t (id integer)"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "42601");
  EXPECT_EQ(error->position(), 8);
  EXPECT_THAT(error->what(), HasSubstr("syntax error at or near \"TABEL\""));
  EXPECT_EQ(error->code(), ExitCode::kMigrationFailed);

  // On a later line of a multi-line statement; positions count characters.
  error = ErrorOf(*driver, Sql("SELECT 'é'\nFROM nowhere\nWHERE AND x"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "42601");
  EXPECT_EQ(error->position(), 31);  // "AND"
}

// BEGIN travels in the query of the migration's first statement. The
// position of an error must still count from the statement's own start, and
// a statement the server cannot parse must leave no transaction behind.
TEST(PostgresDriver, FirstStatementOfATransactionCarriesItsBegin) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE sent AS SELECT pg_catalog.current_query() AS text"));
  driver->Execute(Sql("INSERT INTO sent SELECT pg_catalog.current_query()"));
  driver->Commit();
  EXPECT_EQ(Query(db.url(), "SELECT string_agg(text, ' | ' ORDER BY text) FROM sent"),
            "BEGIN;CREATE TABLE sent AS SELECT pg_catalog.current_query() AS text"
            " | INSERT INTO sent SELECT pg_catalog.current_query()");

  for (const char* sql : {"CREATE TABEL t (id integer)", "SELECT * FROM missing_table"}) {
    SCOPED_TRACE(sql);
    driver->Begin();
    auto error = ErrorOf(*driver, Sql(sql));
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->position(), std::string_view(sql).starts_with("CREATE") ? 8 : 15);
    driver->Rollback();
    // The connection is idle again: a new migration commits normally.
    driver->Begin();
    driver->Execute(Sql("INSERT INTO sent VALUES ('after')"));
    driver->Commit();
  }
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM sent WHERE text = 'after'"), "2");

  // Begin then Rollback with nothing run in between sends nothing.
  driver->Begin();
  driver->Rollback();
  driver->Execute(Sql("INSERT INTO sent VALUES ('autocommit')"));
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM sent WHERE text = 'autocommit'"), "1");
}

// A BEGIN not yet sent still opens the transaction before anything else the
// driver sends: a history row appended right after Begin is not committed.
TEST(PostgresDriver, HistoryRowRightAfterBeginStaysInTheTransaction) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  HistoryRow row = RowOfVersionOne();
  driver->Begin();
  driver->AppendHistoryAtCommit(row);
  driver->Rollback();
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM dbshift_history"), "0");
  driver->Begin();
  driver->AppendHistoryAtCommit(row);
  driver->Commit();
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM dbshift_history"), "1");
}

TEST(PostgresDriver, ErrorsCarryDetailAndHint) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  auto error = ErrorOf(*driver, Sql("SELECT no_such_function(1)"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "42883");
  EXPECT_THAT(error->what(), HasSubstr("\nHINT: No function matches"));
  EXPECT_EQ(error->position(), 8);
}

TEST(PostgresDriver, CommitOfFailedTransactionThrows) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE t (id integer)"));
  EXPECT_THROW(driver->Execute(Sql("SELECT * FROM missing")), SqlError);
  auto in_failed = ErrorOf(*driver, Sql("SELECT 1"));
  ASSERT_TRUE(in_failed.has_value());
  EXPECT_EQ(in_failed->context().sqlstate, "25P02");
  try {
    driver->Commit();
    FAIL() << "COMMIT of a failed transaction must throw";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.context().sqlstate, "25P02");
  }
  // Nothing was committed, and the connection is usable.
  EXPECT_EQ(Query(db.url(), "SELECT to_regclass('t')"), "<null>");
  driver->Execute(Sql("SELECT 1"));
}

TEST(PostgresDriver, CreateIndexConcurrentlyWhileHoldingTheLock) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  ASSERT_TRUE(driver->TryLock());
  driver->SetStatementTimeout(milliseconds(20000));  // a deadlock fails instead of hanging
  driver->Execute(Sql("CREATE TABLE t (id integer, name text)"));
  driver->Execute(Sql("INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 1000) g"));
  driver->Execute(Sql("CREATE INDEX CONCURRENTLY t_name_idx ON t (name)"));
  driver->Execute(Sql("DROP INDEX CONCURRENTLY t_name_idx"));
  driver->Execute(Sql("CREATE INDEX CONCURRENTLY t_id_idx ON t (id)"));
  EXPECT_EQ(
      Query(db.url(), "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id_idx'::regclass"),
      "t");
  auto other = Open(db.url());
  EXPECT_FALSE(other->TryLock()) << "still held throughout";
  driver->Unlock();
}

TEST(PostgresDriver, LockHeldByOneDriverBlocksAnotherAndNamesTheHolder) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto a = Open(db.url());
  auto b = Open(db.url());
  EXPECT_EQ(a->LockKey(), b->LockKey());
  EXPECT_EQ(b->LockStatus(), std::nullopt);
  ASSERT_TRUE(a->TryLock());
  EXPECT_FALSE(b->TryLock());

  std::optional<LockHolder> holder = b->LockStatus();
  ASSERT_TRUE(holder.has_value());
  EXPECT_THAT(holder->who, HasSubstr("pid " + std::to_string(getpid())));
  EXPECT_THAT(holder->who, HasSubstr("@"));
  EXPECT_TRUE(std::regex_match(holder->since, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << holder->since;
  // The announcement is visible to any session, e.g. an operator's psql.
  EXPECT_THAT(Query(db.url(),
                    "SELECT application_name FROM pg_stat_activity WHERE datname = "
                    "current_database() AND application_name LIKE 'dbshift %pid%'"),
              HasSubstr("since " + holder->since));

  a->Unlock();
  EXPECT_EQ(b->LockStatus(), std::nullopt);
  EXPECT_TRUE(b->TryLock());
  EXPECT_FALSE(a->TryLock());
  b->Unlock();
}

TEST(PostgresDriver, LockStatusNamesAHolderThatDidNotAnnounceItself) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  PgConnPtr other(PQconnectdb(db.url().c_str()));
  ASSERT_EQ(PQstatus(other.get()), CONNECTION_OK);
  PgResultPtr taken(PQexec(
      other.get(), ("SELECT pg_advisory_lock(" + std::to_string(driver->LockKey()) + ")").c_str()));
  ASSERT_EQ(PQresultStatus(taken.get()), PGRES_TUPLES_OK);
  PgResultPtr pid(PQexec(other.get(), "SELECT pg_backend_pid()"));

  EXPECT_FALSE(driver->TryLock());
  std::optional<LockHolder> holder = driver->LockStatus();
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->who, "pid " + std::string(PQgetvalue(pid.get(), 0, 0)) + " from 127.0.0.1");
  EXPECT_EQ(holder->since, "");
}

TEST(PostgresDriver, KilledHolderReleasesTheLock) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child never returns into gtest and never runs destructors of the
    // parent's objects: it reports through the pipe and waits to be killed.
    close(ready[0]);
    char status = '0';
    try {
      auto holder = Open(db.url());
      if (holder->TryLock()) status = '1';
      if (write(ready[1], &status, 1) != 1) _exit(2);
      for (;;) pause();
    } catch (...) {
      if (write(ready[1], &status, 1) != 1) _exit(2);
    }
    _exit(1);
  }
  close(ready[1]);
  char status = 0;
  ASSERT_EQ(read(ready[0], &status, 1), 1);
  close(ready[0]);
  ASSERT_EQ(status, '1') << "the child could not take the lock";

  auto driver = Open(db.url());
  EXPECT_FALSE(driver->TryLock());
  std::optional<LockHolder> holder = driver->LockStatus();
  ASSERT_TRUE(holder.has_value());
  EXPECT_THAT(holder->who, HasSubstr("pid " + std::to_string(child)));

  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(wait_status));

  const auto start = std::chrono::steady_clock::now();
  bool acquired = false;
  while (!acquired && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    acquired = driver->TryLock();
    if (!acquired) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(acquired) << "the server did not release a killed holder's lock within 5 s";
  driver->Unlock();
}

TEST(PostgresDriver, UnreachablePortIsConnectErrorWithoutPassword) {
  const std::string url =
      "postgres://postgres:" + std::string(kSecretInUrl) + "@127.0.0.1:1/postgres";
  DriverOptions options;
  options.connect_timeout = milliseconds(2000);
  try {
    Open(url, options);
    FAIL() << "no ConnectError";
  } catch (const ConnectError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), ExitCode::kConnect);
    EXPECT_THAT(message, HasSubstr("cannot connect to " + Url::Parse(url).Redacted() + ": "));
    EXPECT_THAT(message, HasSubstr("127.0.0.1"));
    EXPECT_THAT(message, Not(HasSubstr("S3cr3t")));
    EXPECT_THAT(message, Not(HasSubstr(kSecret)));
    EXPECT_NE(message.back(), '\n');
  }
}

TEST(PostgresDriver, UnknownDatabaseIsConnectErrorWithoutPassword) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  const std::string url = UrlWithPassword(0, "dbshift_no_such_database");
  try {
    Open(url);
    FAIL() << "no ConnectError";
  } catch (const ConnectError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("cannot connect to "));
    EXPECT_THAT(message, HasSubstr("\"dbshift_no_such_database\" does not exist"));
    EXPECT_THAT(message, Not(HasSubstr("S3cr3t")));
  }
}

TEST(PostgresDriver, PasswordInUrlIsUsedAndNeverShown) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  // The test cluster trusts every login, so the password is accepted but
  // not checked; what matters is that it never shows up.
  auto driver = Open(UrlWithPassword(0, db.name()));
  EXPECT_THAT(driver->Target(), Not(HasSubstr("S3cr3t")));
  auto error = ErrorOf(*driver, Sql("SELECT 'S3cr3t-p@ss' + 1"));
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->what(), Not(HasSubstr("S3cr3t")));
}

TEST(PostgresDriver, LostConnectionIsConnectError) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Execute(Sql("SELECT 1"));
  const char* admin = std::getenv("DBSHIFT_TEST_POSTGRES_URL");
  Query(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" +
                   db.name() + "' AND pid <> pg_backend_pid()");
  EXPECT_THROW(driver->Execute(Sql("SELECT 1")), ConnectError);
  driver->Rollback();  // never throws, even now
  driver->Unlock();
}

// The session settings (no idle limit, a check that the client is still
// there) hold on every connection, whichever command comes first: they ride
// in the first pipeline's round trip, and a pipeline that fails or opens a
// transaction does not lose them.
TEST(PostgresDriver, SessionSettingsHoldWhicheverCommandComesFirst) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  // A role or database default that the settings must override.
  const std::string url = db.url() + "?options=-c%20idle_session_timeout%3D300000";
  // Copied out before the result that holds the text is freed.
  const auto setting = [](Connection& conn, const std::string& name) {
    return std::string(Libpq().PQgetvalue(conn.Exec("SHOW " + name).get(), 0, 0));
  };
  const auto expect_settings = [&](Connection& conn) {
    EXPECT_EQ(setting(conn, "idle_session_timeout"), "0");
    EXPECT_EQ(setting(conn, "client_connection_check_interval"), "1s");
  };
  for (const std::string& schema : {std::string(), std::string("public")}) {
    DriverOptions options;
    options.schema = schema;  // empty: the driver's first query is a pipeline
    auto driver = Open(url, options);
    const QueryRows rows = driver->Query(
        "SELECT current_setting('idle_session_timeout'),"
        " current_setting('client_connection_check_interval')",
        {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "0") << "schema '" << schema << "'";
    EXPECT_EQ(rows[0][1], "1s") << "schema '" << schema << "'";
  }

  Connection failed_first(Url::Parse(url), std::chrono::seconds(5));
  EXPECT_THROW(failed_first.RunPipeline({PipelineCommand{"SELECT 1 / 0", {}, {}}}), SqlError);
  expect_settings(failed_first);

  Connection begun_first(Url::Parse(url), std::chrono::seconds(5));
  begun_first.RunPipeline({PipelineCommand{"BEGIN", {}, {}}, PipelineCommand{"SELECT 1", {}, {}}});
  begun_first.Exec("ROLLBACK");
  expect_settings(begun_first);
}

TEST(PostgresDriver, HistoryTableInACustomSchema) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  DriverOptions options;
  options.schema = "Deploy Schema";
  auto driver = Open(db.url(), options);
  EXPECT_EQ(driver->HistorySchema(), "Deploy Schema");
  EXPECT_FALSE(driver->HistoryTableExists());
  EXPECT_TRUE(driver->ReadHistory().empty());
  driver->EnsureHistoryTable();  // creates the schema too
  driver->EnsureHistoryTable();
  EXPECT_TRUE(driver->HistoryTableExists());
  EXPECT_EQ(Query(db.url(),
                  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'Deploy "
                  "Schema' AND table_name = 'dbshift_history'"),
            "1");
  EXPECT_EQ(Query(db.url(), "SELECT to_regclass('public.dbshift_history')"), "<null>");

  HistoryRow row;
  row.version = "1";
  row.description = "first";
  row.script = "V1__first.sql";
  row.success = true;
  row.applied_by = "me@here";
  row.tool_version = "0.1.0";
  driver->AppendHistory(row);
  ASSERT_EQ(driver->ReadHistory().size(), 1u);

  auto default_schema = Open(db.url());
  EXPECT_FALSE(default_schema->HistoryTableExists());
  EXPECT_NE(default_schema->LockKey(), driver->LockKey());
  ASSERT_TRUE(driver->TryLock());
  EXPECT_TRUE(default_schema->TryLock()) << "different schemas, different locks";
}

TEST(PostgresDriver, HistoryStaysPutWhenAMigrationChangesSearchPath) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  driver->Begin();
  // As in a pg_dump script used as a baseline migration.
  driver->Execute(Sql("SELECT pg_catalog.set_config('search_path', '', false)"));
  HistoryRow row;
  row.version = "1";
  row.description = "dump";
  row.script = "V1__dump.sql";
  row.success = true;
  row.applied_by = "me@here";
  row.tool_version = "0.1.0";
  driver->AppendHistory(row);
  driver->Commit();
  EXPECT_EQ(driver->ReadHistory().size(), 1u);
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM public.dbshift_history"), "1");
}

// ReadHistory reads applied_at in binary and formats it itself: the text
// must be the server's own to_char of it, in UTC and truncated to
// milliseconds, before 2000 and after, whatever the session's TimeZone; and
// the rows come in installed_rank order, not in the order they were stored.
TEST(PostgresDriver, ReadHistoryFormatsAppliedAtAsTheServerDoes) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  const std::vector<std::string> stored = {
      "2020-01-02 03:04:05.678999+00", "1999-12-31 23:59:59.999999+00",
      "1970-01-01 00:00:00+00",        "2000-01-01 00:00:00.000001+00",
      "2026-11-22 13:30:00.5+05:30",   "1969-07-20 20:17:40.0005+00",
      "2000-02-29 12:00:00.001-08"};
  for (std::size_t i = 0; i < stored.size(); ++i) {
    // Inserted from the highest rank down.
    driver->Execute(Sql(fmt::format(
        "INSERT INTO dbshift_history (installed_rank, version, description, kind, script,"
        " success, applied_by, applied_at, execution_ms, tool_version) VALUES ({0}, '{0}', 'd',"
        " 'versioned', 'V{0}__d.sql', true, 'me', '{1}', 0, '0.1.0')",
        stored.size() - i, stored[i])));
  }
  driver->Execute(Sql("SET TimeZone = 'America/St_Johns'"));
  const std::vector<HistoryRow> rows = driver->ReadHistory();
  ASSERT_EQ(rows.size(), stored.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].installed_rank, static_cast<int64_t>(i + 1));
    const std::string& input = stored[stored.size() - 1 - i];
    EXPECT_EQ(rows[i].applied_at,
              Query(db.url(), fmt::format("SELECT to_char('{}'::timestamptz AT TIME ZONE 'UTC',"
                                          " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                                          input)))
        << input;
  }
  EXPECT_EQ(rows[0].applied_at, "2000-02-29T20:00:00.001Z");
  EXPECT_EQ(rows.back().applied_at, "2020-01-02T03:04:05.678Z");
}

TEST(PostgresDriver, EnsureHistoryTableAddsMissingColumns) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  // A table as an older dbshift might have created it, with a row in it.
  driver->Execute(
      Sql("CREATE TABLE dbshift_history (installed_rank integer PRIMARY KEY, version varchar(50),"
          " description varchar(200) NOT NULL, kind varchar(20) NOT NULL, script varchar(1000) NOT "
          "NULL, checksum varchar(100), success boolean NOT NULL, applied_by varchar(100) NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())"));
  driver->Execute(Sql(
      "INSERT INTO dbshift_history VALUES (1, '1', 'old', 'versioned', 'V1__old.sql', 'sha256:ab',"
      " true, 'old@host', '2020-01-02T03:04:05.678Z')"));
  EXPECT_TRUE(driver->HistoryTableExists());
  driver->EnsureHistoryTable();
  std::vector<HistoryRow> rows = driver->ReadHistory();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].description, "old");
  EXPECT_EQ(rows[0].applied_at, "2020-01-02T03:04:05.678Z");
  EXPECT_EQ(rows[0].statements_total, 0);
  EXPECT_EQ(rows[0].execution_ms, 0);
  EXPECT_EQ(rows[0].tool_version, "");
  EXPECT_EQ(rows[0].run_id, "");

  HistoryRow next;
  next.version = "2";
  next.description = "new";
  next.script = "V2__new.sql";
  next.success = true;
  next.applied_by = "me@here";
  next.tool_version = "0.1.0";
  next.run_id = "abc";
  driver->AppendHistory(next);
  EXPECT_EQ(next.installed_rank, 2);
  EXPECT_EQ(driver->ReadHistory().back().run_id, "abc");
}

TEST(PostgresDriver, UnknownKindInHistoryIsAValidationError) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  driver->Execute(Sql(
      "INSERT INTO dbshift_history (installed_rank, description, kind, script, success,"
      " applied_by, execution_ms, tool_version) VALUES (1, 'x', 'teleport', 'x.sql', true, 'me',"
      " 0, '9')"));
  EXPECT_THROW(driver->ReadHistory(), ValidationError);
}

TEST(PostgresDriver, LockTimeoutFailsFast) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto a = Open(db.url());
  auto b = Open(db.url());
  a->Execute(Sql("CREATE TABLE t (id integer)"));
  a->Begin();
  a->Execute(Sql("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"));

  b->SetLockTimeout(milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  auto error = ErrorOf(*b, Sql("ALTER TABLE t ADD COLUMN name text"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "55P03");
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  a->Rollback();

  b->SetLockTimeout(milliseconds(0));
  b->Execute(Sql("ALTER TABLE t ADD COLUMN name text"));
}

TEST(PostgresDriver, StatementTimeoutCancelsLongStatements) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->SetStatementTimeout(milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  auto error = ErrorOf(*driver, Sql("SELECT pg_sleep(10)"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->context().sqlstate, "57014");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  driver->SetStatementTimeout(milliseconds(0));
  driver->Execute(Sql("SELECT pg_sleep(0.3)"));
}

TEST(PostgresDriver, AppendHistoryUsesTheOpenTransaction) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  HistoryRow row = RowOfVersionOne();
  for (int i = 0; i < 3; ++i) {
    driver->Begin();
    driver->AppendHistory(row);
    EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM dbshift_history"), "0")
        << "uncommitted rows are invisible to others";
    driver->Rollback();
  }
  driver->AppendHistory(row);  // outside a transaction: autocommit
  EXPECT_EQ(row.installed_rank, 1);
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM dbshift_history"), "1");
  EXPECT_TRUE(
      std::regex_match(row.applied_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << row.applied_at;
}

// The row queued for the commit travels in the same round trip as COMMIT.
// When the server refuses it, nothing of the migration may stay, and the
// connection must be out of pipeline mode and usable.
TEST(PostgresDriver, HistoryRowRefusedAtCommitRollsBackTheMigration) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->EnsureHistoryTable();
  driver->Execute(
      Sql("ALTER TABLE dbshift_history ADD CONSTRAINT refuse_marked"
          " CHECK (description <> 'refused')"));
  HistoryRow row;
  row.version = "1";
  row.description = "refused";
  row.script = "V1__refused.sql";
  {
    Transaction transaction(*driver);
    driver->Execute(Sql("CREATE TABLE migrated (id integer)"));
    driver->AppendHistoryAtCommit(row);
    try {
      transaction.Commit();
      ADD_FAILURE() << "the refused row did not fail the commit";
    } catch (const SqlError& error) {
      EXPECT_THAT(error.what(), HasSubstr("refuse_marked"));
    }
  }
  EXPECT_EQ(Query(db.url(), "SELECT to_regclass('migrated')::text"), "<null>");
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM dbshift_history"), "0");

  row.description = "accepted";
  driver->Begin();
  driver->Execute(Sql("CREATE TABLE migrated (id integer)"));
  driver->AppendHistoryAtCommit(row);
  driver->Commit();
  EXPECT_EQ(Query(db.url(), "SELECT description FROM dbshift_history"), "accepted");
  EXPECT_EQ(Query(db.url(), "SELECT to_regclass('migrated')::text"), "migrated");
}

// The indexes ExecuteAll reports finished, in the order it reports them.
std::vector<std::size_t> RunAll(Driver& driver, const std::vector<Statement>& statements) {
  std::vector<std::size_t> finished;
  driver.ExecuteAll(statements, [&finished](std::size_t i) { finished.push_back(i); });
  return finished;
}

TEST(PostgresDriver, StatementsOfATransactionShareOnePipeline) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  // While this side still handles the first result, the server already
  // runs the second statement: sent one by one, they would take the two
  // waits one after the other.
  const auto start = std::chrono::steady_clock::now();
  std::vector<milliseconds> ends;
  const std::vector<Statement> statements = {Sql("SELECT 1"), Sql("SELECT pg_sleep(0.4)"),
                                             Sql("CREATE TABLE piped (id int)")};
  driver->ExecuteAll(statements, [&](std::size_t i) {
    ends.push_back(
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start));
    if (i == 0) std::this_thread::sleep_for(milliseconds(400));
  });
  driver->Commit();
  ASSERT_EQ(ends.size(), 3U);
  EXPECT_LT(ends[2], milliseconds(650)) << "the statements were not sent together";
  EXPECT_GE(ends[2], milliseconds(400));
  EXPECT_EQ(Query(db.url(), "SELECT to_regclass('piped')::text"), "piped");
}

TEST(PostgresDriver, EachResultOfAPipelineArrivesWhenItsStatementEnds) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  const auto start = std::chrono::steady_clock::now();
  std::vector<milliseconds> ends;
  const std::vector<Statement> statements = {Sql("SELECT 1"), Sql("SELECT pg_sleep(0.3)"),
                                             Sql("SELECT 2")};
  driver->ExecuteAll(statements, [&](std::size_t) {
    ends.push_back(
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start));
  });
  driver->Rollback();
  // The first statement's time is its own, not the sleep's after it.
  ASSERT_EQ(ends.size(), 3U);
  EXPECT_LT(ends[0], milliseconds(250));
  EXPECT_GE(ends[1], milliseconds(300));
}

TEST(PostgresDriver, StatementTimeoutCountsEachStatementOfAPipeline) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->SetStatementTimeout(milliseconds(600));
  driver->Begin();
  EXPECT_EQ(RunAll(*driver, {Sql("SELECT pg_sleep(0.3)"), Sql("SELECT pg_sleep(0.3)"),
                             Sql("SELECT pg_sleep(0.3)")}),
            (std::vector<std::size_t>{0, 1, 2}));
  driver->Commit();
}

TEST(PostgresDriver, FailureInAPipelineStopsThereWithTheStatementsPosition) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  std::vector<std::size_t> finished;
  try {
    driver->ExecuteAll(std::vector<Statement>{Sql("CREATE TABLE before_failure (id int)"),
                                              Sql("SELECT 1 FROM nowhere"),
                                              Sql("CREATE TABLE after_failure (id int)")},
                       [&finished](std::size_t i) { finished.push_back(i); });
    ADD_FAILURE() << "no SqlError";
  } catch (const SqlError& error) {
    EXPECT_EQ(error.context().sqlstate, "42P01");
    EXPECT_EQ(error.position(), 15);  // counted in the failing statement
  }
  EXPECT_EQ(finished, (std::vector<std::size_t>{0}));
  driver->Rollback();
  driver->Execute(Sql("SELECT 1"));  // the connection left the pipeline
  EXPECT_EQ(Query(db.url(), "SELECT count(*) FROM pg_class WHERE relname LIKE '%_failure'"), "0");
}

TEST(PostgresDriver, ReportThatThrowsLeavesThePipelineReadToItsEnd) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  EXPECT_THROW(driver->ExecuteAll(std::vector<Statement>{Sql("SELECT 1"), Sql("SELECT 2")},
                                  [](std::size_t) { throw std::runtime_error("sink failed"); }),
               std::runtime_error);
  driver->Rollback();
  driver->Execute(Sql("SELECT 1"));
}

TEST(PostgresDriver, StatementsOutsideATransactionRunOneByOne) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  // In one pipeline these would share an implicit transaction, which
  // CREATE INDEX CONCURRENTLY refuses.
  EXPECT_EQ(RunAll(*driver, {Sql("CREATE TABLE c (id int)"),
                             Sql("CREATE INDEX CONCURRENTLY c_one ON c (id)"),
                             Sql("CREATE INDEX CONCURRENTLY c_two ON c (id)")}),
            (std::vector<std::size_t>{0, 1, 2}));
}

TEST(PostgresDriver, CopyAmongPipelinedStatementsRunsOnItsOwn) {
  DBSHIFT_POSTGRES_DATABASE_OR_SKIP(db);
  auto driver = Open(db.url());
  driver->Begin();
  EXPECT_EQ(RunAll(*driver, {Sql("CREATE TABLE cp (id int)"), Sql("INSERT INTO cp VALUES (1)"),
                             Copy("COPY cp FROM stdin", "2\n3\n"), Sql("INSERT INTO cp VALUES (4)"),
                             Sql("INSERT INTO cp VALUES (5)")}),
            (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  driver->Commit();
  EXPECT_EQ(Query(db.url(), "SELECT string_agg(id::text, ',' ORDER BY id) FROM cp"), "1,2,3,4,5");
}

}  // namespace
}  // namespace dbshift::postgres
