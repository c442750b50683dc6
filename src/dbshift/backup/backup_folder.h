#pragma once

// Writing a backup folder so that it is either complete or plainly not:
// everything goes into a hidden staging folder beside the final one
// (".<name>.partial-<pid>"), every file is fsync'd, and only then is the
// folder renamed to its final name and the parent fsync'd. A backup that is
// interrupted, even by kill -9 or a power cut, never has the final name.
// Files are 0600 and folders 0700: a backup holds all of the data.

#include <filesystem>
#include <string>
#include <string_view>

#include "dbshift/backup/manifest.h"

namespace dbshift::backup {

class StagingFolder {
 public:
  /// Creates the staging folder for <parent>/<name> (and `parent` when it is
  /// missing); a relative `parent` is taken from the working folder, and
  /// the paths kept are absolute (they go into run logs). Throws UsageError when <parent>/<name>
  /// already exists or the folder cannot be created.
  StagingFolder(const std::filesystem::path& parent, std::string name);
  /// Removes the staging folder unless it was published.
  ~StagingFolder();
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;

  const std::filesystem::path& path() const { return staging_; }

  /// Writes `bytes` to the file `relative` (mode 0600) and fsyncs it.
  void WriteFile(std::string_view relative, std::string_view bytes) const;
  /// Sets mode 0600 on a file something else wrote into the folder, and fsyncs it.
  void Seal(std::string_view relative) const;

  /// Renames the folder to its final name, fsyncs the parent and returns
  /// the final path.
  std::filesystem::path Publish();

 private:
  std::filesystem::path parent_;
  std::string name_;
  std::filesystem::path staging_;
  bool published_ = false;
};

/// Size and SHA-256 of `folder`/`relative`, read in blocks.
BackupFile DescribeFile(const std::filesystem::path& folder, std::string_view relative);

/// The folder name of a backup: "<database>-v<version>-<UTC time>", with
/// characters other than letters, digits, '.', '_' and '-' replaced.
std::string BackupFolderName(std::string_view database, const std::string* version,
                             std::string_view created_at);

}  // namespace dbshift::backup
