#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace dbshift::testing {

/// How to run a program: arguments (without argv[0]), extra or removed
/// environment variables, working folder, and what to feed on stdin.
struct ProcessSpec {
  std::vector<std::string> args = {};
  /// Set (or, with std::nullopt, remove) variables on top of this process's environment.
  std::map<std::string, std::optional<std::string>> env = {};
  std::filesystem::path cwd = {};  ///< empty: this process's
  std::string stdin_text = {};     ///< written to the child's stdin, then closed (never a terminal)
};

struct ProcessResult {
  int exit_code = -1;  ///< -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

/// Runs `program` to completion and captures stdout and stderr.
ProcessResult RunProcess(const std::filesystem::path& program, const ProcessSpec& spec);

/// A program started in the background; its output goes to files.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::filesystem::path& program, const ProcessSpec& spec);
  ~BackgroundProcess();  ///< kills (SIGKILL) and reaps if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Kill(int signal);
  /// Waits for the exit; nullopt if it did not end within `timeout`.
  std::optional<ProcessResult> Wait(std::chrono::milliseconds timeout);
  /// Waits until the process has written `text` to stderr (true), or has
  /// exited or `timeout` passed without it (false). Lets a test act on what
  /// the process reached rather than on a guess of how long it takes.
  bool WaitForStderr(std::string_view text, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

/// The dbshift binary under test (DBSHIFT_BINARY, set by CMake for tests/cli).
std::filesystem::path DbshiftBinary();

}  // namespace dbshift::testing
