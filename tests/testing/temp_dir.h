#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dbshift::testing {

/// A fresh folder under the system temp dir, removed with everything in it
/// when the object goes out of scope.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Writes `content` to path()/relative, creating parent folders.
  std::filesystem::path Write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

/// The whole content of a file; throws std::runtime_error when unreadable.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace dbshift::testing
