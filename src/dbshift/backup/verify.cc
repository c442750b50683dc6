#include "dbshift/backup/verify.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "dbshift/backup/backup_folder.h"
#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"

namespace dbshift::backup {
namespace {

std::optional<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A path from the manifest must stay inside the folder.
bool IsPlainRelative(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

VerifyResult VerifyBackup(const std::filesystem::path& folder) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw UsageError(fmt::format("backup verify: {} is not a folder", folder.string()));
  }
  VerifyResult result;
  const std::string manifest_name(kManifestName);
  const std::string checksum_name(kManifestChecksumName);
  const std::optional<std::string> manifest_text = ReadSmallFile(folder / manifest_name);
  const std::optional<std::string> recorded = ReadSmallFile(folder / checksum_name);
  if (!manifest_text) {
    result.problems.push_back({manifest_name, "missing: not a complete dbshift backup"});
    return result;
  }
  if (!recorded) {
    result.problems.push_back(
        {checksum_name, "missing: the backup did not finish, or the file was removed"});
    return result;
  }
  std::string expected = *recorded;
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) {
    expected.pop_back();
  }
  if (Sha256Hex(*manifest_text) != expected) {
    result.problems.push_back(
        {manifest_name, fmt::format("SHA-256 differs from the one in {}", checksum_name)});
    return result;
  }
  try {
    result.manifest = ParseManifest(*manifest_text, (folder / manifest_name).string());
  } catch (const ValidationError& bad) {
    result.problems.push_back({manifest_name, bad.what()});
    return result;
  }

  std::set<std::string> listed = {manifest_name, checksum_name};
  for (const BackupFile& file : result.manifest->files) {
    if (!IsPlainRelative(file.path)) {
      result.problems.push_back({file.path, "listed with a path outside the backup folder"});
      continue;
    }
    listed.insert(file.path);
    if (!std::filesystem::is_regular_file(folder / file.path, error)) {
      result.problems.push_back({file.path, "missing"});
      continue;
    }
    const BackupFile actual = DescribeFile(folder, file.path);
    if (actual.bytes != file.bytes) {
      result.problems.push_back(
          {file.path, fmt::format("{} bytes, the manifest says {}", actual.bytes, file.bytes)});
    } else if (actual.sha256 != file.sha256) {
      result.problems.push_back(
          {file.path, "SHA-256 differs from the manifest's: the file changed"});
    }
  }
  for (auto it = std::filesystem::recursive_directory_iterator(folder, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_directory()) continue;
    const std::string relative = std::filesystem::relative(it->path(), folder).generic_string();
    if (!listed.contains(relative)) {
      result.problems.push_back({relative, "not listed in the manifest"});
    }
  }
  return result;
}

}  // namespace dbshift::backup
