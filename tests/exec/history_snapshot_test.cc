// The history read ahead of its plan: rows as they were at the read, and a
// failed read that surfaces only where the rows are taken.
#include "dbshift/exec/history_snapshot.h"

#include <memory>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;

HistoryRow Applied(const std::string& version) {
  HistoryRow row;
  row.version = version;
  row.description = "step " + version;
  row.script = "V" + version + "__step.sql";
  row.success = true;
  return row;
}

std::unique_ptr<Driver> DatabaseWithHistory() {
  std::unique_ptr<Driver> driver = OpenDriver(Url::Parse("sqlite::memory:"), {});
  driver->EnsureHistoryTable();
  HistoryRow first = Applied("1");
  driver->AppendHistory(first);
  return driver;
}

TEST(HistorySnapshotTest, HoldsTheRowsAsTheyWereWhenRead) {
  std::unique_ptr<Driver> driver = DatabaseWithHistory();
  HistorySnapshot snapshot = HistorySnapshot::Read(*driver);
  HistoryRow second = Applied("2");
  driver->AppendHistory(second);

  std::vector<HistoryRow> rows = std::move(snapshot).Take();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version, "1");
  EXPECT_EQ(driver->ReadHistory().size(), 2u);
}

TEST(HistorySnapshotTest, AFailedReadThrowsWhereTheRowsAreTakenNotWhereTheyWereRead) {
  std::unique_ptr<Driver> driver = DatabaseWithHistory();
  // A kind this dbshift does not know: ReadHistory refuses to guess.
  driver->Query("UPDATE dbshift_history SET kind = 'from-the-future'");

  HistorySnapshot snapshot;
  ASSERT_NO_THROW(snapshot = HistorySnapshot::Read(*driver));
  try {
    std::move(snapshot).Take();
    FAIL() << "Take() returned rows from a read that failed";
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("unknown kind 'from-the-future'"));
  }
}

TEST(HistorySnapshotTest, NoTableReadsAsNoRows) {
  std::unique_ptr<Driver> driver = OpenDriver(Url::Parse("sqlite::memory:"), {});
  EXPECT_TRUE(HistorySnapshot::Read(*driver).Take().empty());
}

}  // namespace
}  // namespace dbshift
