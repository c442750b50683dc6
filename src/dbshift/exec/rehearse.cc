#include "dbshift/exec/rehearse.h"

#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "dbshift/backup/sqlite_copy.h"
#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/plan/plan.h"

namespace dbshift {
namespace {

// A folder of its own under the system's temporary folder, removed with
// everything in it when the rehearsal ends, however it ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dbshift-rehearse-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(ExitCode::kMigrationFailed,
                  fmt::format("rehearse: cannot create a scratch folder in {}",
                              std::filesystem::temp_directory_path().string()));
    }
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// type:name -> CREATE statement of every schema object but the history table.
using Schema = std::map<std::string, std::string>;

Schema SchemaOf(Driver& driver, const std::string& history_table) {
  Schema schema;
  for (const auto& row :
       driver.Query(fmt::format("SELECT type, name, coalesce(sql, '') FROM sqlite_schema "
                                "WHERE {} AND tbl_name <> $1",
                                backup::kSqliteUserObjects),
                    {history_table})) {
    schema[row[0].value_or("") + " " + row[1].value_or("")] = row[2].value_or("");
  }
  return schema;
}

void Compare(const Schema& expected, const Schema& actual, const std::string& when,
             std::vector<std::string>& differences) {
  for (const auto& [name, sql] : expected) {
    const auto found = actual.find(name);
    if (found == actual.end()) {
      differences.push_back(fmt::format("{}: {} is gone", when, name));
    } else if (found->second != sql) {
      differences.push_back(
          fmt::format("{}: {} is now `{}`, was `{}`", when, name, found->second, sql));
    }
  }
  for (const auto& [name, sql] : actual) {
    if (!expected.contains(name)) differences.push_back(fmt::format("{}: {} is new", when, name));
  }
}

}  // namespace

RehearsalResult Rehearse(Driver& target, const std::string& target_url,
                         const std::string& history_table, const MigrationSet& source,
                         const RunOptions& options, EventSink& sink) {
  if (target.dialect() != Dialect::kSqlite) {
    throw UsageError(fmt::format(
        "rehearse: {} targets cannot be rehearsed by this version of dbshift yet (SQLite only)",
        DialectName(target.dialect())));
  }
  const Url url = Url::Parse(target_url);
  if (url.database().empty() || url.database() == ":memory:") {
    throw UsageError("rehearse: an in-memory SQLite database cannot be copied");
  }
  const ScratchFolder scratch;
  const std::filesystem::path copy_path = scratch.path() / "rehearsal.db";
  backup::CopySqliteDatabase(url.database(), copy_path, {});
  DriverOptions driver_options;
  driver_options.history_table = history_table;
  const std::unique_ptr<Driver> copy =
      OpenDriver(Url::Parse("sqlite:" + copy_path.string()), driver_options);

  RehearsalResult result;
  const Plan before = ReadPlan(*copy, source, PlanOptions{options.allow_out_of_order});
  if (before.current_version) result.target_version = before.current_version->text();
  const Schema schema_before = SchemaOf(*copy, history_table);

  RunOptions up = options;
  up.dry_run = false;
  up.backup_before_apply = nullptr;
  RunResult applied = Executor(*copy, source, sink, up).Up();
  result.applied = applied.applied;
  if (applied.failure) {
    result.failure = applied.failure;
    return result;
  }
  const Schema schema_after = SchemaOf(*copy, history_table);

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
    Compare(schema_before, SchemaOf(*copy, history_table), "after undo", result.schema_differences);
  }
  RunResult redone = Executor(*copy, source, sink, up).Up();
  if (redone.failure) {
    result.failure = redone.failure;
    return result;
  }
  Compare(schema_after, SchemaOf(*copy, history_table), "after undo and redo",
          result.schema_differences);
  return result;
}

}  // namespace dbshift
