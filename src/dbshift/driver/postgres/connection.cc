#include "dbshift/driver/postgres/connection.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <poll.h>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/text.h"
#include "dbshift/driver/postgres/libpq.h"

namespace dbshift::postgres {
namespace {

// Large enough to keep round trips per byte low, small enough that libpq's
// output buffer stays modest for big COPY sections.
constexpr std::size_t kCopyChunkBytes = std::size_t{64} * 1024;

bool Succeeded(ExecStatusType status) {
  switch (status) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
      return true;
    default:
      return false;
  }
}

std::string Field(const PGresult* result, int code) {
  const char* value = Libpq().PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

// What every session needs before its first command (servers from 14 on).
// The session must outlive any idle limit a role or proxy sets: a closed
// lock session frees the advisory lock under a runner that is still
// migrating. And the server checks every second that this client is still
// there, so after a kill -9 it aborts the running statement and releases
// its table locks at once instead of when the statement ends.
constexpr std::array<const char*, 3> kSessionSettings = {
    "SET idle_session_timeout = 0", "SET idle_in_transaction_session_timeout = 0",
    "SET client_connection_check_interval = '1s'"};

// Put ahead of a statement to open its transaction in the same query (ASCII,
// so that it shifts error positions by its length in characters).
constexpr std::string_view kBeginPrefix = "BEGIN;";

}  // namespace

std::string TrimRight(std::string_view text) {
  std::size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1));
}

Connection::Connection(const Url& url, std::chrono::milliseconds connect_timeout) : url_(url) {
  // libpq takes whole seconds and treats 0 as "wait forever": round up, at least 1.
  const int64_t seconds = std::max<int64_t>(1, (connect_timeout.count() + 999) / 1000);
  const std::string timeout_text = std::to_string(seconds);
  // Our defaults come before "dbname": with expand_dbname the URL is expanded
  // in place, so parameters written in the URL (?connect_timeout=,
  // ?application_name=) override them. UTF8 because error positions are
  // counted in characters and scripts are UTF-8.
  // TCP keepalives: a half-open connection (a dead NAT entry) is noticed by
  // the kernel instead of holding the migration lock's session forever.
  const char* const keywords[] = {"connect_timeout",
                                  "application_name",
                                  "client_encoding",
                                  "keepalives",
                                  "keepalives_idle",
                                  "dbname",
                                  nullptr};
  const char* const values[] = {timeout_text.c_str(), "dbshift", "UTF8", "1", "30",
                                url_.raw().c_str(),   nullptr};
  conn_.reset(Libpq().PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn_ == nullptr) {
    throw ConnectError(fmt::format("cannot connect to {}: out of memory", url_.Redacted()));
  }
  if (Libpq().PQstatus(conn_.get()) != CONNECTION_OK) {
    throw ConnectError(fmt::format("cannot connect to {}: {}", url_.Redacted(),
                                   TrimRight(url_.Scrub(Libpq().PQerrorMessage(conn_.get())))));
  }
  // libpq prints notices to stderr by default; nothing below the CLI prints.
  Libpq().PQsetNoticeProcessor(conn_.get(), &Connection::OnNotice, this);
  // kSessionSettings go ahead of the first command (SendPendingSettings).
  settings_pending_ = Libpq().PQserverVersion(conn_.get()) >= 140000;
}

void Connection::SendPending() {
  SendPendingSettings();
  if (begin_pending_) {
    // Cleared first: if BEGIN fails, no transaction is open.
    begin_pending_ = false;
    Check(PgResultPtr(Libpq().PQexec(conn_.get(), "BEGIN")));
  }
}

void Connection::SendPendingSettings() {
  if (!settings_pending_) return;
  std::string sql;
  for (const char* setting : kSessionSettings) sql += std::string(setting) + "; ";
  Check(PgResultPtr(Libpq().PQexec(conn_.get(), sql.c_str())));
  settings_pending_ = false;
}

void Connection::BeginWithNextCommand() { begin_pending_ = true; }

bool Connection::DropPendingBegin() { return std::exchange(begin_pending_, false); }

PGTransactionStatusType Connection::TransactionStatus() const {
  return begin_pending_ ? PQTRANS_INTRANS : Libpq().PQtransactionStatus(conn_.get());
}

bool Connection::Broken() const { return Libpq().PQstatus(conn_.get()) == CONNECTION_BAD; }

bool Connection::ClosedByServer() {
  if (Broken()) return true;
  pollfd socket{Libpq().PQsocket(conn_.get()), POLLIN, 0};
  if (::poll(&socket, 1, 0) <= 0) return false;
  // Bytes (or the end of the stream) on a connection that sent no query: the
  // server's "terminating connection" message, or a harmless notice. A query
  // tells the two apart.
  try {
    ExecParams("SELECT 1", {});
  } catch (const Error&) {
    // Broken() below has the answer; any other error leaves it usable.
  }
  return Broken();
}

void Connection::OnNotice(void* self, const char* message) noexcept {
  // Called from inside libpq: nothing may propagate through C.
  try {
    auto* connection = static_cast<Connection*>(self);
    if (connection->notices_.size() >= kMaxNotices) connection->notices_.pop_front();
    connection->notices_.push_back(TrimRight(message));
  } catch (...) {
    // Losing a notice under memory pressure is acceptable.
  }
}

std::vector<std::string> Connection::TakeNotices() {
  std::vector<std::string> notices;
  notices.reserve(notices_.size());
  for (const std::string& notice : notices_) notices.push_back(url_.Scrub(notice));
  notices_.clear();
  return notices;
}

PgResultPtr Connection::Check(PgResultPtr result) {
  if (result != nullptr && Succeeded(Libpq().PQresultStatus(result.get()))) return result;
  if (Broken()) {
    std::string reason = result != nullptr ? Libpq().PQresultErrorMessage(result.get()) : "";
    if (TrimRight(reason).empty()) reason = Libpq().PQerrorMessage(conn_.get());
    throw ConnectError(
        fmt::format("lost connection to {}: {}", url_.Redacted(), TrimRight(url_.Scrub(reason))));
  }
  if (result == nullptr) {
    // libpq could not build a result (out of memory, or a protocol problem).
    throw SqlError(TrimRight(url_.Scrub(Libpq().PQerrorMessage(conn_.get()))), "");
  }
  std::string message = Field(result.get(), PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) {
    // Errors libpq raises itself have no fields, only the whole text.
    message = TrimRight(Libpq().PQresultErrorMessage(result.get()));
    if (message.empty()) message = Libpq().PQresStatus(Libpq().PQresultStatus(result.get()));
  }
  if (std::string detail = Field(result.get(), PG_DIAG_MESSAGE_DETAIL); !detail.empty()) {
    message += "\nDETAIL: " + detail;
  }
  if (std::string hint = Field(result.get(), PG_DIAG_MESSAGE_HINT); !hint.empty()) {
    message += "\nHINT: " + hint;
  }
  const std::string position = Field(result.get(), PG_DIAG_STATEMENT_POSITION);
  throw SqlError(url_.Scrub(message), Field(result.get(), PG_DIAG_SQLSTATE),
                 position.empty() ? 0 : std::atoi(position.c_str()));
}

PgResultPtr Connection::Exec(const std::string& sql) {
  SendPending();
  return Check(PgResultPtr(Libpq().PQexec(conn_.get(), sql.c_str())));
}

int Connection::BackendPid() const { return Libpq().PQbackendPID(conn_.get()); }

void Connection::AwaitResult(std::chrono::steady_clock::time_point next_call,
                             std::chrono::milliseconds interval,
                             const std::function<void()>& waiting) {
  using Clock = std::chrono::steady_clock;
  PGconn* conn = conn_.get();
  while (Libpq().PQisBusy(conn) == 1) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_call - Clock::now());
    pollfd socket{Libpq().PQsocket(conn), POLLIN, 0};
    const int ready = poll(&socket, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready > 0) {
      // A lost connection shows in the result PQgetResult builds next.
      if (Libpq().PQconsumeInput(conn) != 1) return;
    } else if (ready == 0) {
      waiting();
      next_call = Clock::now() + interval;
    } else if (errno != EINTR) {
      return;
    }
  }
}

PgResultPtr Connection::ExecWatched(const std::string& sql, std::chrono::milliseconds first_call,
                                    std::chrono::milliseconds interval,
                                    const std::function<void()>& waiting) {
  using Clock = std::chrono::steady_clock;
  // Settings go on their own: in one query with BEGIN they would join the
  // transaction and vanish with its rollback.
  SendPendingSettings();
  // A BEGIN waiting for this statement shares its round trip. The server
  // parses the whole query before running any of it, so a syntax error
  // leaves no transaction open, as when the statement is sent alone.
  const bool with_begin = std::exchange(begin_pending_, false);
  const std::string with_begin_sql = with_begin ? std::string(kBeginPrefix) + sql : std::string();
  PGconn* conn = conn_.get();
  if (Libpq().PQsendQuery(conn, with_begin ? with_begin_sql.c_str() : sql.c_str()) != 1) {
    Check(nullptr);
  }
  AwaitResult(Clock::now() + first_call, interval, waiting);
  // As PQexec: the first failure, else the last result; a COPY hands over.
  PgResultPtr failure;
  PgResultPtr last;
  while (PgResultPtr result{Libpq().PQgetResult(conn)}) {
    const ExecStatusType status = Libpq().PQresultStatus(result.get());
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      return result;
    }
    if (!Succeeded(status) && failure == nullptr) {
      failure = std::move(result);
    } else {
      last = std::move(result);
    }
    if (Broken()) break;
  }
  try {
    return Check(failure != nullptr ? std::move(failure) : std::move(last));
  } catch (const SqlError& error) {
    if (!with_begin) throw;
    // Positions count from the start of the query: make them the statement's.
    const int prefix = static_cast<int>(kBeginPrefix.size());
    throw SqlError(error.what(), error.context().sqlstate,
                   error.position() > prefix ? error.position() - prefix : 0);
  }
}

void Connection::ExecPipelined(const std::vector<const std::string*>& statements,
                               std::chrono::milliseconds first_call,
                               std::chrono::milliseconds interval,
                               const std::function<void()>& waiting,
                               const std::function<void(std::size_t)>& finished) {
  using Clock = std::chrono::steady_clock;
  SendPendingSettings();
  PGconn* conn = conn_.get();
  if (Libpq().PQenterPipelineMode(conn) != 1) Check(nullptr);
  // A pending BEGIN goes first in the pipeline. Each statement is followed by
  // a flush request, so that the server sends its result when it completes
  // rather than at the sync point: its end time is then known here.
  const bool with_begin = std::exchange(begin_pending_, false);
  const auto send = [conn](const char* sql) {
    return Libpq().PQsendQueryParams(conn, sql, 0, /*paramTypes=*/nullptr,
                                     /*paramValues=*/nullptr, /*paramLengths=*/nullptr,
                                     /*paramFormats=*/nullptr, /*resultFormat=*/0) == 1 &&
           Libpq().PQsendFlushRequest(conn) == 1;
  };
  bool sent = !with_begin || send("BEGIN");
  for (std::size_t i = 0; sent && i < statements.size(); ++i) sent = send(statements[i]->c_str());
  // The sync point ends the pipeline even when a send failed, so that the
  // connection can leave pipeline mode and stay usable.
  const bool synced = Libpq().PQpipelineSync(conn) == 1;

  // Commands answered so far: BEGIN (when sent), then the statements.
  std::size_t answered = 0;
  const std::size_t first_statement = with_begin ? 1 : 0;
  PgResultPtr failure;
  // What `finished` threw: rethrown once the pipeline is read to its end.
  std::exception_ptr report_error;
  while (synced) {
    AwaitResult(Clock::now() + first_call, interval, waiting);
    PgResultPtr result{Libpq().PQgetResult(conn)};
    if (result == nullptr) {
      // The end of one command's results, or a lost connection.
      if (Broken()) break;
      continue;
    }
    const ExecStatusType status = Libpq().PQresultStatus(result.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    // Commands after a failure are skipped: the failure is what to report.
    if (status == PGRES_PIPELINE_ABORTED) continue;
    const std::size_t command = answered++;
    // COPY cannot run in a pipeline; callers send it alone.
    if (!Succeeded(status) || status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
      if (failure == nullptr) failure = std::move(result);
      continue;
    }
    if (command < first_statement || failure != nullptr || report_error) continue;
    try {
      finished(command - first_statement);
    } catch (...) {
      report_error = std::current_exception();
    }
  }
  const bool left = Libpq().PQexitPipelineMode(conn) == 1;
  if (!sent || !synced || !left) Check(nullptr);
  if (failure != nullptr) Check(std::move(failure));
  if (report_error) std::rethrow_exception(report_error);
  if (answered != statements.size() + first_statement) {
    throw SqlError(fmt::format("the server answered {} of the {} commands of a pipeline", answered,
                               statements.size() + first_statement),
                   "");
  }
}

namespace {

// Pointers into `params` for libpq; valid while `params` is.
// BEGIN or START TRANSACTION, in any case, after leading blanks.
bool OpensTransaction(std::string_view sql) {
  const std::size_t start = sql.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const std::string head = AsciiLower(sql.substr(start, 5));
  return head == "begin" || head == "start";
}

std::vector<const char*> Values(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  return values;
}

}  // namespace

PgResultPtr Connection::ExecParams(const std::string& sql, const Params& params,
                                   ResultFormat format) {
  SendPending();
  const std::vector<const char*> values = Values(params);
  return Check(PgResultPtr(Libpq().PQexecParams(
      conn_.get(), sql.c_str(), static_cast<int>(values.size()),
      /*paramTypes=*/nullptr, values.data(),
      /*paramLengths=*/nullptr, /*paramFormats=*/nullptr, static_cast<int>(format))));
}

TextRows Connection::Rows(const std::string& sql, const Params& params) {
  const PgResultPtr result = ExecParams(sql, params);
  const int count = Libpq().PQntuples(result.get());
  const int columns = Libpq().PQnfields(result.get());
  TextRows rows;
  rows.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (Libpq().PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(Libpq().PQgetvalue(result.get(), r, c),
                        static_cast<std::size_t>(Libpq().PQgetlength(result.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void Connection::EnsurePrepared(const std::string& name, const std::string& sql,
                                std::size_t params) {
  if (prepared_.contains(name)) return;
  SendPending();
  // Prepared statements outlive transactions (a rollback does not drop
  // them), so once per connection is enough.
  Check(PgResultPtr(Libpq().PQprepare(conn_.get(), name.c_str(), sql.c_str(),
                                      static_cast<int>(params), /*paramTypes=*/nullptr)));
  prepared_.insert(name);
}

PgResultPtr Connection::ExecPrepared(const std::string& name, const std::string& sql,
                                     const Params& params) {
  SendPending();
  EnsurePrepared(name, sql, params.size());
  const std::vector<const char*> values = Values(params);
  return Check(PgResultPtr(Libpq().PQexecPrepared(
      conn_.get(), name.c_str(), static_cast<int>(values.size()), values.data(),
      /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
      /*resultFormat=*/0)));
}

std::vector<PgResultPtr> Connection::RunPipeline(const std::vector<PipelineCommand>& commands) {
  // A pipeline is one implicit transaction. SETs ahead of a BEGIN in it
  // would join the explicit transaction and vanish with its rollback; and a
  // prepared command costs a round trip of its own (PQprepare) anyway.
  const bool settings_can_join =
      std::none_of(commands.begin(), commands.end(), [](const PipelineCommand& command) {
        return !command.prepared_name.empty() || OpensTransaction(command.sql);
      });
  if (!settings_pending_ || !settings_can_join || begin_pending_) {
    SendPending();
    return SendPipeline(commands);
  }
  // The first command of the connection: the session settings go in the
  // same round trip, ahead of the commands. A failure rolls the whole
  // pipeline back, the SETs too, so they stay pending then.
  std::vector<PipelineCommand> with_settings;
  with_settings.reserve(kSessionSettings.size() + commands.size());
  for (const char* setting : kSessionSettings) with_settings.push_back({setting, {}, {}});
  with_settings.insert(with_settings.end(), commands.begin(), commands.end());
  std::vector<PgResultPtr> results = SendPipeline(with_settings);
  results.erase(results.begin(),
                results.begin() + static_cast<std::ptrdiff_t>(kSessionSettings.size()));
  settings_pending_ = false;
  return results;
}

std::vector<PgResultPtr> Connection::SendPipeline(const std::vector<PipelineCommand>& commands) {
  for (const PipelineCommand& command : commands) {
    if (!command.prepared_name.empty()) {
      EnsurePrepared(command.prepared_name, command.sql, command.params.size());
    }
  }
  PGconn* conn = conn_.get();
  if (Libpq().PQenterPipelineMode(conn) != 1) Check(nullptr);
  bool sent = true;
  for (const PipelineCommand& command : commands) {
    const std::vector<const char*> values = Values(command.params);
    const int count = static_cast<int>(values.size());
    sent = command.prepared_name.empty()
               ? Libpq().PQsendQueryParams(conn, command.sql.c_str(), count,
                                           /*paramTypes=*/nullptr, values.data(),
                                           /*paramLengths=*/nullptr, /*paramFormats=*/nullptr,
                                           /*resultFormat=*/0) == 1
               : Libpq().PQsendQueryPrepared(conn, command.prepared_name.c_str(), count,
                                             values.data(), /*paramLengths=*/nullptr,
                                             /*paramFormats=*/nullptr, /*resultFormat=*/0) == 1;
    if (!sent) break;
  }
  // The sync point ends the pipeline even when a send failed, so that the
  // connection can leave pipeline mode and stay usable.
  const bool synced = Libpq().PQpipelineSync(conn) == 1;
  // Each command yields one result and then a null; the sync point yields
  // PGRES_PIPELINE_SYNC last.
  std::vector<PgResultPtr> results;
  while (synced) {
    PgResultPtr result{Libpq().PQgetResult(conn)};
    if (result == nullptr) {
      if (Broken()) break;
      continue;
    }
    if (Libpq().PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) break;
    results.push_back(std::move(result));
  }
  const bool left = Libpq().PQexitPipelineMode(conn) == 1;
  if (!sent || !synced || !left) Check(nullptr);
  bool skipped = false;
  for (PgResultPtr& result : results) {
    // A skipped command (PGRES_PIPELINE_ABORTED) only follows the failure
    // that made the server skip it, which is the one to report.
    if (Libpq().PQresultStatus(result.get()) == PGRES_PIPELINE_ABORTED) {
      skipped = true;
      continue;
    }
    result = Check(std::move(result));
  }
  if (skipped || results.size() != commands.size()) {
    throw SqlError(fmt::format("the server returned {} results for a pipeline of {} commands{}",
                               results.size(), commands.size(), skipped ? ", some skipped" : ""),
                   "");
  }
  return results;
}

bool Connection::SendCopyData(std::string_view data) {
  for (std::size_t offset = 0; offset < data.size(); offset += kCopyChunkBytes) {
    const std::size_t length = std::min(kCopyChunkBytes, data.size() - offset);
    if (Libpq().PQputCopyData(conn_.get(), data.data() + offset, static_cast<int>(length)) != 1) {
      return false;
    }
  }
  return true;
}

void Connection::FinishCopyIn(const std::string* data) {
  const bool sent = data == nullptr || SendCopyData(*data);
  // An error message makes the server fail the COPY (and roll back its rows)
  // instead of committing a partial or empty load.
  const char* abort_reason =
      data == nullptr ? "dbshift: the script has no data for this COPY FROM STDIN" : nullptr;
  Libpq().PQputCopyEnd(conn_.get(), sent ? abort_reason : "dbshift: sending COPY data failed");
  DrainResults();
}

namespace {

std::int64_t RowsOf(PGresult* result) {
  const char* rows = result == nullptr ? "" : Libpq().PQcmdTuples(result);
  return std::strtoll(rows, nullptr, 10);
}

}  // namespace

std::int64_t Connection::CopyIn(const std::string& sql,
                                const std::function<void(const CopySend&)>& write_data) {
  const PgResultPtr started = Exec(sql);
  if (Libpq().PQresultStatus(started.get()) != PGRES_COPY_IN) {
    throw SqlError(fmt::format("expected COPY FROM STDIN, the server answered {}",
                               Libpq().PQresStatus(Libpq().PQresultStatus(started.get()))),
                   "");
  }
  bool sent = true;
  try {
    write_data([&](std::string_view data) {
      if (sent) sent = SendCopyData(data);
    });
  } catch (...) {
    // The server rolls back the rows of a COPY ended with an error message.
    Libpq().PQputCopyEnd(conn_.get(), "dbshift: reading the data to load failed");
    try {
      DrainResults();
    } catch (const Error&) {
      // The failure reported is the reader's, which caused this one.
    }
    throw;
  }
  Libpq().PQputCopyEnd(conn_.get(), sent ? nullptr : "dbshift: sending COPY data failed");
  return RowsOf(DrainResults().get());
}

std::int64_t Connection::CopyOut(const std::string& sql,
                                 const std::function<void(std::string_view)>& on_row) {
  const PgResultPtr started = Exec(sql);
  if (Libpq().PQresultStatus(started.get()) != PGRES_COPY_OUT) {
    throw SqlError(fmt::format("expected COPY TO STDOUT, the server answered {}",
                               Libpq().PQresStatus(Libpq().PQresultStatus(started.get()))),
                   "");
  }
  std::int64_t rows = 0;
  char* buffer = nullptr;
  int length = 0;
  try {
    while ((length = Libpq().PQgetCopyData(conn_.get(), &buffer, /*async=*/0)) > 0) {
      const std::unique_ptr<char, void (*)(void*)> row(buffer, Libpq().PQfreemem);
      buffer = nullptr;
      on_row(std::string_view(row.get(), static_cast<std::size_t>(length)));
      ++rows;
    }
  } catch (...) {
    try {
      FinishCopyOut();
    } catch (const Error&) {
      // The caller's exception is the one that explains the stop.
    }
    throw;
  }
  // -1: the COPY is done and its result is next; -2: an error, which the
  // result reports.
  DrainResults();
  return rows;
}

void Connection::FinishCopyOut() {
  char* buffer = nullptr;
  while (Libpq().PQgetCopyData(conn_.get(), &buffer, /*async=*/0) > 0) {
    Libpq().PQfreemem(buffer);
    buffer = nullptr;
  }
  DrainResults();
}

PgResultPtr Connection::DrainResults() {
  PgResultPtr failure;
  PgResultPtr last;
  while (PgResultPtr result{Libpq().PQgetResult(conn_.get())}) {
    switch (Libpq().PQresultStatus(result.get())) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        last = std::move(result);
        break;
      case PGRES_COPY_IN:
        // A later command of the same query string wants data we do not have:
        // fail it, or PQgetResult would report COPY_IN forever.
        Libpq().PQputCopyEnd(conn_.get(), "dbshift: unexpected COPY FROM STDIN");
        break;
      case PGRES_COPY_OUT: {
        char* buffer = nullptr;
        while (Libpq().PQgetCopyData(conn_.get(), &buffer, /*async=*/0) > 0) {
          Libpq().PQfreemem(buffer);
          buffer = nullptr;
        }
        break;
      }
      default:
        if (failure == nullptr) failure = std::move(result);
        break;
    }
    // A dead connection has no more results worth waiting for.
    if (Broken()) break;
  }
  if (failure != nullptr) Check(std::move(failure));
  if (Broken()) Check(nullptr);
  return last;
}

}  // namespace dbshift::postgres
