#include "dbshift/exec/drift.h"

#include <memory>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/exec/scratch_database.h"
#include "dbshift/plan/plan.h"

namespace dbshift {
namespace {

constexpr std::string_view kCommand = "drift";

// The migrations the target's history records as applied, as a source of
// their own: run into an empty database, exactly these run, in the order
// `up` gives them. Notes what the scratch cannot have.
MigrationSet AppliedMigrations(const Plan& plan, const MigrationSet& source,
                               std::vector<std::string>& notes) {
  MigrationSet applied;
  applied.layout = source.layout;
  for (const PlanEntry& entry : plan.entries) {
    if (entry.state == MigrationState::kApplied && entry.migration != nullptr) {
      (entry.kind == MigrationKind::kRepeatable ? applied.repeatable : applied.versioned)
          .push_back(*entry.migration);
    } else if (entry.kind == MigrationKind::kRepeatable && entry.applied && entry.migration) {
      notes.push_back(
          fmt::format("{} was edited since it last ran on the target and is not run on the scratch "
                      "database: what it creates shows as a difference until `up` runs it again",
                      entry.script));
    }
  }
  if (plan.baseline_version) {
    notes.push_back(fmt::format(
        "the target was baselined at version {}: objects from before the baseline come from no "
        "migration and show as differences",
        plan.baseline_version->text()));
  }
  return applied;
}

}  // namespace

DriftResult FindDrift(Driver& target, const Url& target_url, const MigrationSet& source,
                      const DriftOptions& options, EventSink& sink) {
  if (target.dialect() == Dialect::kMysql) {
    throw UsageError(fmt::format("{}: {} targets are not supported yet", kCommand,
                                 DialectName(target.dialect())));
  }
  DriftResult result;
  result.target = target.Target();
  const std::vector<HistoryRow> history = target.ReadHistory();
  // Pending versions below the current one never ran: not a problem here.
  const Plan plan = BuildPlan(source, history, PlanOptions{.allow_out_of_order = true});
  ThrowIfProblems(plan, kCommand);
  if (plan.current_version) result.version = plan.current_version->text();
  const MigrationSet applied = AppliedMigrations(plan, source, result.notes);

  // The live schema is read right after the history it is compared for;
  // an `up` in between would make them disagree.
  const schema::Snapshot live = schema::ReadSchema(target, options.history_table);
  if (target.ReadHistory() != history) {
    throw ValidationError(fmt::format(
        "{}: the target's history changed while its schema was read (another dbshift ran); "
        "run {} again",
        kCommand, kCommand));
  }

  DriverOptions scratch_options;
  scratch_options.history_table = options.history_table;
  scratch_options.schema = options.history_schema;
  const std::unique_ptr<ScratchDatabase> scratch =
      CreateScratchDatabase(target, target_url, scratch_options, kCommand);
  const RunResult built =
      Executor(scratch->driver(), applied, sink, ReplayRunOptions(options.run, kCommand)).Up();
  if (built.failure) {
    result.failure = built.failure;
  } else {
    result.differences =
        schema::CompareSchemas(schema::ReadSchema(scratch->driver(), options.history_table), live);
  }
  if (std::string note = scratch->Remove(); !note.empty()) result.notes.push_back(std::move(note));
  return result;
}

}  // namespace dbshift
