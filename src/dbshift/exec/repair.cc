#include "dbshift/exec/repair.h"

#include <algorithm>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/exec/migration_lock.h"
#include "dbshift/exec/script_runner.h"
#include "dbshift/exec/transaction.h"

namespace dbshift {
namespace {

std::string Label(const PlanEntry& entry) {
  return entry.version ? "version " + entry.version->text()
                       : fmt::format("repeatable {}", entry.script);
}

const HistoryRow* FindRank(const std::vector<HistoryRow>& history, int64_t rank) {
  for (const HistoryRow& row : history) {
    if (row.installed_rank == rank) return &row;
  }
  return nullptr;
}

}  // namespace

std::vector<RepairAction> PlanRepair(const Plan& plan, const std::vector<HistoryRow>& history) {
  std::vector<RepairAction> actions;
  for (const PlanEntry& entry : plan.entries) {
    if (!entry.applied) continue;
    RepairAction action;
    action.version = entry.version ? entry.version->text() : "";
    action.script = entry.script;
    switch (entry.state) {
      case MigrationState::kFailed:
        action.type = RepairAction::Type::kRemoveFailed;
        action.ranks = {entry.applied->installed_rank};
        action.script = entry.applied->script;  // the undo script, when an undo failed
        action.message =
            fmt::format("remove the failed entry of {} ({})", Label(entry), entry.applied->script);
        action.statements_applied = entry.applied->statements_done;
        if (action.statements_applied > 0) {
          action.message += fmt::format(
              ": {} of its {} statements had been applied and must be undone by hand first, "
              "because it will run again from its first statement",
              entry.applied->statements_done, entry.applied->statements_total);
        }
        break;
      case MigrationState::kChanged:
        action.type = RepairAction::Type::kRealignChecksum;
        action.ranks = {entry.applied->installed_rank};
        action.checksum = entry.checksum;
        action.description = entry.description;
        action.message = fmt::format("accept the edited {} ({}) as applied: store its new checksum",
                                     entry.script, Label(entry));
        break;
      case MigrationState::kMissing: {
        action.type = RepairAction::Type::kRemoveMissing;
        std::optional<Version> version = Version::Parse(action.version);
        for (const HistoryRow& row : history) {
          std::optional<Version> row_version = Version::Parse(row.version);
          bool same =
              version && row_version ? *version == *row_version : row.version == action.version;
          if (same && row.kind != HistoryKind::kBaseline)
            action.ranks.push_back(row.installed_rank);
        }
        action.message =
            fmt::format("forget {} ({}): its file is gone", Label(entry), entry.script);
        break;
      }
      default:
        continue;
    }
    actions.push_back(std::move(action));
  }
  return actions;
}

std::vector<RepairAction> RunRepair(Driver& driver, const MigrationSet& source, EventSink& sink,
                                    const RunOptions& options,
                                    const std::vector<RepairAction>& expected) {
  Event identity;
  identity.run_id = options.run_id;
  identity.command = "repair";
  Event started = MakeEvent(identity, Event::Type::kRunStarted);
  started.target = driver.Target();
  started.user = OsUser();
  started.host = HostName();
  sink.OnEvent(started);

  MigrationLock lock(driver, options.lock, sink);
  std::vector<HistoryRow> history = driver.ReadHistory();
  Plan plan = BuildPlan(source, history, PlanOptions{true});
  std::vector<RepairAction> actions = PlanRepair(plan, history);
  if (actions != expected) {
    throw ValidationError(
        "the migration history changed while waiting for confirmation; nothing was repaired. "
        "Run the command again.");
  }
  Transaction transaction(driver);
  for (const RepairAction& action : actions) {
    for (int64_t rank : action.ranks) {
      if (action.type == RepairAction::Type::kRealignChecksum) {
        HistoryRow row = *FindRank(history, rank);
        row.checksum = action.checksum;
        row.description = action.description;
        driver.UpdateHistory(row);
      } else {
        driver.DeleteHistory(rank);
      }
    }
    Event done = MakeEvent(identity, Event::Type::kMessage);
    done.version = action.version;
    done.script = action.script;
    done.message = action.message;
    sink.OnEvent(done);
  }
  transaction.Commit();

  Event finished = MakeEvent(identity, Event::Type::kRunFinished);
  finished.applied_count = static_cast<int>(actions.size());
  sink.OnEvent(finished);
  return actions;
}

}  // namespace dbshift
