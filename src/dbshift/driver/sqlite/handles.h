#pragma once

// RAII owners for the C handles the SQLite driver uses. Each closes its
// resource exactly once; none throws.

#include <memory>
#include <unistd.h>
#include <utility>

#include <sqlite3.h>

namespace dbshift::sqlite {

struct DatabaseCloser {
  // close_v2 defers the close until every statement is finalized, so a
  // member declaration order mistake cannot leak the connection.
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
/// An open connection; closing it rolls back any open transaction.
using DatabaseHandle = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
/// A prepared statement.
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

/// Resets a cached statement and clears its bindings when the scope ends:
/// a statement left mid-step keeps a read transaction open, and bindings
/// made with SQLITE_STATIC must not outlive the strings they point to.
class ScopedReset {
 public:
  explicit ScopedReset(sqlite3_stmt* statement) : statement_(statement) {}
  ~ScopedReset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  sqlite3_stmt* statement_;
};

/// A POSIX file descriptor, closed on destruction; -1 means none.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { Reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  /// Closes the descriptor (releasing any flock held through it).
  void Reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace dbshift::sqlite
