#include "dbshift/common/history_row.h"

#include <string>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

struct Case {
  HistoryKind kind;
  std::string name;
};

class HistoryKindTest : public ::testing::TestWithParam<Case> {};

TEST_P(HistoryKindTest, NameAndParseAreInverse) {
  EXPECT_EQ(std::string(HistoryKindName(GetParam().kind)), GetParam().name);
  EXPECT_EQ(ParseHistoryKind(GetParam().name), GetParam().kind);
}

INSTANTIATE_TEST_SUITE_P(Kinds, HistoryKindTest,
                         ::testing::Values(Case{HistoryKind::kVersioned, "versioned"},
                                           Case{HistoryKind::kUndo, "undo"},
                                           Case{HistoryKind::kRepeatable, "repeatable"},
                                           Case{HistoryKind::kBaseline, "baseline"}));

class ParseHistoryKindBadTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ParseHistoryKindBadTest, Unknown) { EXPECT_EQ(ParseHistoryKind(GetParam()), std::nullopt); }

INSTANTIATE_TEST_SUITE_P(Words, ParseHistoryKindBadTest,
                         ::testing::Values("", "Versioned", "VERSIONED", "version", "undo ",
                                           "migration", "unknown"));

}  // namespace
}  // namespace dbshift
