// The text table of `dbshift status`: fixed columns, the version column as
// wide as the longest version, a timestamp only for rows applied and not
// undone, and the problems listed after the table.

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "dbshift/cli/render_text.h"

namespace dbshift::cli {
namespace {

PlanEntry Entry(MigrationState state, const char* version, const char* description,
                const HistoryRow* applied = nullptr) {
  PlanEntry entry;
  entry.state = state;
  if (version != nullptr) {
    entry.version = Version::Parse(version);
  } else {
    entry.kind = MigrationKind::kRepeatable;
  }
  entry.description = description;
  entry.applied = applied;
  return entry;
}

HistoryRow Row(bool success, HistoryKind kind, const char* applied_at) {
  HistoryRow row;
  row.success = success;
  row.kind = kind;
  row.applied_at = applied_at;
  return row;
}

TEST(StatusTextTest, ColumnsLineUpAndOnlyAppliedRowsShowWhen) {
  Plan plan;
  plan.current_version = Version::Parse("2");
  // The plan owns the rows its entries point at, as BuildPlan's does.
  plan.history = {Row(true, HistoryKind::kVersioned, "2026-11-22T10:00:00.000Z"),
                  Row(false, HistoryKind::kVersioned, "2026-11-22T10:00:01.000Z"),
                  Row(true, HistoryKind::kUndo, "2026-11-22T10:00:02.000Z"),
                  Row(true, HistoryKind::kRepeatable, "2026-11-22T10:00:03.000Z")};
  plan.entries.push_back(Entry(MigrationState::kApplied, "1", "create users", &plan.history[0]));
  plan.entries.push_back(Entry(MigrationState::kFailed, "2", "add index", &plan.history[1]));
  plan.entries.back().message = "V2__add_index.sql failed";
  plan.entries.push_back(Entry(MigrationState::kPending, "2026.11.22.1", "a long version"));
  plan.entries.push_back(Entry(MigrationState::kPending, "4", "undone once", &plan.history[2]));
  plan.entries.push_back(
      Entry(MigrationState::kApplied, nullptr, "views ünïcode", &plan.history[3]));
  EXPECT_EQ(StatusText(plan),
            "Current version: 2\n"
            "\n"
            "Version       State         Applied at                Description\n"
            "1             applied       2026-11-22T10:00:00.000Z  create users\n"
            "2             failed                                  add index\n"
            "2026.11.22.1  pending                                 a long version\n"
            "4             pending                                 undone once\n"
            "R             applied       2026-11-22T10:00:03.000Z  views ünïcode\n"
            "\n"
            "1 problem:\n"
            "  - V2__add_index.sql failed\n");
}

TEST(StatusTextTest, ShortVersionsKeepTheHeadersWidth) {
  Plan plan;
  plan.entries.push_back(Entry(MigrationState::kPending, "1", "first"));
  EXPECT_EQ(StatusText(plan),
            "Current version: none\n"
            "\n"
            "Version  State         Applied at                Description\n"
            "1        pending                                 first\n");
}

TEST(StatusTextTest, NoMigrations) {
  EXPECT_EQ(StatusText(Plan{}), "Current version: none\n\nNo migrations.\n");
}

}  // namespace
}  // namespace dbshift::cli
