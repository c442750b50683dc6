#pragma once

#include <filesystem>
#include <string_view>

namespace dbshift {

/// A new folder of its own under the system's temporary folder ($TMPDIR,
/// else /tmp), removed with everything in it when the object dies, however
/// the command using it ends. Not copyable.
class ScratchFolder {
 public:
  /// Creates "dbshift-<command>-XXXXXX". Throws Error (exit 1) naming the
  /// command when the folder cannot be created.
  explicit ScratchFolder(std::string_view command);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dbshift
