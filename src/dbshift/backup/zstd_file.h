#pragma once

// Table data in a backup folder is zstd-compressed: COPY text compresses
// several times over, and zstd at a low level compresses faster than the
// server sends it, so the backup is smaller at no cost in time.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "dbshift/backup/manifest.h"
#include "dbshift/common/sha256.h"

// libzstd's stream contexts, without its header everywhere.
struct ZSTD_CCtx_s;

namespace dbshift::backup {

/// Writes one zstd frame into a new file (mode 0600), hashing the
/// compressed bytes as they are written, so the manifest's SHA-256 costs no
/// second read. Not thread-safe; one writer per file.
class ZstdFileWriter {
 public:
  /// Creates `folder`/`relative`; fails (Error) when it exists.
  ZstdFileWriter(const std::filesystem::path& folder, std::string relative);
  ~ZstdFileWriter();
  ZstdFileWriter(const ZstdFileWriter&) = delete;
  ZstdFileWriter& operator=(const ZstdFileWriter&) = delete;

  void Write(std::string_view data);
  /// Ends the frame, fsyncs and closes the file. Call once.
  BackupFile Finish();
  /// Uncompressed bytes written so far.
  std::uint64_t raw_bytes() const { return raw_bytes_; }

 private:
  void Compress(std::string_view data, bool end);
  void Output(std::string_view bytes);

  std::filesystem::path path_;
  std::string relative_;
  int fd_ = -1;
  ::ZSTD_CCtx_s* context_ = nullptr;
  std::string input_;   // rows gathered into blocks: zstd per 100-byte row is slow
  std::string output_;  // one compressed block
  Sha256 hash_;
  std::uint64_t raw_bytes_ = 0;
  std::uint64_t written_bytes_ = 0;
};

/// Decompresses the zstd file at `path`, handing the data to `on_data` in
/// blocks. Throws Error naming the file when it is not a whole zstd stream.
void ReadZstdFile(const std::filesystem::path& path,
                  const std::function<void(std::string_view)>& on_data);

}  // namespace dbshift::backup
