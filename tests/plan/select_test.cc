#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/plan/plan.h"

#include "plan/plan_fixtures.h"

namespace dbshift {
namespace {

using testing::Applied;
using testing::Names;
using testing::Repeatable;
using testing::Row;
using testing::Set;
using testing::Summary;
using testing::Undo;
using testing::Versioned;

Target To(std::string_view version) { return {.to = Version::Parse(version)}; }
Target Count(int count) { return {.count = count}; }
Target ToAndCount(std::string_view version, int count) {
  Target target = To(version);
  target.count = count;
  return target;
}

// 1 and 2 applied, 1.5 out of order, 3 and 3.1 pending, one new and one
// unchanged repeatable; undo scripts for every version but 2.
MigrationSet Source() {
  return Set({.versioned = {Versioned("1", "a"), Versioned("1.5", "b"), Versioned("2", "c"),
                            Versioned("3", "d"), Versioned("3.1", "e")},
              .undo = {Undo("1", "a"), Undo("1.5", "b"), Undo("3", "d"), Undo("3.1", "e")},
              .repeatable = {Repeatable("views"), Repeatable("funcs")}});
}

std::vector<HistoryRow> History() {
  return {Applied(1, "1", "a"), Applied(2, "2", "c"),
          Row(3, HistoryKind::kRepeatable, "", "funcs")};
}

struct UpCase {
  std::string name = {};
  bool allow_out_of_order = false;
  Target target = {};
  std::string selected = {};
};

TEST(SelectUpTest, Selects) {
  const MigrationSet source = Source();
  const std::vector<HistoryRow> history = History();
  const UpCase cases[] = {
      {.name = "everything pending, then repeatables", .selected = "3 3.1 views"},
      {.name = "out of order allowed runs first in version order",
       .allow_out_of_order = true,
       .selected = "1.5 3 3.1 views"},
      {.name = "to includes its version, no repeatables", .target = To("3"), .selected = "3"},
      {.name = "to a spelling of the same version", .target = To("3.0"), .selected = "3"},
      {.name = "to an applied version selects nothing", .target = To("2"), .selected = ""},
      {.name = "to with out of order allowed",
       .allow_out_of_order = true,
       .target = To("3"),
       .selected = "1.5 3"},
      {.name = "count, no repeatables", .target = Count(1), .selected = "3"},
      {.name = "count larger than pending", .target = Count(10), .selected = "3 3.1"},
      {.name = "to and count together",
       .allow_out_of_order = true,
       .target = ToAndCount("3.1", 2),
       .selected = "1.5 3"},
  };
  for (const UpCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Plan plan = BuildPlan(source, history, {.allow_out_of_order = c.allow_out_of_order});
    ASSERT_EQ(Summary(plan),
              "1=applied 1.5=out_of_order 2=applied 3=pending 3.1=pending funcs=applied "
              "views=pending");
    EXPECT_EQ(Names(SelectUp(plan, c.target)), c.selected);
  }
}

TEST(SelectUpTest, ChangedRepeatableRunsAgain) {
  const MigrationSet source = Set({.repeatable = {Repeatable("views", "bb")}});
  const Plan plan = BuildPlan(source, {Row(1, HistoryKind::kRepeatable, "", "views")}, {});
  EXPECT_EQ(Names(SelectUp(plan, {})), "views");
}

TEST(SelectUpTest, ResumeSelectsAFailedMigrationFirstAndStopsCountingItAsAProblem) {
  const MigrationSet source =
      Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c")},
           .undo = {Undo("2", "b")}});
  const std::vector<HistoryRow> history = {Applied(1, "1", "a"),
                                           testing::Failed(Applied(2, "2", "b"), 1, 3, "boom")};

  const Plan plain = BuildPlan(source, history, {});
  EXPECT_EQ(Names(plain.Problems()), "2");
  EXPECT_EQ(Names(SelectUp(plain, {})), "3");

  const Plan resuming = BuildPlan(source, history, {.resume_failed = true});
  EXPECT_TRUE(resuming.Problems().empty());
  EXPECT_EQ(Names(SelectUp(resuming, {})), "2 3");
  EXPECT_EQ(Names(SelectUp(resuming, Count(1))), "2");

  // A failed undo is not resumed by up; nor is a failed run whose file is gone.
  const Plan failed_undo =
      BuildPlan(source,
                {Applied(1, "1", "a"), Applied(2, "2", "b"),
                 testing::Failed(Row(3, HistoryKind::kUndo, "2", "b"), 0, 1, "boom")},
                {.resume_failed = true});
  EXPECT_EQ(Names(failed_undo.Problems()), "2");
  const Plan file_gone =
      BuildPlan(Set({.versioned = {Versioned("1", "a")}}),
                {Applied(1, "1", "a"), testing::Failed(Applied(2, "2", "b"), 0, 1, "e")},
                {.resume_failed = true});
  EXPECT_EQ(Names(file_gone.Problems()), "2");
}

TEST(SelectUpTest, BadTargets) {
  const MigrationSet source = Source();
  const Plan plan = BuildPlan(source, History(), {});
  const std::pair<Target, std::string> cases[] = {
      {To("9"), "--to 9: no migration has version 9"},
      {To("1.4"), "--to 1.4: no migration has version 1.4"},
      {Count(0), "-n 0: the count must be at least 1"},
      {Count(-2), "-n -2: the count must be at least 1"},
  };
  for (const auto& [target, message] : cases) {
    SCOPED_TRACE(message);
    try {
      SelectUp(plan, target);
      ADD_FAILURE() << "no exception";
    } catch (const UsageError& error) {
      EXPECT_EQ(std::string(error.what()), message);
      EXPECT_EQ(error.code(), ExitCode::kUsage);
    }
  }
}

struct DownCase {
  std::string name = {};
  std::vector<HistoryRow> history = {};
  Target target = {};
  std::string selected = {};
};

TEST(SelectDownTest, Selects) {
  const MigrationSet source = Set(
      {.versioned = {Versioned("1", "a"), Versioned("1.5", "b"), Versioned("2", "c"),
                     Versioned("3", "d"), Versioned("4", "e")},
       .undo = {Undo("1", "a"), Undo("1.5", "b"), Undo("2", "c"), Undo("3", "d"), Undo("4", "e")}});
  const std::vector<HistoryRow> all = {Applied(1, "1", "a"), Applied(2, "2", "c"),
                                       Applied(3, "3", "d"), Applied(4, "1.5", "b")};
  const std::vector<HistoryRow> baselined = {Row(1, HistoryKind::kBaseline, "2", "baseline"),
                                             Applied(2, "3", "d"), Applied(3, "4", "e")};
  const DownCase cases[] = {
      {.name = "default: the newest one", .history = all, .selected = "3"},
      {.name = "count", .history = all, .target = Count(2), .selected = "3 2"},
      {.name = "count includes one applied out of order",
       .history = all,
       .target = Count(3),
       .selected = "3 2 1.5"},
      {.name = "count larger than applied",
       .history = all,
       .target = Count(9),
       .selected = "3 2 1.5 1"},
      {.name = "to keeps its version", .history = all, .target = To("1.5"), .selected = "3 2"},
      {.name = "to a pending version", .history = all, .target = To("4"), .selected = ""},
      {.name = "to and count together",
       .history = all,
       .target = ToAndCount("1", 2),
       .selected = "3 2"},
      {.name = "nothing applied", .history = {}, .selected = ""},
      {.name = "default stops at the baseline",
       .history = {Row(1, HistoryKind::kBaseline, "2", "baseline")},
       .selected = ""},
      {.name = "count stops at the baseline",
       .history = baselined,
       .target = Count(5),
       .selected = "4 3"},
      {.name = "to the baseline", .history = baselined, .target = To("2"), .selected = "4 3"},
  };
  for (const DownCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Plan plan = BuildPlan(source, c.history, {});
    EXPECT_EQ(Names(SelectDown(plan, source, c.target)), c.selected);
  }
}

TEST(SelectDownTest, SkipsStatesOtherThanApplied) {
  const MigrationSet source =
      Set({.versioned = {Versioned("1", "a"), Versioned("2", "b", "bb"), Versioned("3", "c")},
           .undo = {Undo("1", "a"), Undo("2", "b"), Undo("3", "c")}});
  const Plan plan =
      BuildPlan(source, {Applied(1, "1", "a"), Applied(2, "2", "b"), Applied(3, "4", "x")}, {});
  ASSERT_EQ(Summary(plan), "1=applied 2=changed 3=out_of_order 4=missing");
  EXPECT_EQ(Names(SelectDown(plan, source, {})), "1");
}

TEST(SelectDownTest, BadTargets) {
  const MigrationSet source =
      Set({.versioned = {Versioned("1", "a"), Versioned("3", "c")}, .undo = {Undo("3", "c")}});
  const Plan plan = BuildPlan(
      source, {Row(1, HistoryKind::kBaseline, "2", "baseline"), Applied(2, "3", "c")}, {});
  ASSERT_EQ(Summary(plan), "1=ignored 2=baseline 3=applied");
  const std::pair<Target, std::string> cases[] = {
      {To("9"), "--to 9: no migration has version 9"},
      {To("1"), "--to 1: below the baseline version 2; down stops there"},
      {Count(0), "-n 0: the count must be at least 1"},
  };
  for (const auto& [target, message] : cases) {
    SCOPED_TRACE(message);
    try {
      SelectDown(plan, source, target);
      ADD_FAILURE() << "no exception";
    } catch (const UsageError& error) {
      EXPECT_EQ(std::string(error.what()), message);
    }
  }
}

TEST(SelectDownTest, NamesEverySelectedVersionWithoutUndo) {
  const MigrationSet source = Set({.versioned = {Versioned("1", "a"), Versioned("2", "b"),
                                                 Versioned("3", "x"), Versioned("4", "d")},
                                   .undo = {Undo("2", "b"), Undo("4", "d")}});
  const Plan plan = BuildPlan(
      source,
      {Applied(1, "1", "a"), Applied(2, "2", "b"), Applied(3, "3", "x"), Applied(4, "4", "d")}, {});
  const std::pair<Target, std::string> cases[] = {
      {Count(4),
       "version 3 (V3__x.sql) has no undo script U3__*.sql; "
       "version 1 (V1__a.sql) has no undo script U1__*.sql"},
      {Count(2), "version 3 (V3__x.sql) has no undo script U3__*.sql"},
      {To("1"), "version 3 (V3__x.sql) has no undo script U3__*.sql"},
  };
  for (const auto& [target, message] : cases) {
    SCOPED_TRACE(message);
    try {
      SelectDown(plan, source, target);
      ADD_FAILURE() << "no exception";
    } catch (const ValidationError& error) {
      EXPECT_EQ(std::string(error.what()), message);
      EXPECT_EQ(error.code(), ExitCode::kValidation);
    }
  }
  // Only the selected versions need an undo script.
  EXPECT_EQ(Names(SelectDown(plan, source, {})), "4");
  EXPECT_EQ(Names(SelectDown(plan, source, To("3"))), "4");
}

}  // namespace
}  // namespace dbshift
