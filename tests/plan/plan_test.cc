#include "dbshift/plan/plan.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plan/plan_fixtures.h"

namespace dbshift {
namespace {

using testing::Applied;
using testing::Failed;
using testing::Repeatable;
using testing::Row;
using testing::Set;
using testing::Sum;
using testing::Summary;
using testing::Undo;
using testing::Versioned;

constexpr HistoryKind kUndoRow = HistoryKind::kUndo;
constexpr HistoryKind kBaselineRow = HistoryKind::kBaseline;
constexpr HistoryKind kRepeatableRow = HistoryKind::kRepeatable;

const std::string kRepair = "; fix the database by hand, then run dbshift repair";
const std::string kResumeOrRepair =
    "; fix the cause and run dbshift up --resume to continue from the failing statement, or undo "
    "its applied statements by hand and run dbshift repair";

struct PlanCase {
  std::string name = {};
  MigrationSet source = {};
  std::vector<HistoryRow> history = {};
  bool allow_out_of_order = false;
  std::string summary = {};                // testing::Summary of the plan
  std::string current = {};                // empty: no current version
  std::string baseline = {};               // empty: no baseline
  std::string problems = {};               // keys of Problems(), in order
  std::vector<std::string> messages = {};  // "<key>: <message>" for every entry with a message
};

std::string Key(const PlanEntry& entry) {
  return entry.version ? entry.version->text() : std::string(entry.description);
}

std::vector<PlanCase> Cases() {
  return {
      {.name = "empty source and history"},
      {.name = "nothing applied",
       .source = Set({.versioned = {Versioned("1", "init"), Versioned("2", "users")}}),
       .summary = "1=pending 2=pending"},
      {.name = "applied then pending",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b")},
       .summary = "1=applied 2=applied 3=pending",
       .current = "2"},
      {.name = "dotted versions sort numerically",
       .source =
           Set({.versioned = {Versioned("1.10", "a"), Versioned("2", "b"), Versioned("1.2.1", "c"),
                              Versioned("1.9", "d"), Versioned("1.2", "e")}}),
       .history = {Applied(1, "1.9", "d")},
       .summary = "1.2=out_of_order 1.2.1=out_of_order 1.9=applied 1.10=pending 2=pending",
       .current = "1.9",
       .problems = "1.2 1.2.1",
       .messages = {"1.2: version 1.2 is lower than the current version 1.9 and not applied; "
                    "apply it with --allow-out-of-order",
                    "1.2.1: version 1.2.1 is lower than the current version 1.9 and not applied; "
                    "apply it with --allow-out-of-order"}},
      {.name = "history spelling 1.0 matches file 1",
       .source = Set({.versioned = {Versioned("1", "a")}}),
       .history = {Applied(1, "1.0", "a")},
       .summary = "1=applied",
       .current = "1.0"},
      {.name = "changed checksum",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("2", "add_email", "9f8e7d6c5b4a3")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "add_email", "1a2b3c4d5e6f7")},
       .summary = "1=applied 2=changed",
       .current = "2",
       .problems = "2",
       .messages = {"2: V2__add_email.sql was changed after it was applied (sha256:1a2b3c4d5e6f.. "
                    "applied, sha256:9f8e7d6c5b4a.. on disk)"}},
      {.name = "missing file",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Applied(3, "3", "x")},
       .summary = "1=applied 2=applied 3=missing",
       .current = "3",
       .problems = "3",
       .messages = {"3: version 3 was applied (V3__x.sql) but its file is gone"}},
      {.name = "missing and changed together",
       .source = Set({.versioned = {Versioned("1", "a", "bb"), Versioned("3", "c")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Applied(3, "3", "c")},
       .summary = "1=changed 2=missing 3=applied",
       .current = "3",
       .problems = "1 2",
       .messages = {"1: V1__a.sql was changed after it was applied (sha256:aaaaaaaaaaaa.. applied, "
                    "sha256:bbbbbbbbbbbb.. on disk)",
                    "2: version 2 was applied (V2__b.sql) but its file is gone"}},
      {.name = "failed after an older one applied",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c")}}),
       .history = {Applied(1, "1", "a"),
                   Failed(Applied(2, "2", "b"), 2, 5, "relation \"t\" already exists")},
       .summary = "1=applied 2=failed 3=pending",
       .current = "1",
       .problems = "2",
       .messages = {"2: version 2 (V2__b.sql) failed after 2 of 5 statements: relation \"t\" "
                    "already exists" +
                    kRepair}},
      {.name = "failed without counts or error text, file gone",
       .history = {Failed(Applied(1, "1", "a"), 0, 0, "")},
       .summary = "1=failed",
       .problems = "1",
       .messages = {"1: version 1 (V1__a.sql) failed" + kRepair}},
      {.name = "undone then applied again",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Row(3, kUndoRow, "2", "b"),
                   Applied(4, "2", "b")},
       .summary = "1=applied 2=applied",
       .current = "2"},
      {.name = "undone is pending again",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Row(3, kUndoRow, "2", "b")},
       .summary = "1=applied 2=pending",
       .current = "1"},
      {.name = "undone below an applied version is out of order",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Applied(3, "3", "c"),
                   Row(4, kUndoRow, "2", "b")},
       .summary = "1=applied 2=out_of_order 3=applied",
       .current = "3",
       .problems = "2",
       .messages = {"2: version 2 is lower than the current version 3 and not applied; apply it "
                    "with --allow-out-of-order"}},
      {.name = "undone and its file removed",
       .source = Set({.versioned = {Versioned("1", "a")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"), Row(3, kUndoRow, "2", "b")},
       .summary = "1=applied 2=ignored",
       .current = "1",
       .messages = {"2: version 2 was undone and its file is gone"}},
      {.name = "failed undo",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "b"),
                   Failed(Row(3, kUndoRow, "2", "b"), 1, 2, "lock timeout")},
       .summary = "1=applied 2=failed",
       .current = "1",
       .problems = "2",
       .messages =
           {"2: undo of version 2 (U2__b.sql) failed after 1 of 2 statements: lock timeout" +
            kRepair}},
      {.name = "out of order not allowed",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("1.5", "b"), Versioned("2", "c")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "c")},
       .summary = "1=applied 1.5=out_of_order 2=applied",
       .current = "2",
       .problems = "1.5",
       .messages = {"1.5: version 1.5 is lower than the current version 2 and not applied; apply "
                    "it with --allow-out-of-order"}},
      {.name = "out of order allowed",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("1.5", "b"), Versioned("2", "c")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "2", "c")},
       .allow_out_of_order = true,
       .summary = "1=applied 1.5=out_of_order 2=applied",
       .current = "2",
       .messages = {"1.5: version 1.5 is lower than the current version 2; it runs out of order"}},
      {.name = "baseline: lower files ignored, higher pending",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c"),
                                    Versioned("4", "d")}}),
       .history = {Row(1, kBaselineRow, "3", "baseline")},
       .summary = "1=ignored 2=ignored 3=baseline 4=pending",
       .current = "3",
       .baseline = "3",
       .messages = {"1: version 1 is at or below the baseline version 3; skipped",
                    "2: version 2 is at or below the baseline version 3; skipped",
                    "3: the database was baselined at version 3"}},
      {.name = "baseline without a file at its version, then applied above it",
       .source =
           Set({.versioned = {Versioned("1", "a"), Versioned("4", "d"), Versioned("5", "e")}}),
       .history = {Row(1, kBaselineRow, "3", "baseline"), Applied(2, "4", "d")},
       .summary = "1=ignored 3=baseline 4=applied 5=pending",
       .current = "4",
       .baseline = "3",
       .messages = {"1: version 1 is at or below the baseline version 3; skipped",
                    "3: the database was baselined at version 3"}},
      {.name = "rank order decides, not the order of the rows",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Row(3, kUndoRow, "2", "b"), Applied(1, "2", "b"), Applied(2, "1", "a")},
       .summary = "1=applied 2=pending",
       .current = "1"},
      {.name = "applied out of order earlier shows in version order",
       .source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}}),
       .history = {Applied(1, "2", "b"), Applied(2, "1", "a")},
       .summary = "1=applied 2=applied",
       .current = "2"},
      {.name = "unparseable history version",
       .source = Set({.versioned = {Versioned("1", "a")}, .repeatable = {Repeatable("views")}}),
       .history = {Applied(1, "1", "a"), Applied(2, "1.x", "bad"), Applied(3, "", "empty")},
       .summary = "1=applied bad=missing empty=missing views=pending",
       .current = "1",
       .problems = "bad empty",
       .messages =
           {"bad: history row 2 (V1.x__bad.sql) has version \"1.x\", which is not a "
            "version",
            "empty: history row 3 (V__empty.sql) has version \"\", which is not a version"}},
      {.name = "repeatables: new, unchanged, changed, failed, removed",
       .source = Set({.versioned = {Versioned("1", "a")},
                      .repeatable = {Repeatable("views"), Repeatable("funcs"),
                                     Repeatable("grants", "bb"), Repeatable("triggers")}}),
       .history = {Applied(1, "1", "a"), Row(2, kRepeatableRow, "", "funcs"),
                   Row(3, kRepeatableRow, "", "grants"),
                   Failed(Row(4, kRepeatableRow, "", "triggers"), 0, 3, "syntax error"),
                   Row(5, kRepeatableRow, "", "old")},
       .summary = "1=applied funcs=applied grants=pending old=ignored triggers=failed "
                  "views=pending",
       .current = "1",
       .problems = "triggers",
       .messages = {"grants: changed since last run", "old: file removed",
                    "triggers: R__triggers.sql failed after 0 of 3 statements: syntax error" +
                        kResumeOrRepair}},
      {.name = "repeatables: the last run counts",
       .source = Set({.repeatable = {Repeatable("a", "bb"), Repeatable("b"), Repeatable("c")}}),
       .history = {Row(1, kRepeatableRow, "", "a", "aa"), Row(2, kRepeatableRow, "", "a", "bb"),
                   Failed(Row(3, kRepeatableRow, "", "b"), 0, 1, "e"),
                   Row(4, kRepeatableRow, "", "b"), Row(5, kRepeatableRow, "", "c"),
                   Failed(Row(6, kRepeatableRow, "", "c"), 1, 1, "e")},
       .summary = "a=applied b=applied c=failed",
       .problems = "c",
       .messages = {"c: R__c.sql failed after 1 of 1 statements: e" + kRepair}},
      {.name = "failed repeatable stays failed when its file is removed",
       .history = {Failed(Row(1, kRepeatableRow, "", "gone"), 0, 1, "e")},
       .summary = "gone=failed",
       .problems = "gone",
       .messages = {"gone: R__gone.sql failed after 0 of 1 statements: e" + kRepair}},
  };
}

TEST(PlanTest, States) {
  for (const PlanCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    const Plan plan = BuildPlan(c.source, c.history, {.allow_out_of_order = c.allow_out_of_order});
    EXPECT_EQ(Summary(plan), c.summary);
    EXPECT_EQ(plan.current_version ? plan.current_version->text() : "", c.current);
    EXPECT_EQ(plan.baseline_version ? plan.baseline_version->text() : "", c.baseline);
    EXPECT_EQ(plan.allow_out_of_order, c.allow_out_of_order);
    std::string problems;
    for (const PlanEntry* entry : plan.Problems()) {
      problems += (problems.empty() ? "" : " ") + Key(*entry);
    }
    EXPECT_EQ(problems, c.problems);
    std::vector<std::string> messages;
    for (const PlanEntry& entry : plan.entries) {
      if (!entry.message.empty()) messages.push_back(Key(entry) + ": " + entry.message);
    }
    EXPECT_EQ(messages, c.messages);
  }
}

TEST(PlanTest, EntryFieldsComeFromFileElseHistory) {
  const MigrationSet source = Set({.versioned = {Versioned("1", "init"), Versioned("3", "later")},
                                   .undo = {Undo("1", "init")},
                                   .repeatable = {Repeatable("views", "cc")}});
  HistoryRow renamed = Applied(1, "1", "old_name");
  const std::vector<HistoryRow> history = {renamed, Applied(2, "2", "gone", "dd"),
                                           Row(3, kRepeatableRow, "", "views", "cc")};
  const Plan plan = BuildPlan(source, history, {});
  ASSERT_EQ(Summary(plan), "1=applied 2=missing 3=pending views=applied");

  const PlanEntry& applied = plan.entries[0];
  EXPECT_EQ(applied.kind, MigrationKind::kVersioned);
  EXPECT_EQ(applied.description, "init");
  EXPECT_EQ(applied.script, "V1__init.sql");
  EXPECT_EQ(applied.checksum, Sum("aa"));
  EXPECT_EQ(applied.migration, &source.versioned[0]);
  ASSERT_TRUE(applied.applied != nullptr);
  EXPECT_EQ(applied.applied->installed_rank, 1);
  EXPECT_EQ(applied.applied->description, "old_name");
  EXPECT_EQ(applied.message, "");

  const PlanEntry& missing = plan.entries[1];
  EXPECT_EQ(missing.kind, MigrationKind::kVersioned);
  EXPECT_EQ(missing.description, "gone");
  EXPECT_EQ(missing.script, "V2__gone.sql");
  EXPECT_EQ(missing.checksum, Sum("dd"));
  EXPECT_EQ(missing.migration, nullptr);
  ASSERT_TRUE(missing.applied != nullptr);
  EXPECT_EQ(missing.applied->installed_rank, 2);

  const PlanEntry& pending = plan.entries[2];
  EXPECT_EQ(pending.migration, &source.versioned[1]);
  EXPECT_EQ(pending.applied, nullptr);
  EXPECT_EQ(pending.message, "");

  const PlanEntry& repeatable = plan.entries[3];
  EXPECT_EQ(repeatable.kind, MigrationKind::kRepeatable);
  EXPECT_FALSE(repeatable.version.has_value());
  EXPECT_EQ(repeatable.script, "R__views.sql");
  EXPECT_EQ(repeatable.checksum, Sum("cc"));
  EXPECT_EQ(repeatable.migration, &source.repeatable[0]);
  ASSERT_TRUE(repeatable.applied != nullptr);
  EXPECT_EQ(repeatable.applied->installed_rank, 3);
}

TEST(PlanTest, EffectiveRowIsTheLastOneOfItsVersion) {
  const MigrationSet source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b")}});
  const std::vector<HistoryRow> history = {Applied(1, "1", "a"), Applied(2, "2", "b"),
                                           Row(3, kUndoRow, "2", "b")};
  const Plan plan = BuildPlan(source, history, {});
  ASSERT_EQ(Summary(plan), "1=applied 2=pending");
  ASSERT_TRUE(plan.entries[1].applied != nullptr);
  EXPECT_EQ(plan.entries[1].applied->kind, HistoryKind::kUndo);
  EXPECT_EQ(plan.entries[1].applied->installed_rank, 3);
}

// Entries view their history row (and, without a file, its strings) in the
// plan's own copy of the history: moving the plan, as every caller returns
// it, must not leave them pointing at rows that are gone.
TEST(PlanTest, EntriesPointIntoTheRowsThePlanKeepsWhereverItMoves) {
  const MigrationSet source = Set({.versioned = {Versioned("1", "init")}});
  std::vector<Plan> plans;
  plans.push_back(
      BuildPlan(source, {Applied(1, "1", "init"), Applied(2, "2", "a_file_long_gone_by_now")}, {}));
  plans.emplace_back();  // grows the vector: the first plan moves again
  plans.emplace_back();
  const Plan& plan = plans.front();
  ASSERT_EQ(Summary(plan), "1=applied 2=missing");
  ASSERT_EQ(plan.history.size(), 2U);
  EXPECT_EQ(plan.entries[0].applied, &plan.history[0]);
  EXPECT_EQ(plan.entries[1].applied, &plan.history[1]);
  EXPECT_EQ(plan.entries[1].script.data(), plan.history[1].script.data());
  EXPECT_EQ(plan.entries[1].script, "V2__a_file_long_gone_by_now.sql");
  EXPECT_EQ(plan.entries[1].description, "a_file_long_gone_by_now");
}

// Two files of one version (a caller that skipped the loader's check) share
// the version's row.
TEST(PlanTest, TwoFilesOfOneVersionBothSeeItsRow) {
  const MigrationSet source =
      Set({.versioned = {Versioned("1", "first", "aa"), Versioned("1", "second", "aa")}});
  const Plan plan = BuildPlan(source, {Applied(1, "1", "first")}, {});
  ASSERT_EQ(plan.entries.size(), 2U);
  EXPECT_EQ(plan.entries[0].applied, &plan.history[0]);
  EXPECT_EQ(plan.entries[1].applied, &plan.history[0]);
}

TEST(PlanTest, BaselineEntryKeepsItsFile) {
  const MigrationSet source = Set({.versioned = {Versioned("3", "c")}});
  const Plan plan = BuildPlan(source, {Row(1, kBaselineRow, "3", "baseline")}, {});
  ASSERT_EQ(Summary(plan), "3=baseline");
  EXPECT_EQ(plan.entries[0].migration, &source.versioned[0]);
  EXPECT_EQ(plan.entries[0].description, "c");
  ASSERT_TRUE(plan.entries[0].applied != nullptr);
  EXPECT_EQ(plan.entries[0].applied->kind, HistoryKind::kBaseline);
}

TEST(PlanTest, StateNames) {
  const std::pair<MigrationState, std::string> kNames[] = {
      {MigrationState::kApplied, "applied"},   {MigrationState::kPending, "pending"},
      {MigrationState::kFailed, "failed"},     {MigrationState::kMissing, "missing"},
      {MigrationState::kChanged, "changed"},   {MigrationState::kOutOfOrder, "out_of_order"},
      {MigrationState::kBaseline, "baseline"}, {MigrationState::kIgnored, "ignored"},
  };
  for (const auto& [state, name] : kNames) EXPECT_EQ(MigrationStateName(state), name);
}

}  // namespace
}  // namespace dbshift
