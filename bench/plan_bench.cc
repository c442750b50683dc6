// BuildPlan (and SelectUp, as `up` with nothing pending runs it) over N
// migrations that are all applied: the work of `status` and of a no-op `up`
// once the files are read and the history is fetched. Source and history are
// built in memory; no I/O.
//
//   build-bench/bench/plan_bench

#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "dbshift/common/history_row.h"
#include "dbshift/plan/plan.h"
#include "dbshift/source/checksum.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/version.h"

namespace dbshift {
namespace {

// N migrations V<i>__create_t_<i>.sql (the layout bench/peers/run.sh writes)
// and one successful history row for each, in installed_rank order.
struct Fixture {
  MigrationSet source;
  std::vector<HistoryRow> history;
};

Fixture MakeFixture(int count, int pending) {
  Fixture fixture;
  fixture.source.versioned.reserve(static_cast<std::size_t>(count));
  for (int i = 1; i <= count; ++i) {
    Migration migration;
    migration.kind = MigrationKind::kVersioned;
    migration.version = Version::Parse(std::to_string(i));
    migration.description = fmt::format("create t {:06}", i);
    migration.script = fmt::format("V{}__create_t_{:06}.sql", i, i);
    migration.file = "/tmp/migrations/" + migration.script;
    migration.sql = fmt::format(
        "CREATE TABLE t_{0:06} (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n"
        "  created_at timestamptz NOT NULL DEFAULT now()\n);\n"
        "CREATE INDEX t_{0:06}_name_idx ON t_{0:06} (name);\n"
        "ALTER TABLE t_{0:06} ADD COLUMN note text;\n",
        i);
    migration.checksum = ScriptChecksum(migration.sql);
    if (i <= count - pending) {
      HistoryRow row;
      row.installed_rank = i;
      row.version = migration.version->text();
      row.description = migration.description;
      row.kind = HistoryKind::kVersioned;
      row.script = migration.script;
      row.checksum = migration.checksum;
      row.success = true;
      row.statements_done = 3;
      row.statements_total = 3;
      row.applied_by = "postgres@bench-host";
      row.applied_at = "2026-11-21T00:00:00.000Z";
      row.execution_ms = 3;
      row.run_id = "01JD8Y3Z9QW5V6X7Y8Z9A0B1C2";
      row.tool_version = "0.1.0";
      fixture.history.push_back(std::move(row));
    }
    fixture.source.versioned.push_back(std::move(migration));
  }
  return fixture;
}

// BuildPlan on a fresh copy of the history; only BuildPlan is timed (the
// copy stands for the driver's read).
Plan TimedPlan(benchmark::State& state, const Fixture& fixture) {
  state.PauseTiming();
  std::vector<HistoryRow> history = fixture.history;
  state.ResumeTiming();
  return BuildPlan(fixture.source, std::move(history), PlanOptions{});
}

// All applied: what `status` and a no-op `up` compute.
void BM_BuildPlanAllApplied(benchmark::State& state) {
  const Fixture fixture = MakeFixture(static_cast<int>(state.range(0)), 0);
  for (auto _ : state) {
    Plan plan = TimedPlan(state, fixture);
    benchmark::DoNotOptimize(plan.entries.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// All applied, then SelectUp finds nothing: the no-op `up` path.
void BM_BuildPlanAndSelectUpNoop(benchmark::State& state) {
  const Fixture fixture = MakeFixture(static_cast<int>(state.range(0)), 0);
  for (auto _ : state) {
    Plan plan = TimedPlan(state, fixture);
    std::vector<const PlanEntry*> selected = SelectUp(plan, Target{});
    if (!selected.empty() || !plan.Problems().empty()) state.SkipWithError("unexpected plan");
    benchmark::DoNotOptimize(selected.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Empty history, everything pending: the first `up` on a fresh database.
void BM_BuildPlanAllPending(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const Fixture fixture = MakeFixture(count, count);
  for (auto _ : state) {
    Plan plan = TimedPlan(state, fixture);
    benchmark::DoNotOptimize(plan.entries.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_BuildPlanAllApplied)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildPlanAndSelectUpNoop)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildPlanAllPending)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dbshift

BENCHMARK_MAIN();
