#pragma once

// Private to source/: the file-system half of LoadMigrations, written on
// POSIX calls because std::filesystem costs more per entry than reading the
// file does when a folder holds 10,000 migrations.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dbshift::internal {

/// An open file descriptor, closed on destruction.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  ~FileDescriptor();

  int get() const { return fd_; }

 private:
  int fd_;
};

/// Opens `dir` for ScanSqlFiles and ReadWholeFile. Throws ConfigError when it
/// does not exist or is not a folder.
FileDescriptor OpenFolder(const std::filesystem::path& dir);

struct SqlFile {
  std::string script;          ///< relative to the folder, '/' separated
  std::size_t base_start = 0;  ///< where the base name starts in `script`

  std::string_view BaseName() const { return std::string_view(script).substr(base_start); }
};

/// Every regular file ending in ".sql" below the folder `root` (opened by
/// OpenFolder; `dir` names it in messages), sorted by script. Skips names
/// starting with '.', and does not follow symbolic links to folders (they
/// could loop); symbolic links to files are read. Throws ConfigError when a
/// folder cannot be listed.
std::vector<SqlFile> ScanSqlFiles(const FileDescriptor& root, const std::filesystem::path& dir);

/// Replaces `content` with the file `relative` below `root` (with one
/// allocation when it is under 64 KiB). Returns 0 or an errno value.
/// Thread-safe.
int ReadWholeFile(const FileDescriptor& root, const std::string& relative, std::string& content);

}  // namespace dbshift::internal
