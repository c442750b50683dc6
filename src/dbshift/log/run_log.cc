#include "dbshift/log/run_log.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/log/event_json.h"

namespace dbshift {
namespace {

std::tm UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  return utc;
}

}  // namespace

RunLog::RunLog(const std::filesystem::path& log_dir, const std::string& run_id) {
  // The run id becomes part of a file name; callers pass NewRunId().
  DBSHIFT_ASSERT(!run_id.empty() && run_id.find('/') == std::string::npos && run_id[0] != '.');
  // One time for both folder and file name, so a run that starts at
  // midnight cannot land in the wrong day's folder.
  const std::tm utc = UtcNow();
  const std::filesystem::path folder = log_dir / fmt::format("{:04}", utc.tm_year + 1900) /
                                       fmt::format("{:02}", utc.tm_mon + 1) /
                                       fmt::format("{:02}", utc.tm_mday);
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw ConfigError(
        fmt::format("cannot create the run log folder {}: {}", folder.string(), error.message()),
        ErrorContext{folder.string(), 0, "", ""});
  }
  path_ = folder / fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{}.jsonl", utc.tm_year + 1900,
                               utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                               run_id);
  // O_EXCL: a run never appends to (or truncates) another run's audit trail.
  const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    throw ConfigError(
        fmt::format("cannot create the run log {}: {}", path_.string(), std::strerror(errno)),
        ErrorContext{path_.string(), 0, "", ""});
  }
  file_ = fdopen(fd, "a");
  if (file_ == nullptr) {
    const int saved = errno;
    close(fd);
    throw ConfigError(
        fmt::format("cannot open the run log {}: {}", path_.string(), std::strerror(saved)),
        ErrorContext{path_.string(), 0, "", ""});
  }
}

RunLog::~RunLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void RunLog::OnEvent(const Event& event) {
  std::string line = EventJson(event);
  line.push_back('\n');
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    throw ConfigError(
        fmt::format("cannot write the run log {}: {}", path_.string(), std::strerror(errno)),
        ErrorContext{path_.string(), 0, "", ""});
  }
}

}  // namespace dbshift
