// Table data files: what goes in comes out, in any piece sizes; the
// manifest's size and SHA-256 are those of the file on disk; a cut or
// damaged file fails loudly; an existing file is never overwritten.

#include "dbshift/backup/zstd_file.h"

#include <random>
#include <string>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"

#include "testing/temp_dir.h"

namespace dbshift::backup {
namespace {

using ::testing::HasSubstr;

// COPY-like rows: repetitive enough to compress, with random parts.
std::string SampleRows(std::size_t rows) {
  std::mt19937 random(42);
  std::string text;
  for (std::size_t i = 0; i < rows; ++i) {
    text += std::to_string(i) + "\tname-" + std::to_string(random() % 1000) + "\t\\N\t" +
            std::string(random() % 40, static_cast<char>('a' + random() % 26)) + "\n";
  }
  return text;
}

std::string ReadBack(const std::filesystem::path& path) {
  std::string data;
  ReadZstdFile(path, [&](std::string_view piece) { data.append(piece); });
  return data;
}

TEST(ZstdFile, RoundTripsRowsWrittenInPiecesOfAnySize) {
  const testing::ScopedTempDir dir;
  const std::string rows = SampleRows(50000);
  ZstdFileWriter writer(dir.path(), "t.copy.zst");
  std::size_t offset = 0;
  std::mt19937 random(7);
  while (offset < rows.size()) {
    // From single bytes to pieces larger than the writer's block.
    const std::size_t length = std::min(rows.size() - offset, std::size_t{random() % 400000});
    writer.Write(std::string_view(rows).substr(offset, length));
    offset += length;
  }
  EXPECT_EQ(writer.raw_bytes(), rows.size());
  const BackupFile file = writer.Finish();

  EXPECT_EQ(file.path, "t.copy.zst");
  const std::string bytes = testing::ReadFile(dir.path() / "t.copy.zst");
  EXPECT_EQ(file.bytes, bytes.size());
  EXPECT_EQ(file.sha256, Sha256Hex(bytes));
  EXPECT_LT(bytes.size(), rows.size() / 2);
  EXPECT_EQ(ReadBack(dir.path() / "t.copy.zst"), rows);

  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / "t.copy.zst").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0600U);
}

TEST(ZstdFile, EmptyTableIsAnEmptyFrame) {
  const testing::ScopedTempDir dir;
  ZstdFileWriter writer(dir.path(), "empty.zst");
  writer.Finish();
  EXPECT_EQ(ReadBack(dir.path() / "empty.zst"), "");
}

TEST(ZstdFile, CutFileIsAnError) {
  const testing::ScopedTempDir dir;
  ZstdFileWriter writer(dir.path(), "t.zst");
  writer.Write(SampleRows(20000));
  writer.Finish();
  const std::string bytes = testing::ReadFile(dir.path() / "t.zst");
  dir.Write("cut.zst", std::string_view(bytes).substr(0, bytes.size() - 100));
  try {
    ReadBack(dir.path() / "cut.zst");
    FAIL() << "a cut file read as whole";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cut.zst"));
  }
}

TEST(ZstdFile, DamagedFileIsAnError) {
  const testing::ScopedTempDir dir;
  ZstdFileWriter writer(dir.path(), "t.zst");
  writer.Write(SampleRows(20000));
  writer.Finish();
  std::string bytes = testing::ReadFile(dir.path() / "t.zst");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  dir.Write("bad.zst", bytes);
  EXPECT_THROW(ReadBack(dir.path() / "bad.zst"), Error);
}

TEST(ZstdFile, NeverOverwritesAFile) {
  const testing::ScopedTempDir dir;
  dir.Write("t.zst", "keep");
  EXPECT_THROW(ZstdFileWriter(dir.path(), "t.zst"), Error);
  EXPECT_EQ(testing::ReadFile(dir.path() / "t.zst"), "keep");
}

}  // namespace
}  // namespace dbshift::backup
