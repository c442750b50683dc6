#include "dbshift/exec/rehearse.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/backup/backup.h"
#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/exec/restore_backup.h"
#include "dbshift/exec/scratch_database.h"
#include "dbshift/exec/scratch_folder.h"
#include "dbshift/plan/plan.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift {
namespace {

// What the rehearsal compares: the schema as dbshift reads it, without the
// history table, one line per object.
void Compare(const schema::Snapshot& expected, const schema::Snapshot& actual,
             const std::string& when, std::vector<std::string>& differences) {
  for (const schema::SchemaDifference& difference : schema::CompareSchemas(expected, actual)) {
    if (!difference.actual) {
      differences.push_back(
          fmt::format("{}: {} {} is gone", when, difference.kind, difference.name));
    } else if (!difference.expected) {
      differences.push_back(
          fmt::format("{}: {} {} is new", when, difference.kind, difference.name));
    } else {
      differences.push_back(fmt::format("{}: {} {} is now `{}`, was `{}`", when, difference.kind,
                                        difference.name, *difference.actual, *difference.expected));
    }
  }
}

// The restore that makes a PostgreSQL copy runs migrations of its own,
// which are not the rehearsal's to show.
class DiscardingSink : public EventSink {
 public:
  void OnEvent(const Event& /*event*/) override {}
};

// The copy the rehearsal runs on, removed however the rehearsal ends.
class RehearsalCopy {
 public:
  virtual ~RehearsalCopy() = default;
  virtual Driver& driver() = 0;
};

// SQLite: the online backup API into a file in a scratch folder.
class SqliteCopy : public RehearsalCopy {
 public:
  SqliteCopy(const Url& url, const DriverOptions& options) : folder_("rehearse") {
    if (url.database().empty() || url.database() == ":memory:") {
      throw UsageError("rehearse: an in-memory SQLite database cannot be copied");
    }
    const std::filesystem::path copy_path = folder_.path() / "rehearsal.db";
    backup::CopySqliteDatabase(url.database(), copy_path, {});
    driver_ = OpenDriver(Url::Parse("sqlite:" + copy_path.string()), options);
  }
  Driver& driver() override { return *driver_; }

 private:
  ScratchFolder folder_;
  std::unique_ptr<Driver> driver_;
};

// PostgreSQL: a scratch database on the same server, made from the target
// by template when no other session is connected (the server copies the
// files; new sessions wait meanwhile), else by a fresh backup of the target
// restored there (the backup reads the target in one snapshot while the
// application goes on).
class PostgresCopy : public RehearsalCopy {
 public:
  PostgresCopy(std::unique_ptr<Driver>& target, const RehearseRequest& request,
               const MigrationSet& source, const RunOptions& options, RehearsalResult& result) {
    const Url url = Url::Parse(request.target_url);
    DriverOptions driver_options;
    driver_options.history_table = request.history_table;
    if (request.copy != CopyMethod::kBackup) {
      TemplateCopy by_template = CopyByTemplate(target, url, driver_options, request.reconnect);
      if (by_template.copy) {
        scratch_ = std::move(by_template.copy);
        result.copy_method = "template";
        return;
      }
      if (request.copy == CopyMethod::kTemplate) {
        const std::string message = fmt::format(
            "rehearse --copy template: {}; close them, or let rehearse copy by backup "
            "(--copy auto)",
            by_template.why_not);
        if (by_template.target_in_use) throw LockTimeout(message);
        throw UsageError(message);
      }
      result.copy_note = by_template.why_not;
    }
    result.copy_method = "backup";
    scratch_ = CreateScratchDatabase(*target, url, driver_options, "rehearse");
    folder_.emplace("rehearse");
    backup::BackupRequest backup;
    backup.out_dir = folder_->path();
    backup.url = url.raw();
    backup.history_table = request.history_table;
    backup.tool_version = kToolVersion;
    const backup::BackupResult taken = backup::TakeBackup(*target, source, backup);

    const std::string name =
        scratch_->driver().Query("SELECT current_database()").at(0).at(0).value_or("");
    backup::RestoreRequest restore;
    restore.from = taken.folder;
    restore.url = url.WithDatabase(name).raw();
    RunOptions run = options;
    run.before_commit = nullptr;
    DiscardingSink quiet;
    RestoreBackup(scratch_->driver(), source, restore, run, quiet);
    std::filesystem::remove_all(taken.folder);  // the data is in the copy now
  }
  Driver& driver() override { return scratch_->driver(); }

 private:
  std::optional<ScratchFolder> folder_;  // the backup, by backup only
  std::unique_ptr<ScratchDatabase> scratch_;
};

// PostgreSQL's table lock modes, weakest first.
constexpr std::array<std::string_view, 8> kLockModes = {
    "AccessShareLock", "RowShareLock",          "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock",       "ShareRowExclusiveLock", "ExclusiveLock",    "AccessExclusiveLock"};

// PostgreSQL: the relation locks the migration's transaction holds just
// before it commits, the strongest per relation (the one that decides whom
// it blocks), leaving out the catalogs and the history table.
std::vector<HeldLock> HeldRelationLocks(Driver& driver, const std::string& history_table) {
  std::map<std::string, std::pair<int, std::string>> strongest;
  for (const auto& row : driver.Query(
           "SELECT n.nspname || '.' || c.relname, l.mode FROM pg_locks l "
           "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
           "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
           "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relname <> $1",
           {history_table})) {
    const std::string mode = row.at(1).value_or("");
    const int rank = static_cast<int>(std::find(kLockModes.begin(), kLockModes.end(), mode) -
                                      kLockModes.begin());
    auto& held = strongest[row.at(0).value_or("")];
    if (held.second.empty() || rank > held.first) held = {rank, mode};
  }
  std::vector<HeldLock> locks;
  locks.reserve(strongest.size());
  for (const auto& [relation, held] : strongest) locks.push_back({relation, held.second});
  return locks;
}

}  // namespace

RehearsalResult Rehearse(std::unique_ptr<Driver>& target, const RehearseRequest& request,
                         const MigrationSet& source, const RunOptions& options, EventSink& sink) {
  const Dialect dialect = target->dialect();
  if (dialect == Dialect::kMysql) {
    throw UsageError(fmt::format(
        "rehearse: {} targets cannot be rehearsed by this version of dbshift yet (SQLite and "
        "PostgreSQL only)",
        DialectName(dialect)));
  }
  if (dialect == Dialect::kSqlite && request.copy == CopyMethod::kTemplate) {
    throw UsageError(
        "rehearse --copy template: SQLite has no template databases; its copy is made with the "
        "online backup API");
  }
  const std::string& history_table = request.history_table;
  RehearsalResult result;
  {
    // Nothing to rehearse: no copy (on PostgreSQL a copy can be a whole backup).
    const PlanOptions plan_options{options.allow_out_of_order};
    const Plan plan = ReadPlan(*target, source, plan_options);
    ThrowIfProblems(plan, "rehearse");
    if (SelectUp(plan, options.target).empty()) {
      if (plan.current_version) result.target_version = plan.current_version->text();
      return result;
    }
  }
  std::unique_ptr<RehearsalCopy> rehearsal;
  if (dialect == Dialect::kSqlite) {
    DriverOptions driver_options;
    driver_options.history_table = history_table;
    rehearsal = std::make_unique<SqliteCopy>(Url::Parse(request.target_url), driver_options);
    result.copy_method = "backup api";
  } else {
    rehearsal = std::make_unique<PostgresCopy>(target, request, source, options, result);
  }
  Driver* const copy = &rehearsal->driver();

  const Plan before = ReadPlan(*copy, source, PlanOptions{options.allow_out_of_order});
  if (before.current_version) result.target_version = before.current_version->text();
  const schema::Snapshot schema_before = schema::ReadSchema(*copy, history_table);

  RunOptions up = options;
  up.dry_run = false;
  up.backup_before_apply = nullptr;
  if (copy->dialect() == Dialect::kPostgres) {
    up.before_commit = [&](Driver& driver, const Migration& migration) {
      result.locks[migration.script] = HeldRelationLocks(driver, history_table);
    };
  }
  RunResult applied = Executor(*copy, source, sink, up).Up();
  up.before_commit = nullptr;  // the locks reported are those of the first up
  result.applied = applied.applied;
  if (applied.failure) {
    result.failure = applied.failure;
    return result;
  }
  const schema::Snapshot schema_after = schema::ReadSchema(*copy, history_table);

  // From the newest rehearsed migration down, while each has an undo script.
  int with_undo = 0;
  int versioned = 0;
  bool counting = true;
  for (auto it = result.applied.rbegin(); it != result.applied.rend(); ++it) {
    if (it->kind != MigrationKind::kVersioned) continue;
    ++versioned;
    const std::optional<Version> version = Version::Parse(it->version);
    counting = counting && version && source.FindUndo(*version) != nullptr;
    if (counting) ++with_undo;
  }
  if (with_undo == 0) return result;

  RunOptions down = up;
  down.command = "rehearse";
  down.target = Target{.count = with_undo};
  const Plan applied_plan = ReadPlan(*copy, source, PlanOptions{true});
  for (const PlanEntry* entry : SelectDown(applied_plan, source, down.target)) {
    result.round_trip.push_back(entry->version->text());
  }
  RunResult undone = Executor(*copy, source, sink, down).Down(result.round_trip);
  if (undone.failure) {
    result.failure = undone.failure;
    return result;
  }
  if (with_undo == versioned && result.applied.size() == static_cast<std::size_t>(versioned)) {
    Compare(schema_before, schema::ReadSchema(*copy, history_table), "after undo",
            result.schema_differences);
  }
  RunResult redone = Executor(*copy, source, sink, up).Up();
  if (redone.failure) {
    result.failure = redone.failure;
    return result;
  }
  Compare(schema_after, schema::ReadSchema(*copy, history_table), "after undo and redo",
          result.schema_differences);
  return result;
}

}  // namespace dbshift
