#include "dbshift/driver/postgres/postgres_driver.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <climits>
#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/text.h"
#include "dbshift/driver/postgres/libpq.h"

namespace dbshift {

std::unique_ptr<Driver> OpenPostgresDriver(const Url& url, const DriverOptions& options) {
  return std::make_unique<postgres::PostgresDriver>(url, options);
}

namespace postgres {

PostgresDriver::PostgresDriver(const Url& url, const DriverOptions& options)
    : url_(url), options_(options), conn_(url, options.connect_timeout) {
  schema_ = options_.schema;
  if (schema_.empty()) {
    // Where search_path finds an existing history table, else where a new one
    // would be created. Pinned for the life of the driver (see the class
    // comment); NULL only when search_path names no existing schema.
    // In a pipeline: the connection's session settings share its round trip.
    std::vector<PgResultPtr> results = conn_.RunPipeline({PipelineCommand{
        fmt::format("SELECT COALESCE((SELECT n.nspname FROM pg_catalog.pg_class c"
                    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.oid = pg_catalog.to_regclass($1)), pg_catalog.current_schema()),"
                    " pg_catalog.to_regclass($1) IS NOT NULL, {}",
                    kHasStatementsChecksumSql),
        {QuoteIdentifier(options_.history_table)},
        {}}});
    const PgResultPtr& result = results.front();
    if (!Libpq().PQgetisnull(result.get(), 0, 0)) schema_ = Libpq().PQgetvalue(result.get(), 0, 0);
    history_seen_ = std::string_view(Libpq().PQgetvalue(result.get(), 0, 1)) == "t";
    statements_checksum_seen_ = std::string_view(Libpq().PQgetvalue(result.get(), 0, 2)) == "t";
  }
  table_sql_ = schema_.empty()
                   ? QuoteIdentifier(options_.history_table)
                   : QuoteIdentifier(schema_) + "." + QuoteIdentifier(options_.history_table);
  lock_key_ = AdvisoryLockKey(schema_, options_.history_table);
}

QueryRows PostgresDriver::Query(const std::string& sql, const QueryParams& params) {
  FlushQueuedHistory();
  return conn_.Rows(sql, params);
}

PostgresDriver::~PostgresDriver() {
  // Closing the lock connection would release the lock too; unlocking first
  // just makes the release explicit. The connections close as members die.
  Unlock();
}

std::string PostgresDriver::ServerVersion() {
  const char* version = Libpq().PQparameterStatus(conn_.Handle(), "server_version");
  if (version == nullptr) return "";
  // Debian reports "15.20 (Debian 15.20-0+deb12u1)"; lint rules want "15.20".
  std::string_view text(version);
  return std::string(text.substr(0, text.find(' ')));
}

Capabilities PostgresDriver::capabilities() const {
  Capabilities capabilities;
  capabilities.transactional_ddl = true;
  capabilities.lock_timeout = true;
  capabilities.statement_timeout = true;
  return capabilities;
}

std::string PostgresDriver::Target() const { return url_.Redacted(); }

void PostgresDriver::SetTimeout(const char* setting, std::chrono::milliseconds timeout) {
  // The server takes an int of milliseconds; 0 disables the limit.
  const long long ms = std::clamp<long long>(timeout.count(), 0, INT_MAX);
  conn_.Exec(fmt::format("SET {} = '{}ms'", setting, ms));
}

void PostgresDriver::SetLockTimeout(std::chrono::milliseconds timeout) {
  SetTimeout("lock_timeout", timeout);
  lock_timeout_ = timeout;
}

void PostgresDriver::SetStatementTimeout(std::chrono::milliseconds timeout) {
  SetTimeout("statement_timeout", timeout);
}

void PostgresDriver::Begin() {
  queued_history_.clear();
  // Sent with the first statement: one round trip less per migration.
  conn_.BeginWithNextCommand();
}

void PostgresDriver::Commit() {
  PgResultPtr result;
  if (queued_history_.empty()) {
    result = conn_.Exec("COMMIT");
  } else {
    // The rows and the COMMIT in one round trip.
    std::vector<PipelineCommand> commands = TakeQueuedHistory();
    commands.push_back(PipelineCommand{"COMMIT", {}, {}});
    result = std::move(conn_.RunPipeline(commands).back());
  }
  // COMMIT of a failed transaction "succeeds" with the tag ROLLBACK: nothing
  // was committed, and the caller must not record it as applied.
  if (std::string_view(Libpq().PQcmdStatus(result.get())) == "ROLLBACK") {
    throw SqlError("COMMIT rolled the transaction back because a statement in it had failed",
                   "25P02");
  }
}

void PostgresDriver::Rollback() noexcept {
  queued_history_.clear();
  if (conn_.DropPendingBegin()) return;  // nothing was sent since Begin
  // Outside a transaction ROLLBACK would only add a warning; on a dead
  // connection the next call reports the loss.
  const PGTransactionStatusType status = Libpq().PQtransactionStatus(conn_.Handle());
  if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) return;
  PgResultPtr result(Libpq().PQexec(conn_.Handle(), "ROLLBACK"));
}

void PostgresDriver::LookForBlockers() noexcept {
  try {
    // pg_blocking_pids: the sessions holding, or queued ahead for, a lock
    // that the migration connection waits for.
    PgResultPtr rows = LockConnection().ExecParams(
        "SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''),"
        " coalesce(a.state, ''),"
        " coalesce(extract(epoch FROM now() - coalesce(a.xact_start, a.query_start))::bigint, 0),"
        " left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 300)"
        " FROM pg_catalog.pg_stat_activity a"
        " WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1::int)) ORDER BY a.pid",
        {std::to_string(conn_.BackendPid())});
    const int count = Libpq().PQntuples(rows.get());
    if (count == 0) return;  // keep what an earlier look saw
    std::string text;
    for (int row = 0; row < count; ++row) {
      auto value = [&](int column) {
        return std::string(Libpq().PQgetvalue(rows.get(), row, column));
      };
      text += fmt::format("{}blocked by pid {} ({}{}{}, {} for {}s): {}", row == 0 ? "" : "\n",
                          value(0), value(1), value(2).empty() ? "" : " via ", value(2), value(3),
                          value(4), value(5));
    }
    blockers_ = url_.Scrub(text);
  } catch (...) {
    // Naming the blocker is a help; the lock timeout is what matters.
  }
}

void PostgresDriver::FlushHistoryBeforeReading(const std::string& sql) {
  // A migration that reads the history table sees the rows of the migrations
  // before it in the same transaction (a name match in a comment or string
  // only costs a round trip).
  if (!queued_history_.empty() && ContainsIgnoringCase(sql, options_.history_table)) {
    FlushQueuedHistory();
  }
}

void PostgresDriver::RunNamingBlockers(const std::function<void(std::chrono::milliseconds)>& run) {
  // While a statement waits, the lock connection asks who blocks it, so that
  // a lock timeout can name them.
  blockers_.clear();
  const std::chrono::milliseconds first_look =
      lock_timeout_.count() > 0
          ? std::clamp(lock_timeout_ / 2, kFirstBlockerLook / 10, kFirstBlockerLook)
          : kFirstBlockerLook;
  try {
    run(first_look);
  } catch (const SqlError& error) {
    if (error.context().sqlstate != kSqlstateLockNotAvailable || blockers_.empty()) throw;
    throw SqlError(fmt::format("{}\n{}", error.what(), blockers_), error.context().sqlstate,
                   error.position());
  }
}

void PostgresDriver::Execute(const Statement& statement) {
  FlushHistoryBeforeReading(statement.text);
  // The simple query protocol, as psql uses: it accepts any statement,
  // including COPY, and needs no round trip to prepare.
  PgResultPtr result;
  RunNamingBlockers([&](std::chrono::milliseconds first_look) {
    result = conn_.ExecWatched(statement.text, first_look, kBlockerLookInterval,
                               [this] { LookForBlockers(); });
  });
  const ExecStatusType status = Libpq().PQresultStatus(result.get());
  result.reset();
  if (status == PGRES_COPY_IN) {
    conn_.FinishCopyIn(statement.copy_from_stdin ? &statement.copy_data : nullptr);
  } else if (status == PGRES_COPY_OUT) {
    conn_.FinishCopyOut();
  }
}

namespace {

// At most this many statements, and this much text, share a pipeline. While
// the server sends a large result it stops reading; what is sent before it
// is read must fit the sockets' buffers, or both sides would wait.
constexpr std::size_t kMaxPipelineStatements = 64;
constexpr std::size_t kMaxPipelineBytes = std::size_t{32} * 1024;

// COPY needs an exchange of its own with the server, which a pipeline does
// not allow; the word anywhere in the text is enough to send it alone.
bool RunsAlone(const Statement& statement) {
  return statement.copy_from_stdin || ContainsIgnoringCase(statement.text, "copy");
}

}  // namespace

void PostgresDriver::ExecuteAll(std::span<const Statement> statements,
                                const std::function<void(std::size_t)>& finished) {
  // Outside a transaction a pipeline would be one implicit transaction,
  // which CREATE INDEX CONCURRENTLY and the like refuse.
  if (conn_.TransactionStatus() != PQTRANS_INTRANS) {
    Driver::ExecuteAll(statements, finished);
    return;
  }
  std::size_t first = 0;
  while (first < statements.size()) {
    std::size_t end = first;
    std::size_t bytes = 0;
    while (end < statements.size() && end - first < kMaxPipelineStatements &&
           !RunsAlone(statements[end]) &&
           (end == first || bytes + statements[end].text.size() <= kMaxPipelineBytes)) {
      bytes += statements[end].text.size();
      ++end;
    }
    if (end - first <= 1) {
      Execute(statements[first]);
      finished(first);
      ++first;
      continue;
    }
    ExecutePipelined(statements.subspan(first, end - first),
                     [&finished, first](std::size_t i) { finished(first + i); });
    first = end;
  }
}

void PostgresDriver::ExecutePipelined(std::span<const Statement> statements,
                                      const std::function<void(std::size_t)>& finished) {
  std::vector<const std::string*> texts;
  texts.reserve(statements.size());
  for (const Statement& statement : statements) {
    FlushHistoryBeforeReading(statement.text);
    texts.push_back(&statement.text);
  }
  RunNamingBlockers([&](std::chrono::milliseconds first_look) {
    conn_.ExecPipelined(
        texts, first_look, kBlockerLookInterval, [this] { LookForBlockers(); }, finished);
  });
}

std::string PostgresDriver::QuoteIdentifier(std::string_view name) const {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::vector<std::string> PostgresDriver::TakeNotices() { return conn_.TakeNotices(); }

}  // namespace postgres
}  // namespace dbshift
