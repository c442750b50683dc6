// A backup folder is complete or plainly not: staged under a hidden name,
// published by rename, 0600/0700; verify catches a missing manifest
// checksum (an interrupted backup), any flipped byte, missing and extra
// files.

#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/backup/backup_folder.h"
#include "dbshift/backup/verify.h"
#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"

#include "testing/temp_dir.h"

namespace dbshift::backup {
namespace {

using ::testing::HasSubstr;

unsigned Mode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777U;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Writes a small complete backup: two data files and the manifest.
std::filesystem::path MakeBackup(const std::filesystem::path& parent) {
  StagingFolder folder(parent, "app-v3-now");
  folder.WriteFile("database.sqlite", std::string(5000, 'd') + "end");
  folder.WriteFile("schema.sql", "CREATE TABLE t (id int);\n");
  Manifest manifest;
  manifest.engine = "sqlite";
  manifest.schema_version = "3";
  manifest.files = {DescribeFile(folder.path(), "database.sqlite"),
                    DescribeFile(folder.path(), "schema.sql")};
  const std::string text = ManifestText(manifest);
  folder.WriteFile(kManifestName, text);
  folder.WriteFile(kManifestChecksumName, Sha256Hex(text) + "\n");
  return folder.Publish();
}

TEST(BackupFolderTest, PublishedFolderIsPrivateAndVerifies) {
  const testing::ScopedTempDir temp;
  const std::filesystem::path backup = MakeBackup(temp.path() / "backups");
  EXPECT_EQ(backup, temp.path() / "backups" / "app-v3-now");
  EXPECT_EQ(Mode(backup), 0700U);
  for (const char* file :
       {"database.sqlite", "schema.sql", "manifest.json", "manifest.json.sha256"}) {
    EXPECT_EQ(Mode(backup / file), 0600U) << file;
  }
  // Nothing left under a staging name.
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(temp.path() / "backups")) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1U);
  const VerifyResult result = VerifyBackup(backup);
  EXPECT_TRUE(result.ok()) << result.problems.front().file << ": "
                           << result.problems.front().message;
  ASSERT_TRUE(result.manifest.has_value());
  EXPECT_EQ(result.manifest->schema_version, "3");
}

TEST(BackupFolderTest, UnpublishedFolderIsRemoved) {
  const testing::ScopedTempDir temp;
  {
    StagingFolder folder(temp.path(), "never");
    folder.WriteFile("database.sqlite", "data");
  }  // an error before Publish
  EXPECT_TRUE(std::filesystem::is_empty(temp.path()));
}

TEST(BackupFolderTest, ExistingBackupIsNeverOverwritten) {
  const testing::ScopedTempDir temp;
  MakeBackup(temp.path());
  EXPECT_THROW(StagingFolder(temp.path(), "app-v3-now"), UsageError);
}

// A process killed in the middle leaves only the hidden staging folder,
// which does not verify as a backup.
TEST(BackupFolderTest, InterruptedBackupNeverLooksComplete) {
  const testing::ScopedTempDir temp;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StagingFolder folder(temp.path(), "app-v3-now");
    folder.WriteFile("database.sqlite", "half of the data");
    folder.WriteFile(kManifestName, "{}");
    ::_exit(0);  // no destructor, no Publish: as after kill -9
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(std::filesystem::exists(temp.path() / "app-v3-now"));
  std::filesystem::path staging;
  for (const auto& entry : std::filesystem::directory_iterator(temp.path())) staging = entry.path();
  ASSERT_FALSE(staging.empty());
  EXPECT_THAT(staging.filename().string(), HasSubstr(".app-v3-now.partial-"));
  const VerifyResult result = VerifyBackup(staging);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems.front().file, "manifest.json.sha256");
  EXPECT_THAT(result.problems.front().message, HasSubstr("did not finish"));
}

// Every byte of every file matters: flip each in turn (the data files at a
// few places, the manifest and its checksum everywhere).
TEST(BackupFolderTest, AnyFlippedByteIsCaught) {
  const testing::ScopedTempDir temp;
  const std::filesystem::path backup = MakeBackup(temp.path());
  for (const char* file :
       {"database.sqlite", "schema.sql", "manifest.json", "manifest.json.sha256"}) {
    const std::string original = ReadAll(backup / file);
    const bool small = original.size() < 1000;
    for (std::size_t at = 0; at < original.size(); at += small ? 1 : 997) {
      std::string flipped = original;
      flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
      WriteAll(backup / file, flipped);
      const VerifyResult result = VerifyBackup(backup);
      ASSERT_FALSE(result.ok()) << file << " byte " << at;
    }
    WriteAll(backup / file, original);
  }
  EXPECT_TRUE(VerifyBackup(backup).ok());
}

TEST(BackupFolderTest, MissingAndExtraFilesAreNamed) {
  const testing::ScopedTempDir temp;
  const std::filesystem::path backup = MakeBackup(temp.path());
  std::filesystem::remove(backup / "schema.sql");
  WriteAll(backup / "stray.txt", "?");
  const VerifyResult result = VerifyBackup(backup);
  ASSERT_EQ(result.problems.size(), 2U);
  EXPECT_EQ(result.problems[0].file, "schema.sql");
  EXPECT_EQ(result.problems[0].message, "missing");
  EXPECT_EQ(result.problems[1].file, "stray.txt");
  EXPECT_THAT(result.problems[1].message, HasSubstr("not listed"));
}

TEST(BackupFolderTest, ShorterFileIsReportedBySize) {
  const testing::ScopedTempDir temp;
  const std::filesystem::path backup = MakeBackup(temp.path());
  const std::string data = ReadAll(backup / "database.sqlite");
  WriteAll(backup / "database.sqlite", data.substr(0, data.size() - 1));
  const VerifyResult result = VerifyBackup(backup);
  ASSERT_EQ(result.problems.size(), 1U);
  EXPECT_THAT(result.problems[0].message, HasSubstr("5002 bytes, the manifest says 5003"));
}

TEST(BackupFolderTest, NotAFolderIsAUsageError) {
  const testing::ScopedTempDir temp;
  EXPECT_THROW(VerifyBackup(temp.path() / "nothing"), UsageError);
}

TEST(BackupFolderTest, FolderNameIsPlain) {
  const std::string version = "1.2";
  EXPECT_EQ(BackupFolderName("app", &version, "2026-11-21T09:30:00.123Z"),
            "app-v1.2-2026-11-21T09_30_00.123Z");
  EXPECT_EQ(BackupFolderName("my db", nullptr, "t"), "my_db-vnone-t");
}

}  // namespace
}  // namespace dbshift::backup
