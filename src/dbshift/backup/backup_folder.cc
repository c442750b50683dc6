#include "dbshift/backup/backup_folder.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"

namespace dbshift::backup {
namespace {

[[noreturn]] void FailOn(const std::filesystem::path& path, const char* action) {
  throw Error(ExitCode::kMigrationFailed,
              fmt::format("backup: cannot {} {}: {}", action, path.string(), std::strerror(errno)));
}

// Closes a file descriptor on every path out.
class Descriptor {
 public:
  Descriptor(const std::filesystem::path& path, int flags, mode_t mode = 0)
      : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode)) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void SyncPath(const std::filesystem::path& path, int flags) {
  const Descriptor descriptor(path, flags);
  if (descriptor.get() < 0) FailOn(path, "open");
  if (::fsync(descriptor.get()) != 0) FailOn(path, "fsync");
}

}  // namespace

StagingFolder::StagingFolder(const std::filesystem::path& parent, std::string name)
    : parent_(std::filesystem::absolute(parent)), name_(std::move(name)) {
  std::error_code error;
  std::filesystem::create_directories(parent_, error);
  if (error) {
    throw UsageError(
        fmt::format("backup: cannot create {}: {}", parent_.string(), error.message()));
  }
  if (std::filesystem::exists(parent_ / name_)) {
    throw UsageError(fmt::format("backup: {} already exists", (parent_ / name_).string()));
  }
  staging_ = parent_ / fmt::format(".{}.partial-{}", name_, ::getpid());
  std::filesystem::remove_all(staging_, error);  // left by a process of the same pid
  if (::mkdir(staging_.c_str(), 0700) != 0) FailOn(staging_, "create");
}

StagingFolder::~StagingFolder() {
  if (published_) return;
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
}

void StagingFolder::WriteFile(std::string_view relative, std::string_view bytes) const {
  const std::filesystem::path path = staging_ / relative;
  {
    const Descriptor file(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (file.get() < 0) FailOn(path, "create");
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(file.get(), bytes.data() + written, bytes.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) FailOn(path, "write");
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(file.get()) != 0) FailOn(path, "fsync");
  }
}

void StagingFolder::Seal(std::string_view relative) const {
  const std::filesystem::path path = staging_ / relative;
  if (::chmod(path.c_str(), 0600) != 0) FailOn(path, "chmod");
  SyncPath(path, O_RDONLY);
}

std::filesystem::path StagingFolder::Publish() {
  SyncPath(staging_, O_RDONLY | O_DIRECTORY);
  const std::filesystem::path final_path = parent_ / name_;
  // RENAME_NOREPLACE would be exact; a folder appearing under the same name
  // in the same second is caught by rename itself, which fails on a
  // non-empty target folder.
  if (std::filesystem::exists(final_path)) {
    throw UsageError(fmt::format("backup: {} already exists", final_path.string()));
  }
  if (::rename(staging_.c_str(), final_path.c_str()) != 0) FailOn(final_path, "rename to");
  published_ = true;
  SyncPath(parent_, O_RDONLY | O_DIRECTORY);
  return final_path;
}

BackupFile DescribeFile(const std::filesystem::path& folder, std::string_view relative) {
  const std::filesystem::path path = folder / relative;
  const Descriptor file(path, O_RDONLY);
  if (file.get() < 0) FailOn(path, "open");
  Sha256 hash;
  BackupFile described;
  described.path = std::string(relative);
  std::vector<char> block(1 << 20);
  for (;;) {
    const ssize_t n = ::read(file.get(), block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) FailOn(path, "read");
    if (n == 0) break;
    hash.Update(std::string_view(block.data(), static_cast<std::size_t>(n)));
    described.bytes += static_cast<std::uint64_t>(n);
  }
  described.sha256 = hash.HexDigest();
  return described;
}

std::string BackupFolderName(std::string_view database, const std::string* version,
                             std::string_view created_at) {
  std::string name = fmt::format("{}-v{}-{}", database, version ? *version : "none", created_at);
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!plain) c = '_';
  }
  return name;
}

}  // namespace dbshift::backup
