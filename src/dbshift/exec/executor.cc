#include "dbshift/exec/executor.h"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/build_info.h"
#include "dbshift/common/duration.h"
#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/exec/script_runner.h"
#include "dbshift/exec/statement_kind.h"
#include "dbshift/exec/transaction.h"

namespace dbshift {
namespace {

std::optional<std::string> VersionText(const std::optional<Version>& version) {
  if (!version) return std::nullopt;
  return version->text();
}

bool IsDownProblem(const PlanEntry* entry) { return entry->state != MigrationState::kOutOfOrder; }

// Writes *** for the values of secret placeholders in the texts of events
// before they reach the terminal or the run log: the database gets the
// real value, the logs never do.
class SecretMaskingSink : public EventSink {
 public:
  SecretMaskingSink(EventSink& next, PlaceholderValues values)
      : next_(next), values_(std::move(values)) {}

  void OnEvent(const Event& event) override {
    Event masked = event;
    masked.statement = MaskSecretValues(event.statement, values_);
    masked.error = MaskSecretValues(event.error, values_);
    masked.message = MaskSecretValues(event.message, values_);
    next_.OnEvent(masked);
  }

 private:
  EventSink& next_;
  PlaceholderValues values_;
};

std::unique_ptr<EventSink> MakeMaskingSink(EventSink& next, const PlaceholderValues& values) {
  const bool any_secret = std::any_of(values.begin(), values.end(), [](const auto& entry) {
    return !entry.second.empty() && IsSecretPlaceholderName(entry.first);
  });
  if (!any_secret) return nullptr;
  return std::make_unique<SecretMaskingSink>(next, values);
}

// The error of a history row while its script runs outside a transaction:
// a crash leaves it, and a resume refuses it (nobody knows how far it got).
constexpr const char* kStartedNotFinished = "started, not finished";

// A run stopped by an error before or between migrations.
RunFailure FailureOf(const Error& error) {
  RunFailure failure;
  failure.file = error.context().file;
  failure.line = error.context().line;
  failure.message = error.what();
  return failure;
}

bool AnyCommitsImplicitly(const std::vector<Statement>& statements) {
  return std::any_of(statements.begin(), statements.end(), [](const Statement& statement) {
    return CommitsImplicitlyOnMysql(statement.text);
  });
}

std::vector<const Migration*> MigrationsOf(const std::vector<const PlanEntry*>& entries) {
  std::vector<const Migration*> migrations;
  migrations.reserve(entries.size());
  for (const PlanEntry* entry : entries) migrations.push_back(entry->migration);
  return migrations;
}

}  // namespace

Plan ReadPlan(Driver& driver, const MigrationSet& source, const PlanOptions& options) {
  return BuildPlan(source, driver.ReadHistory(), options);
}

void ThrowIfProblems(const Plan& plan, std::string_view command) {
  std::vector<const PlanEntry*> problems = plan.Problems();
  if (problems.empty()) return;
  std::string message = fmt::format("{} refused: {} problem{} in the migration history", command,
                                    problems.size(), problems.size() == 1 ? "" : "s");
  for (const PlanEntry* entry : problems) message += "\n  - " + entry->message;
  ErrorContext context;
  context.file = problems.front()->script;
  context.version = problems.front()->version ? problems.front()->version->text() : "";
  throw ValidationError(message, context);
}

Executor::Executor(Driver& driver, const MigrationSet& source, EventSink& sink, RunOptions options)
    : driver_(driver),
      source_(source),
      masking_sink_(MakeMaskingSink(sink, options.placeholders)),
      sink_(masking_sink_ ? *masking_sink_ : sink),
      options_(std::move(options)) {}

Event Executor::Identity() const {
  Event identity;
  identity.run_id = options_.run_id;
  identity.command = options_.command;
  identity.dry_run = options_.dry_run;
  return identity;
}

void Executor::Emit(Event::Type type, const Event& identity) {
  sink_.OnEvent(MakeEvent(identity, type));
}

void Executor::EmitRunStarted() {
  Event event = Identity();
  event.target = driver_.Target();
  event.user = OsUser();
  event.host = HostName();
  Emit(Event::Type::kRunStarted, event);
}

void Executor::EmitRunFinished(const RunResult& result) {
  Event event = Identity();
  event.ok = !result.failure;
  event.applied_count = static_cast<int>(result.applied.size());
  event.current_version = result.current_version.value_or("");
  if (result.failure) event.error = result.failure->message;
  Emit(Event::Type::kRunFinished, event);
}

void Executor::SetLimit(std::optional<std::chrono::milliseconds>& current,
                        std::chrono::milliseconds wanted,
                        void (Driver::*set)(std::chrono::milliseconds)) {
  if (current) {
    if (*current == wanted) return;
  } else if (wanted.count() == 0 && driver_.dialect() != Dialect::kPostgres) {
    return;  // other engines keep their own limits unless a directive says
  }
  // On PostgreSQL even "no limit" is set: a role or database default (ALTER
  // ROLE ... SET statement_timeout) must not cut a long migration short.
  (driver_.*set)(wanted);
  current = wanted;
}

void Executor::ApplyDirectives(const Migration& script) {
  const bool postgres = driver_.dialect() == Dialect::kPostgres;
  const std::chrono::milliseconds none(0);
  SetLimit(lock_timeout_now_,
           script.directives.lock_timeout.value_or(postgres ? options_.default_lock_timeout : none),
           &Driver::SetLockTimeout);
  SetLimit(statement_timeout_now_,
           script.directives.statement_timeout.value_or(
               postgres ? options_.default_statement_timeout : none),
           &Driver::SetStatementTimeout);
}

std::vector<Migration> Executor::ScriptsToRun(const std::vector<const Migration*>& selected) const {
  CheckPlaceholdersDefined(selected, options_.placeholders);
  std::vector<Migration> scripts;
  scripts.reserve(selected.size());
  for (const Migration* migration : selected) {
    Migration& script = scripts.emplace_back(*migration);
    script.sql = SqlToRun(*migration, options_.placeholders);  // checksum: the file as written
  }
  return scripts;
}

void Executor::ResetDirectives() { ApplyDirectives(Migration{}); }

bool Executor::RunsInTransaction(const Migration& script,
                                 const std::vector<Statement>& statements) const {
  if (script.directives.no_transaction) return false;
  // Where DDL commits implicitly, only a script of DML can roll back.
  return driver_.capabilities().transactional_ddl || !AnyCommitsImplicitly(statements);
}

std::size_t Executor::ResumeFrom(const PlanEntry& entry,
                                 const std::vector<Statement>& statements) const {
  const HistoryRow& row = *entry.applied;
  const auto done = static_cast<std::size_t>(std::max(row.statements_done, 0));
  if (done == 0) return 0;
  ErrorContext context;
  context.file = entry.script;
  context.version = entry.version ? entry.version->text() : "";
  if (row.statements_checksum.empty()) {
    throw ValidationError(
        fmt::format("{}: cannot resume: the failed run recorded {} statement{} as done but not "
                    "which ({}); check the database by hand, then run dbshift repair",
                    entry.script, done, done == 1 ? "" : "s",
                    row.error == kStartedNotFinished ? "it was interrupted" : "no checksum"),
        context);
  }
  if (done > statements.size() || StatementsChecksum(statements, done) != row.statements_checksum) {
    throw ValidationError(
        fmt::format("{}: cannot resume: its first {} statement{}, which the failed run applied, "
                    "changed since; resuming would not finish the same migration. Restore them, "
                    "or undo them by hand and run dbshift repair",
                    entry.script, done, done == 1 ? "" : "s"),
        context);
  }
  return done;
}

bool Executor::RunOne(const PlanEntry& entry, const Migration& script, HistoryKind kind,
                      bool inside_outer_transaction, RunResult& result) {
  Event identity = Identity();
  identity.version = entry.version ? entry.version->text() : "";
  identity.description = entry.description;
  identity.script = script.script;
  identity.kind = MigrationKindName(script.kind);

  const std::vector<Statement> statements = SplitStatements(script.sql, driver_.dialect());
  // Only `up --resume` selects a failed entry; checked before anything runs.
  const bool resuming = entry.state == MigrationState::kFailed;
  const std::size_t first = resuming ? ResumeFrom(entry, statements) : 0;
  Emit(Event::Type::kMigrationStarted, identity);

  HistoryRow row = resuming ? *entry.applied : HistoryRow{};
  const int64_t earlier_ms = resuming ? row.execution_ms : 0;
  row.version = identity.version;
  row.description = entry.description;
  row.kind = kind;
  row.script = script.script;
  row.checksum = script.checksum;
  row.applied_by = OsUser() + "@" + HostName();
  row.run_id = options_.run_id;
  row.tool_version = kToolVersion;
  auto record = [&](const ScriptOutcome& outcome) {
    row.success = outcome.ok;
    row.statements_done = outcome.statements_done;
    row.statements_total = outcome.statements_total;
    row.error = MaskSecretValues(outcome.error, options_.placeholders);
    row.statements_checksum =
        outcome.ok
            ? ""
            : StatementsChecksum(statements, static_cast<std::size_t>(outcome.statements_done));
    row.execution_ms =
        earlier_ms +
        std::chrono::duration_cast<std::chrono::milliseconds>(outcome.duration).count();
  };

  const bool transactional =
      inside_outer_transaction || (!resuming && RunsInTransaction(script, statements));
  ApplyDirectives(script);
  ScriptOutcome outcome;
  if (inside_outer_transaction) {
    outcome = RunScript(driver_, statements, first, sink_, identity, true);
    record(outcome);
    // A dry-run records nothing (and on MySQL may have no history table).
    if (outcome.ok && !options_.dry_run) driver_.AppendHistoryAtCommit(row);
  } else if (transactional) {
    // The history row commits in the migration's own transaction: there is no
    // moment at which the schema and the history disagree.
    Transaction transaction(driver_);
    outcome = RunScript(driver_, statements, first, sink_, identity, true);
    record(outcome);
    if (outcome.ok) {
      if (options_.before_commit) options_.before_commit(driver_, script);
      // Throws (and so rolls back) when the lock was lost while this ran.
      driver_.CheckLockStillHeld();
      driver_.AppendHistoryAtCommit(row);
      transaction.Commit();
    }
  } else {
    // Outside a transaction a crash can stop the script half-way, so the row
    // is written first as failed and only marked successful at the end: a
    // half-applied script is never mistaken for an applied one, and without
    // a statements checksum it is never resumed blind.
    row.success = false;
    row.error = kStartedNotFinished;
    row.statements_checksum.clear();
    if (resuming) {
      driver_.UpdateHistory(row);
    } else {
      driver_.AppendHistory(row);
    }
    outcome = RunScript(driver_, statements, first, sink_, identity, false);
    record(outcome);
    driver_.UpdateHistory(row);
  }
  // After a failure inside an outer transaction the transaction is aborted
  // and will be rolled back, which undoes the SETs too; a SET now would only
  // fail and hide the migration's real error.
  if (outcome.ok || !inside_outer_transaction) ResetDirectives();

  Event finished = identity;
  finished.ok = outcome.ok;
  finished.error = outcome.error;
  finished.duration = outcome.duration;
  Emit(Event::Type::kMigrationFinished, finished);

  if (outcome.ok) {
    result.applied.push_back(AppliedMigration{identity.version, std::string(entry.description),
                                              script.script, script.kind, row.execution_ms});
    return true;
  }
  RunFailure failure;
  failure.version = identity.version;
  failure.file = script.script;
  failure.line = outcome.failed_line;
  failure.message = MaskSecretValues(outcome.error, options_.placeholders);
  failure.sqlstate = outcome.sqlstate;
  failure.rolled_back = transactional;
  failure.statement_index = outcome.statements_done + 1;
  failure.statements_total = outcome.statements_total;
  if (!transactional) {
    for (int i = 0; i < outcome.statements_done; ++i) {
      const Statement& statement = statements[static_cast<std::size_t>(i)];
      failure.applied_statements.push_back(
          {i + 1, statement.line, MaskSecretValues(statement.text, options_.placeholders)});
    }
  }
  result.failure = failure;
  return false;
}

bool Executor::RetryAfterLockTimeout(const RunFailure& failure, int tries) {
  if (failure.sqlstate != kSqlstateLockNotAvailable || !failure.rolled_back || options_.dry_run ||
      tries >= options_.lock_timeout_tries) {
    return false;
  }
  const LockPolicy backoff{options_.lock_timeout_backoff, options_.lock_timeout_backoff,
                           std::max(options_.lock_timeout_backoff, kMaxLockRetryWait)};
  std::mt19937 random(std::random_device{}());
  const std::chrono::milliseconds wait = BackoffDelay(tries, backoff, random);
  Event event = Identity();
  event.version = failure.version;
  event.script = failure.file;
  event.error = failure.message;
  event.attempt = tries;
  event.attempts = options_.lock_timeout_tries;
  event.duration = wait;
  event.message = fmt::format("{}lock timeout on try {} of {}, rolled back; trying again in {}: {}",
                              options_.single_transaction ? "the run hit a " : "", tries,
                              options_.lock_timeout_tries, FormatDuration(wait), failure.message);
  Emit(Event::Type::kMigrationRetry, event);
  std::this_thread::sleep_for(wait);
  return true;
}

bool Executor::RunOneWithRetry(const PlanEntry& entry, const Migration& script, HistoryKind kind,
                               bool inside_outer_transaction, RunResult& result) {
  for (int tries = 1;; ++tries) {
    if (RunOne(entry, script, kind, inside_outer_transaction, result)) return true;
    result.failure->tries = tries;
    // Inside an outer transaction only the whole run can be tried again.
    if (inside_outer_transaction || !RetryAfterLockTimeout(*result.failure, tries)) return false;
    result.failure.reset();
  }
}

void Executor::RunSelected(const std::vector<const PlanEntry*>& selected,
                           const std::vector<Migration>& scripts, bool undo, const Plan& plan,
                           const PlanOptions& plan_options, RunResult& result) {
  const bool in_outer = options_.dry_run || options_.single_transaction;
  // Outside the outer transaction, so that its rollback keeps them.
  if (in_outer) ResetDirectives();
  const auto lock_timeout_before = lock_timeout_now_;
  const auto statement_timeout_before = statement_timeout_now_;
  std::optional<Transaction> outer;
  for (int tries = 1;; ++tries) {
    if (in_outer) {
      outer.emplace(driver_);
      if (HistoryTableInRunTransaction()) {
        driver_.EnsureHistoryTable();  // rolled back with the rest
      }
    }
    std::string skipped;  // dry-run: the first script not executed
    for (std::size_t i = 0; i < selected.size(); ++i) {
      const PlanEntry* entry = selected[i];
      const Migration& script = scripts[i];
      if (options_.dry_run) {
        if (std::string reason = WhyNotVerifiable(script, skipped); !reason.empty()) {
          NoteNotVerifiable(*entry, script, reason, result);
          if (skipped.empty()) skipped = script.script;
          continue;
        }
      }
      const HistoryKind kind = undo ? HistoryKind::kUndo
                               : entry->kind == MigrationKind::kRepeatable
                                   ? HistoryKind::kRepeatable
                                   : HistoryKind::kVersioned;
      if (!RunOneWithRetry(*entry, script, kind, outer.has_value(), result)) break;
    }
    if (!outer || !result.failure) break;
    result.failure->tries = tries;
    if (!RetryAfterLockTimeout(*result.failure, tries)) break;
    // The rollback undid the migrations' SETs too.
    outer->Rollback();
    outer.reset();
    lock_timeout_now_ = lock_timeout_before;
    statement_timeout_now_ = statement_timeout_before;
    result.applied.clear();
    result.failure.reset();
  }
  FinishRun(outer, plan, plan_options, result);
}

RunResult Executor::Up() {
  EmitRunStarted();
  RunResult result;
  result.dry_run = options_.dry_run;
  const PlanOptions plan_options{options_.allow_out_of_order, options_.resume};
  try {
    // Without the lock first: with nothing pending (the common case at every
    // server start) no lock is taken and nothing is written. Anything else,
    // problems included, is decided under the lock: a "failed" row may be a
    // no-transaction script that another runner is executing right now, and
    // an SQLite database may be unreadable while another runner writes.
    bool linted = false;
    try {
      std::optional<HistorySnapshot> early = std::exchange(options_.history_before_lock, {});
      Plan quick = BuildPlan(source_, early ? std::move(*early).Take() : driver_.ReadHistory(),
                             plan_options);
      std::vector<const PlanEntry*> pending = SelectUp(quick, options_.target);
      CheckSingleTransaction(pending, MigrationsOf(pending));
      if (quick.Problems().empty()) {
        if (pending.empty()) {
          result.current_version = VersionText(quick.current_version);
          EmitRunFinished(result);
          return result;
        }
        // Before the lock and the history table, so that a run that cannot
        // start leaves no trace. Checked again under the lock on what runs.
        CheckPlaceholdersDefined(MigrationsOf(pending), options_.placeholders);
        CheckLintGate(ScriptsToRun(MigrationsOf(pending)), driver_, options_.lint);
        linted = true;
      }
    } catch (const SqlError&) {
      // Decided under the lock below, where the read is repeated.
    }

    std::optional<MigrationLock> lock;
    if (!options_.caller_holds_lock) lock.emplace(driver_, options_.lock, sink_);
    if (!options_.dry_run && !HistoryTableInRunTransaction()) driver_.EnsureHistoryTable();

    // Re-read under the lock: another runner may have applied everything.
    Plan plan = BuildPlan(source_, driver_.ReadHistory(), plan_options);
    ThrowIfProblems(plan, "up");
    std::vector<const PlanEntry*> selected = SelectUp(plan, options_.target);
    CheckSingleTransaction(selected, MigrationsOf(selected));
    const std::vector<Migration> scripts = ScriptsToRun(MigrationsOf(selected));
    // What runs now is at most what was linted before the lock (another
    // runner may have applied some of it).
    if (!linted) CheckLintGate(scripts, driver_, options_.lint);
    if (options_.backup_before_apply && !options_.dry_run && !selected.empty()) {
      result.backup = options_.backup_before_apply(driver_);
      Event taken = Identity();
      taken.backup = result.backup;
      taken.current_version = plan.current_version ? plan.current_version->text() : "";
      Emit(Event::Type::kBackupTaken, taken);
    }

    RunSelected(selected, scripts, /*undo=*/false, plan, plan_options, result);
  } catch (const Error& error) {
    result.failure = FailureOf(error);
    EmitRunFinished(result);
    throw;
  }
  EmitRunFinished(result);
  return result;
}

RunOptions ReplayRunOptions(RunOptions run, std::string_view command) {
  run.command = std::string(command);
  run.dry_run = false;
  run.single_transaction = false;
  run.allow_out_of_order = false;
  run.resume = false;
  run.target = {};
  run.lint.enabled = false;
  run.backup_before_apply = nullptr;
  return run;
}

bool Executor::HistoryTableInRunTransaction() const {
  // A run that rolls back whole (a dry run, a failed single_transaction
  // run) leaves no history table it created where DDL can roll back.
  return (options_.dry_run || options_.single_transaction) &&
         driver_.capabilities().transactional_ddl;
}

void Executor::CheckSingleTransaction(const std::vector<const PlanEntry*>& selected,
                                      const std::vector<const Migration*>& scripts) const {
  if (!options_.single_transaction) return;
  std::string offending;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Migration& script = *scripts[i];
    if (script.directives.no_transaction) {
      offending += "\n  - " + script.script + " (marked no-transaction)";
    } else if (!RunsInTransaction(script, SplitStatements(script.sql, driver_.dialect()))) {
      offending += "\n  - " + script.script + " (DDL, which " + DialectName(driver_.dialect()) +
                   " commits implicitly)";
    } else if (selected[i]->state == MigrationState::kFailed) {
      offending += "\n  - " + script.script + " (resumed where it failed)";
    }
  }
  if (!offending.empty()) {
    throw UsageError("--single-transaction cannot include scripts that cannot roll back:" +
                     offending);
  }
}

std::string Executor::WhyNotVerifiable(const Migration& script, const std::string& skipped) const {
  if (script.directives.no_transaction) return "marked no-transaction";
  if (!RunsInTransaction(script, SplitStatements(script.sql, driver_.dialect()))) {
    return fmt::format(
        "{} commits DDL as it runs it, so a dry-run cannot execute it without "
        "applying it",
        DialectName(driver_.dialect()));
  }
  if (!driver_.capabilities().transactional_ddl && !skipped.empty()) {
    return fmt::format("it may depend on {}, which this dry-run could not execute", skipped);
  }
  return "";
}

void Executor::NoteNotVerifiable(const PlanEntry& entry, const Migration& script,
                                 const std::string& reason, RunResult& result) {
  result.not_verifiable.push_back(script.script);
  Event identity = Identity();
  identity.version = entry.version ? entry.version->text() : "";
  identity.description = entry.description;
  identity.script = script.script;
  identity.kind = MigrationKindName(script.kind);
  identity.message =
      fmt::format("{}: not verifiable in a dry-run ({}); its statements are listed, not executed",
                  script.script, reason);
  Emit(Event::Type::kMessage, identity);
  identity.message.clear();
  ListScript(driver_.dialect(), script, sink_, identity);
}

void Executor::FinishRun(std::optional<Transaction>& outer, const Plan& plan,
                         const PlanOptions& plan_options, RunResult& result) {
  if (outer) {
    if (options_.dry_run || result.failure) {
      outer->Rollback();
    } else {
      if (options_.before_run_commit) options_.before_run_commit(driver_);
      driver_.CheckLockStillHeld();
      outer->Commit();
    }
  }
  if (options_.single_transaction && result.failure) {
    result.applied.clear();  // the one transaction rolled back: nothing stayed
    result.failure->whole_run_rolled_back = true;
  }
  if (options_.dry_run) {
    result.current_version = VersionText(plan.current_version);
  } else {
    // Read back rather than computed: what the history now says is the truth
    // (a failed undo, for instance, leaves its version neither here nor gone).
    result.current_version =
        VersionText(BuildPlan(source_, driver_.ReadHistory(), plan_options).current_version);
  }
}

RunResult Executor::Down(const std::vector<std::string>& expected) {
  EmitRunStarted();
  RunResult result;
  result.dry_run = options_.dry_run;
  try {
    MigrationLock lock(driver_, options_.lock, sink_);
    Plan plan = BuildPlan(source_, driver_.ReadHistory(), PlanOptions{true});
    std::vector<const PlanEntry*> problems = plan.Problems();
    problems.erase(std::remove_if(problems.begin(), problems.end(),
                                  [](const PlanEntry* entry) { return !IsDownProblem(entry); }),
                   problems.end());
    if (!problems.empty()) ThrowIfProblems(plan, "down");

    std::vector<const PlanEntry*> selected = SelectDown(plan, source_, options_.target);
    std::vector<std::string> versions;
    versions.reserve(selected.size());
    for (const PlanEntry* entry : selected) versions.push_back(entry->version->text());
    if (versions != expected) {
      throw ValidationError(
          "the migration history changed while waiting for confirmation; nothing was undone. "
          "Run the command again.");
    }

    std::vector<const Migration*> undo_scripts;
    undo_scripts.reserve(selected.size());
    for (const PlanEntry* entry : selected) {
      undo_scripts.push_back(source_.FindUndo(*entry->version));
    }
    CheckSingleTransaction(selected, undo_scripts);
    const std::vector<Migration> scripts = ScriptsToRun(undo_scripts);

    RunSelected(selected, scripts, /*undo=*/true, plan, PlanOptions{true}, result);
  } catch (const Error& error) {
    result.failure = FailureOf(error);
    EmitRunFinished(result);
    throw;
  }
  EmitRunFinished(result);
  return result;
}

void Executor::Baseline(const Version& version, const std::string& description) {
  EmitRunStarted();
  RunResult result;
  try {
    MigrationLock lock(driver_, options_.lock, sink_);
    driver_.EnsureHistoryTable();
    std::vector<HistoryRow> history = driver_.ReadHistory();
    if (!history.empty()) {
      throw ValidationError(fmt::format(
          "baseline refused: the history already has {} entr{}; baseline marks a database that "
          "dbshift has not managed yet",
          history.size(), history.size() == 1 ? "y" : "ies"));
    }
    HistoryRow row;
    row.version = version.text();
    row.description = description;
    row.kind = HistoryKind::kBaseline;
    row.success = true;
    row.applied_by = OsUser() + "@" + HostName();
    row.run_id = options_.run_id;
    row.tool_version = kToolVersion;
    driver_.AppendHistory(row);
    result.current_version = version.text();
  } catch (const Error& error) {
    result.failure = FailureOf(error);
    EmitRunFinished(result);
    throw;
  }
  EmitRunFinished(result);
}

}  // namespace dbshift
