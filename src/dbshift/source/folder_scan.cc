#include "dbshift/source/folder_scan.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift::internal {
namespace {

constexpr std::string_view kSqlSuffix = ".sql";
// Per reading thread; larger scripts take more reads.
constexpr std::size_t kReadBufferSize = std::size_t{64} * 1024;

class DirectoryStream {
 public:
  explicit DirectoryStream(DIR* dir) : dir_(dir) {}
  ~DirectoryStream() {
    if (dir_ != nullptr) ::closedir(dir_);
  }
  DirectoryStream(const DirectoryStream&) = delete;
  DirectoryStream& operator=(const DirectoryStream&) = delete;

  DIR* get() const { return dir_; }

 private:
  DIR* dir_;
};

enum class EntryType { kFolder, kFile, kOther };

EntryType TypeOf(int dir_fd, const dirent& entry) {
  if (entry.d_type == DT_DIR) return EntryType::kFolder;
  if (entry.d_type == DT_REG) return EntryType::kFile;
  if (entry.d_type != DT_LNK && entry.d_type != DT_UNKNOWN) return EntryType::kOther;
  // Some file systems do not fill d_type; symbolic links need their target.
  struct stat info;
  if (::fstatat(dir_fd, entry.d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) return EntryType::kOther;
  if (S_ISDIR(info.st_mode)) return EntryType::kFolder;
  if (S_ISREG(info.st_mode)) return EntryType::kFile;
  if (S_ISLNK(info.st_mode) && ::fstatat(dir_fd, entry.d_name, &info, 0) == 0 &&
      S_ISREG(info.st_mode)) {
    return EntryType::kFile;
  }
  return EntryType::kOther;
}

[[noreturn]] void ThrowUnreadable(const std::filesystem::path& dir, const std::string& sub,
                                  int error) {
  const std::string folder = sub.empty() ? dir.string() : (dir / sub).string();
  throw ConfigError(
      fmt::format("cannot read migration folder {}: {}", folder, std::strerror(error)));
}

}  // namespace

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor OpenFolder(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) return fd;
  const int error = errno;
  if (error == ENOENT) {
    throw ConfigError(fmt::format("migration folder {} does not exist", dir.string()));
  }
  if (error == ENOTDIR) {
    throw ConfigError(fmt::format("migration folder {} is not a folder", dir.string()));
  }
  ThrowUnreadable(dir, {}, error);
}

std::vector<SqlFile> ScanSqlFiles(const FileDescriptor& root, const std::filesystem::path& dir) {
  std::vector<SqlFile> files;
  std::vector<std::string> pending = {""};  // folders to list, relative, ending in '/'
  while (!pending.empty()) {
    const std::string folder = std::move(pending.back());
    pending.pop_back();
    const int fd = ::openat(root.get(), folder.empty() ? "." : folder.c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) ThrowUnreadable(dir, folder, errno);
    DirectoryStream stream(::fdopendir(fd));
    if (stream.get() == nullptr) {
      const int error = errno;
      ::close(fd);
      ThrowUnreadable(dir, folder, error);
    }
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(stream.get());
      if (entry == nullptr) {
        if (errno != 0) ThrowUnreadable(dir, folder, errno);
        break;
      }
      // Hidden entries, and "." and "..".
      if (entry->d_name[0] == '.') continue;
      const std::string_view name(entry->d_name);
      switch (TypeOf(fd, *entry)) {
        case EntryType::kFolder:
          pending.push_back(folder + std::string(name) + '/');
          break;
        case EntryType::kFile:
          if (name.ends_with(kSqlSuffix)) {
            files.push_back({folder + std::string(name), folder.size()});
          }
          break;
        case EntryType::kOther:
          break;
      }
    }
  }
  std::sort(files.begin(), files.end(),
            [](const SqlFile& a, const SqlFile& b) { return a.script < b.script; });
  return files;
}

int ReadWholeFile(const FileDescriptor& root, const std::string& relative, std::string& content) {
  FileDescriptor fd(::openat(root.get(), relative.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  // No fstat for the size: a script almost always fits one read into this
  // buffer, and a read of a regular file that returns less than it asked for
  // has reached the end. Thousands of files are read for every status, and
  // fstat was one of the four system calls each.
  thread_local std::string buffer(kReadBufferSize, '\0');
  content.clear();
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.append(buffer.data(), static_cast<std::size_t>(got));
    if (static_cast<std::size_t>(got) < buffer.size()) return 0;
  }
}

}  // namespace dbshift::internal
