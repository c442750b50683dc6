#include "dbshift/common/system_info.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

std::string LookUpOsUser() {
  const uid_t uid = geteuid();
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  if (size <= 0) size = 16384;  // the limit is indeterminate on some systems
  std::vector<char> buffer(static_cast<std::size_t>(size));
  passwd entry{};
  passwd* result = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result != nullptr &&
      result->pw_name != nullptr && result->pw_name[0] != '\0') {
    return result->pw_name;
  }
  // Containers often run as a uid with no passwd entry.
  if (const char* user = std::getenv("USER"); user != nullptr && user[0] != '\0') return user;
  return std::to_string(uid);
}

std::string LookUpHostName() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return "unknown";
  return buffer.data();
}

// Fills `out` from getrandom, falling back to /dev/urandom on kernels
// without the system call. Returns false when neither works.
bool FillRandom(unsigned char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = getrandom(out + done, size - done, 0);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (done == size) return true;
  const int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  done = 0;
  while (done < size) {
    const ssize_t n = read(fd, out + done, size - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (!(n < 0 && errno == EINTR)) {
      break;
    }
  }
  close(fd);
  return done == size;
}

}  // namespace

const std::string& OsUser() {
  static const std::string user = LookUpOsUser();
  return user;
}

const std::string& HostName() {
  static const std::string host = LookUpHostName();
  return host;
}

// Not cached: a forked child has its own pid.
int ProcessId() { return static_cast<int>(getpid()); }

std::string UtcIso8601(std::int64_t unix_millis) {
  // Digits written by hand: every event of a run carries one of these, and
  // gmtime_r and a format string cost more than the rest of the event.
  using std::chrono::days;
  using std::chrono::milliseconds;
  const milliseconds millis(unix_millis);
  const days day = std::chrono::floor<days>(millis);
  const std::chrono::year_month_day date{std::chrono::sys_days(day)};
  const auto in_day = static_cast<int>((millis - day).count());
  std::string text = "0000-00-00T00:00:00.000Z";
  const auto put = [&text](std::size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) {
      text[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, static_cast<int>(date.year()), 4);
  put(5, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  put(8, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  put(11, in_day / 3'600'000, 2);
  put(14, in_day / 60'000 % 60, 2);
  put(17, in_day / 1000 % 60, 2);
  put(20, in_day % 1000, 3);
  return text;
}

std::string NowUtcIso8601() {
  const auto now = std::chrono::system_clock::now();
  return UtcIso8601(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

std::string NewRunId() {
  std::array<unsigned char, 16> bytes{};
  if (!FillRandom(bytes.data(), bytes.size())) {
    throw InternalError("no random source (getrandom and /dev/urandom both failed)");
  }
  std::string id;
  id.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) id += fmt::format("{:02x}", byte);
  return id;
}

}  // namespace dbshift
