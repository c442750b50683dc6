#include "dbshift/common/text.h"

#include <gtest/gtest.h>

namespace dbshift {
namespace {

TEST(AsciiLower, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("Public.Users_2"), "public.users_2");
  // UTF-8 bytes above 0x7F stay as they are, whatever the locale.
  EXPECT_EQ(AsciiLower("ÄÖ_TABLE"), "ÄÖ_table");
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(ContainsIgnoringCase, MatchesAnyCaseOnEitherSide) {
  EXPECT_TRUE(ContainsIgnoringCase("COPY t FROM STDIN", "stdin"));
  EXPECT_TRUE(ContainsIgnoringCase("select * from dbshift_history", "DBSHIFT_History"));
  EXPECT_FALSE(ContainsIgnoringCase("COPY t FROM 'file'", "stdin"));
  EXPECT_FALSE(ContainsIgnoringCase("std", "stdin"));
  EXPECT_TRUE(ContainsIgnoringCase("anything", ""));
}

}  // namespace
}  // namespace dbshift
