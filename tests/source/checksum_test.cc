#include "dbshift/source/checksum.h"

#include <string>

#include <gtest/gtest.h>

namespace dbshift {
namespace {

struct ChecksumCase {
  std::string script;
  std::string checksum;
};

// FIPS 180-2 test vectors, and sha256sum of "a\nb\nc" (CRLF is folded before hashing).
const ChecksumCase kChecksumCases[] = {
    {"", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"a\nb\nc", "sha256:ea7fb08b7a2dc4619ffb7c7bb38d95a2047935fa165d71b12efd3852a2e6d0cc"},
    {"a\r\nb\r\nc", "sha256:ea7fb08b7a2dc4619ffb7c7bb38d95a2047935fa165d71b12efd3852a2e6d0cc"},
};

TEST(ScriptChecksumTest, KnownVectors) {
  for (const ChecksumCase& c : kChecksumCases) {
    SCOPED_TRACE(c.script);
    EXPECT_EQ(ScriptChecksum(c.script), c.checksum);
  }
}

struct SameCase {
  std::string a;
  std::string b;
};

const SameCase kSameCases[] = {
    {"SELECT 1;\r\nSELECT 2;\r\n", "SELECT 1;\nSELECT 2;\n"},
    {"\r\n", "\n"},
    {"a\r\n\r\nb", "a\n\nb"},
    {"abc\r\n", "abc\n"},
};

TEST(ScriptChecksumTest, CrlfAndLfAgree) {
  for (const SameCase& c : kSameCases) {
    SCOPED_TRACE(c.b);
    EXPECT_EQ(ScriptChecksum(c.a), ScriptChecksum(c.b));
  }
}

struct DifferentCase {
  std::string a;
  std::string b;
};

const DifferentCase kDifferentCases[] = {
    {"SELECT 1;", "SELECT 2;"},   // one character edited
    {"SELECT 1;", "SELECT 1; "},  // one character added
    {"SELECT 1;", "select 1;"},   // case matters
    {"a\rb", "a\nb"},             // a lone CR is not a line ending
    {"a\n\rb", "a\nb"},           // LF CR is not CRLF
    {"a\r\n", "a"},               // the line ending is not dropped
};

TEST(ScriptChecksumTest, EditsChangeIt) {
  for (const DifferentCase& c : kDifferentCases) {
    SCOPED_TRACE(c.a);
    EXPECT_NE(ScriptChecksum(c.a), ScriptChecksum(c.b));
  }
}

TEST(ScriptChecksumTest, CrlfFoldsToTheSameAsLf) {
  EXPECT_EQ(ScriptChecksum("abc\r\n"),
            "sha256:edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
}

}  // namespace
}  // namespace dbshift

namespace dbshift {
namespace {

// Values computed apart, with zlib's crc32 over the lines without endings.
TEST(FlywayChecksumTest, CrcOfTheLinesWithoutTheirEndings) {
  EXPECT_EQ(FlywayChecksum("CREATE TABLE a (id INTEGER);\n"), -59897099);
  EXPECT_EQ(FlywayChecksum("CREATE TABLE a (id INTEGER);"), -59897099);
  EXPECT_EQ(FlywayChecksum("CREATE TABLE a (id INTEGER);\r\n"), -59897099);
  EXPECT_EQ(FlywayChecksum("\xEF\xBB\xBF"
                           "CREATE TABLE a (id INTEGER);\n"),
            -59897099);
  EXPECT_EQ(FlywayChecksum("CREATE TABLE c (id INTEGER);\n"), 1424538468);
  // Lines are joined without separators: "a\nb" and "ab" agree, as in Flyway.
  EXPECT_EQ(FlywayChecksum("a\nb\n"), FlywayChecksum("ab"));
  EXPECT_EQ(FlywayChecksum("a\rb"), FlywayChecksum("a\r\nb"));
  EXPECT_EQ(FlywayChecksum(""), 0);
}

TEST(ChecksumMatchesTest, ByTheAlgorithmOfTheRecordedValue) {
  const std::string sql = "CREATE TABLE a (id INTEGER);\n";
  const std::string sha = ScriptChecksum(sql);
  EXPECT_TRUE(ChecksumMatches(sha, sql, sha));
  EXPECT_FALSE(ChecksumMatches("sha256:00", sql, sha));
  EXPECT_TRUE(ChecksumMatches("crc32:-59897099", sql, sha));
  EXPECT_FALSE(ChecksumMatches("crc32:1", sql, sha));
  EXPECT_TRUE(ChecksumMatches("", sql, sha)) << "nothing recorded, nothing to compare";
}

}  // namespace
}  // namespace dbshift
