#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbshift/common/url.h"
#include "dbshift/driver/postgres/handles.h"

namespace dbshift::postgres {

/// Text parameters of a query; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;
/// Rows of a result as text; nullopt is SQL NULL.
using TextRows = std::vector<std::vector<std::optional<std::string>>>;

/// One command of Connection::RunPipeline.
struct PipelineCommand {
  std::string sql;
  Params params;
  /// When set, `sql` is prepared under this name once per connection and
  /// later runs reuse it (no parse and plan per run).
  std::string prepared_name;
};

/// One libpq connection and the single place where libpq outcomes become
/// exceptions (Check). Not thread-safe; not movable, because libpq keeps a
/// pointer to it for the notice processor.
class Connection {
 public:
  /// Connects to `url` (libpq parses the raw URL itself, so PG* variables,
  /// .pgpass and sslmode apply). Throws ConnectError naming the redacted URL.
  Connection(const Url& url, std::chrono::milliseconds connect_timeout);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* Handle() const { return conn_.get(); }
  /// True when libpq knows the connection is gone.
  bool Broken() const;
  /// On a connection that waits for nothing: true when the server has closed
  /// it. Asks the server (one round trip) only when something has arrived.
  bool ClosedByServer();

  /// Opens a transaction with the next command instead of in a round trip of
  /// its own: ExecWatched sends "BEGIN;" in the same query as its statement,
  /// and any other command sends BEGIN just before itself.
  void BeginWithNextCommand();
  /// Forgets a BEGIN that BeginWithNextCommand left unsent; true if there was one.
  bool DropPendingBegin();
  /// libpq's transaction status, with an unsent BEGIN counted as open.
  PGTransactionStatusType TransactionStatus() const;

  /// Runs one command with the simple query protocol; returns its checked result.
  PgResultPtr Exec(const std::string& sql);
  /// Exec that, while the server has not answered, calls `waiting` after
  /// `first_call` and then every `interval` (from the same thread, between
  /// reads; it must not use this connection). Returns like PQexec: the
  /// result, checked, or the COPY state for FinishCopyIn/FinishCopyOut.
  PgResultPtr ExecWatched(const std::string& sql, std::chrono::milliseconds first_call,
                          std::chrono::milliseconds interval, const std::function<void()>& waiting);
  /// Runs single SQL commands (no COPY) in one pipeline: all are sent at
  /// once and the server answers each as it completes, so together they
  /// cost one round trip instead of one each. A pending BEGIN goes first.
  /// Calls `finished(i)` as the result of statements[i] arrives, in order,
  /// and `waiting` while the server works, as ExecWatched does (timed from
  /// the latest result). Throws as Check does for the first failure; the
  /// server skips the statements after it and the transaction is then
  /// aborted. An exception from `finished` is rethrown after the pipeline
  /// is read to its end, so the connection stays usable either way.
  void ExecPipelined(const std::vector<const std::string*>& statements,
                     std::chrono::milliseconds first_call, std::chrono::milliseconds interval,
                     const std::function<void()>& waiting,
                     const std::function<void(std::size_t)>& finished);
  /// The server process of this connection (pg_stat_activity.pid).
  int BackendPid() const;
  /// How the server sends the values of a result.
  enum class ResultFormat { kText = 0, kBinary = 1 };
  /// Runs `sql` with text parameters ($1, $2, ...); returns its checked result.
  PgResultPtr ExecParams(const std::string& sql, const Params& params,
                         ResultFormat format = ResultFormat::kText);
  /// ExecParams, with the rows of the result as text.
  TextRows Rows(const std::string& sql, const Params& params = {});
  /// Runs the statement prepared as `name`, preparing it from `sql` first
  /// when this connection has not yet done so.
  PgResultPtr ExecPrepared(const std::string& name, const std::string& sql, const Params& params);

  /// Sends every command and waits once for all their results (libpq
  /// pipeline mode: one round trip instead of one per command). On a new
  /// connection the session settings go in that round trip too. The server
  /// skips the commands after a failing one; this then throws for that one
  /// as Check does. Returns the results in command order.
  std::vector<PgResultPtr> RunPipeline(const std::vector<PipelineCommand>& commands);

  /// Sends COPY FROM STDIN data after a command returned PGRES_COPY_IN, ends
  /// the copy (aborting it when `data` is null) and reads every remaining
  /// result. Throws SqlError for the first failure; the connection is ready
  /// for the next command either way.
  void FinishCopyIn(const std::string* data);
  /// Discards COPY TO STDOUT data after a command returned PGRES_COPY_OUT and
  /// reads every remaining result, like FinishCopyIn.
  void FinishCopyOut();

  /// Runs `sql`, a COPY ... TO STDOUT, and hands each data row to `on_row`
  /// as it arrives (text format: one row per call, ending in '\n'). Returns
  /// the number of rows. When `on_row` throws, the rest of the data is read
  /// and discarded so the connection stays usable, and the exception goes on.
  std::int64_t CopyOut(const std::string& sql, const std::function<void(std::string_view)>& on_row);
  /// Runs `sql`, a COPY ... FROM STDIN; `write_data` is called once and
  /// sends the data through the function it is given, in pieces of any
  /// size. Returns the number of rows the server loaded. When `write_data`
  /// throws, the COPY is failed on the server (so none of its rows stay)
  /// and the exception goes on.
  using CopySend = std::function<void(std::string_view)>;
  std::int64_t CopyIn(const std::string& sql,
                      const std::function<void(const CopySend&)>& write_data);

  /// Returns `result` when it reports success (or a COPY in progress);
  /// otherwise throws: ConnectError when the connection is lost, else SqlError
  /// with the server's primary message, DETAIL and HINT, SQLSTATE and error
  /// position. Every message passes through Url::Scrub. `result` may be null
  /// (libpq could not even build one).
  PgResultPtr Check(PgResultPtr result);

  /// Server notices (NOTICE, WARNING, ...) received since the last call,
  /// oldest first, scrubbed; at most the most recent kMaxNotices are kept.
  std::vector<std::string> TakeNotices();

  static constexpr std::size_t kMaxNotices = 1000;

 private:
  static void OnNotice(void* self, const char* message) noexcept;
  // Waits until a result can be read without blocking (or the connection
  // fails), calling `waiting` at `next_call` and then every `interval`.
  void AwaitResult(std::chrono::steady_clock::time_point next_call,
                   std::chrono::milliseconds interval, const std::function<void()>& waiting);
  // Reads results until libpq reports the command complete, then checks the
  // first failure among them. Returns the last successful one.
  PgResultPtr DrainResults();
  // Sends COPY FROM STDIN data in chunks; false when libpq could not send.
  bool SendCopyData(std::string_view data);
  void EnsurePrepared(const std::string& name, const std::string& sql, std::size_t params);
  // Sends the session settings of the constructor if they are still
  // pending, then an unsent BEGIN; every command calls it first (RunPipeline
  // can put the settings in its own round trip instead).
  void SendPending();
  void SendPendingSettings();
  // RunPipeline without the pending settings.
  std::vector<PgResultPtr> SendPipeline(const std::vector<PipelineCommand>& commands);

  Url url_;
  PgConnPtr conn_;
  std::deque<std::string> notices_;
  std::set<std::string> prepared_;
  // The session settings (kSessionSettings) are not sent yet.
  bool settings_pending_ = false;
  // BeginWithNextCommand was called and BEGIN is not sent yet.
  bool begin_pending_ = false;
};

/// `text` without trailing whitespace (libpq messages end in "\n").
std::string TrimRight(std::string_view text);

}  // namespace dbshift::postgres
