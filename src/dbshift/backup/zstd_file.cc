#include "dbshift/backup/zstd_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>
#include <zstd.h>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift::backup {
namespace {

// Level 1: several times smaller than COPY text, and faster than one server
// process produces it, so compression never slows a backup down.
constexpr int kCompressionLevel = 1;
constexpr std::size_t kInputBlockBytes = std::size_t{256} * 1024;

[[noreturn]] void Fail(const std::filesystem::path& path, const std::string& what) {
  throw Error(ExitCode::kMigrationFailed, fmt::format("backup: {}: {}", path.string(), what));
}

void CheckZstd(std::size_t code, const std::filesystem::path& path) {
  if (ZSTD_isError(code) != 0) Fail(path, std::string("zstd: ") + ZSTD_getErrorName(code));
}

}  // namespace

ZstdFileWriter::ZstdFileWriter(const std::filesystem::path& folder, std::string relative)
    : path_(folder / relative), relative_(std::move(relative)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) Fail(path_, std::strerror(errno));
  context_ = ZSTD_createCCtx();
  if (context_ == nullptr) Fail(path_, "zstd: out of memory");
  CheckZstd(ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, kCompressionLevel), path_);
  // A checksum in the frame: a damaged file fails on decompression even
  // without the manifest.
  CheckZstd(ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1), path_);
  input_.reserve(kInputBlockBytes);
  output_.resize(ZSTD_CStreamOutSize());
}

ZstdFileWriter::~ZstdFileWriter() {
  ZSTD_freeCCtx(context_);
  if (fd_ >= 0) ::close(fd_);
}

void ZstdFileWriter::Write(std::string_view data) {
  raw_bytes_ += data.size();
  if (input_.size() + data.size() > kInputBlockBytes) {
    Compress(input_, false);
    input_.clear();
  }
  if (data.size() >= kInputBlockBytes) {
    Compress(data, false);
  } else {
    input_.append(data);
  }
}

void ZstdFileWriter::Compress(std::string_view data, bool end) {
  ZSTD_inBuffer input{data.data(), data.size(), 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer output{output_.data(), output_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(context_, &output, &input, mode);
    CheckZstd(left, path_);
    Output(std::string_view(output_.data(), output.pos));
    if (end ? left == 0 : input.pos == input.size) return;
  }
}

void ZstdFileWriter::Output(std::string_view bytes) {
  hash_.Update(bytes);
  written_bytes_ += bytes.size();
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      Fail(path_, std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

BackupFile ZstdFileWriter::Finish() {
  Compress(input_, true);
  input_.clear();
  if (::fsync(fd_) != 0) Fail(path_, std::string("fsync: ") + std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) Fail(path_, std::string("close: ") + std::strerror(errno));
  return BackupFile{relative_, written_bytes_, hash_.HexDigest()};
}

void ReadZstdFile(const std::filesystem::path& path,
                  const std::function<void(std::string_view)>& on_data) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(path, std::strerror(errno));
  struct Resources {
    int fd;
    ZSTD_DCtx* context = ZSTD_createDCtx();
    ~Resources() {
      ZSTD_freeDCtx(context);
      ::close(fd);
    }
  } resources{fd};
  if (resources.context == nullptr) Fail(path, "zstd: out of memory");
  std::vector<char> in(ZSTD_DStreamInSize());
  std::vector<char> out(ZSTD_DStreamOutSize());
  std::size_t pending = 0;  // 0 when the last frame read is complete
  for (;;) {
    const ssize_t got = ::read(fd, in.data(), in.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      Fail(path, std::strerror(errno));
    }
    if (got == 0) break;
    ZSTD_inBuffer input{in.data(), static_cast<std::size_t>(got), 0};
    // A full output block may leave data inside zstd: call until it does not.
    bool full = false;
    while (input.pos < input.size || full) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      pending = ZSTD_decompressStream(resources.context, &output, &input);
      CheckZstd(pending, path);
      if (output.pos > 0) on_data(std::string_view(out.data(), output.pos));
      full = output.pos == output.size;
    }
  }
  if (pending != 0) Fail(path, "the compressed data ends in the middle (truncated file)");
}

}  // namespace dbshift::backup
