#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dbshift/driver/driver.h"
#include "dbshift/driver/sqlite/handles.h"

namespace dbshift::sqlite {

/// "<database>.dbshift-lock": the lock file beside a database file.
std::string LockFilePath(std::string_view database_path);

/// The migration lock of one SQLite database: flock(2) on a file beside it,
/// so the OS releases it when the holding process dies (even by SIGKILL) and
/// it also excludes other processes and other drivers in this process (flock
/// locks belong to the open file description). For an in-memory database,
/// which no other process can see, a process-wide flag stands in.
/// Not thread-safe, like Driver.
class FileLock {
 public:
  /// `lock_path` empty means in-memory (the process-wide flag).
  explicit FileLock(std::string lock_path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Never blocks. True when held (also when already held by this object).
  /// On success writes "user@host pid N" and the UTC time on two lines of the
  /// file. Throws ConnectError when the lock file cannot be opened.
  bool TryLock();
  /// Releases the lock if held; the file and its content stay (the next
  /// holder overwrites them). Never throws.
  void Unlock() noexcept;
  /// The holder announced in the file, or nullopt when nobody holds it
  /// (including when the file does not exist).
  std::optional<LockHolder> Status() const;

 private:
  std::string path_;
  FileDescriptor fd_;
  bool holds_memory_flag_ = false;
};

}  // namespace dbshift::sqlite
