#include "dbshift/driver/sqlite/sqlite_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <string>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"

namespace dbshift::sqlite {
namespace {

// A holder announcement is two short lines; anything longer is not ours.
constexpr std::size_t kMaxHolderBytes = 4096;

// The in-memory stand-in: one flag per process, guarded because a program
// may run drivers on several threads (one driver per thread).
struct MemoryLock {
  std::mutex mutex;
  bool held = false;
  LockHolder holder;
};

MemoryLock& TheMemoryLock() {
  static MemoryLock lock;
  return lock;
}

LockHolder ThisProcessAsHolder() {
  return LockHolder{fmt::format("{}@{} pid {}", OsUser(), HostName(), ProcessId()),
                    NowUtcIso8601()};
}

// flock may be interrupted by a signal before it decides; retry then.
int FlockRetrying(int fd, int operation) {
  int result;
  do {
    result = ::flock(fd, operation);
  } while (result != 0 && errno == EINTR);
  return result;
}

bool WriteAll(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t written =
        ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(written);
  }
  return true;
}

std::string ReadAll(int fd) {
  std::string content;
  char buffer[512];
  off_t offset = 0;
  for (;;) {
    ssize_t got = ::pread(fd, buffer, sizeof buffer, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    offset += got;
    if (content.size() > kMaxHolderBytes) break;  // stop on junk
  }
  return content;
}

LockHolder ParseHolder(const std::string& content) {
  LockHolder holder;
  std::size_t newline = content.find('\n');
  holder.who = content.substr(0, newline);
  if (newline != std::string::npos) {
    std::size_t end = content.find('\n', newline + 1);
    holder.since = content.substr(newline + 1, end == std::string::npos ? end : end - newline - 1);
  }
  // The holder truncates before it writes; a reader can land in between.
  if (holder.who.empty()) holder.who = "unknown holder";
  return holder;
}

}  // namespace

std::string LockFilePath(std::string_view database_path) {
  // Named after the file itself, not the path as written: runners that reach
  // one database through a symlink or another relative path share one lock.
  std::error_code error;
  std::filesystem::path canonical =
      std::filesystem::weakly_canonical(std::filesystem::absolute(database_path), error);
  if (error) canonical = database_path;
  return canonical.string() + ".dbshift-lock";
}

FileLock::FileLock(std::string lock_path) : path_(std::move(lock_path)) {}

FileLock::~FileLock() { Unlock(); }

bool FileLock::TryLock() {
  if (fd_.valid() || holds_memory_flag_) return true;

  if (path_.empty()) {
    MemoryLock& lock = TheMemoryLock();
    std::lock_guard<std::mutex> guard(lock.mutex);
    if (lock.held) return false;
    lock.held = true;
    lock.holder = ThisProcessAsHolder();
    holds_memory_flag_ = true;
    return true;
  }

  FileDescriptor fd(::open(path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    throw ConnectError(
        fmt::format("cannot open the lock file {}: {}", path_, std::strerror(errno)));
  }
  if (FlockRetrying(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return false;
    throw ConnectError(fmt::format("cannot lock {}: {}", path_, std::strerror(errno)));
  }
  // Announcing the holder is for `lock status` only; the flock is what
  // excludes, so a failed write does not give the lock up.
  LockHolder me = ThisProcessAsHolder();
  if (::ftruncate(fd.get(), 0) == 0) {
    WriteAll(fd.get(), me.who + "\n" + me.since + "\n");
  }
  fd_ = std::move(fd);
  return true;
}

void FileLock::Unlock() noexcept {
  if (holds_memory_flag_) {
    MemoryLock& lock = TheMemoryLock();
    std::lock_guard<std::mutex> guard(lock.mutex);
    lock.held = false;
    holds_memory_flag_ = false;
  }
  if (fd_.valid()) {
    FlockRetrying(fd_.get(), LOCK_UN);
    fd_.Reset();
  }
}

std::optional<LockHolder> FileLock::Status() const {
  if (path_.empty()) {
    MemoryLock& lock = TheMemoryLock();
    std::lock_guard<std::mutex> guard(lock.mutex);
    if (!lock.held) return std::nullopt;
    return lock.holder;
  }

  // A new open file description: its flock conflicts with any holder's,
  // including this object's own descriptor.
  FileDescriptor fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::nullopt;
    throw ConnectError(
        fmt::format("cannot open the lock file {}: {}", path_, std::strerror(errno)));
  }
  // A shared probe: it can make a concurrent TryLock fail for an instant,
  // which its caller's retry loop absorbs.
  if (FlockRetrying(fd.get(), LOCK_SH | LOCK_NB) == 0) {
    FlockRetrying(fd.get(), LOCK_UN);
    return std::nullopt;
  }
  if (errno != EWOULDBLOCK) {
    throw ConnectError(fmt::format("cannot probe {}: {}", path_, std::strerror(errno)));
  }
  return ParseHolder(ReadAll(fd.get()));
}

}  // namespace dbshift::sqlite
