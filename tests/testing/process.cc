#include "testing/process.h"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "testing/temp_dir.h"

extern char** environ;

namespace dbshift::testing {
namespace {

std::vector<std::string> ChildEnvironment(const ProcessSpec& spec) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    std::size_t equals = text.find('=');
    if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : spec.env) {
    if (value) {
      merged[name] = *value;
    } else {
      merged.erase(name);
    }
  }
  std::vector<std::string> result;
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

// Forks and execs; the child's stdin reads `stdin_fd`, stdout/stderr go to the fds.
pid_t Spawn(const std::filesystem::path& program, const ProcessSpec& spec, int stdin_fd, int out_fd,
            int err_fd) {
  std::vector<std::string> args = spec.args;
  args.insert(args.begin(), program.string());
  std::vector<std::string> env = ChildEnvironment(spec);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(stdin_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(127);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

ProcessResult Decode(int status) {
  ProcessResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

int OpenFile(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  return fd;
}

// Stdin from a temp file: no pipe to fill up, and never a terminal.
int StdinFile(const std::string& text, const std::filesystem::path& path) {
  int fd = OpenFile(path);
  if (!text.empty() && write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error("cannot write stdin file");
  }
  close(fd);
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot reopen stdin file");
  return fd;
}

}  // namespace

ProcessResult RunProcess(const std::filesystem::path& program, const ProcessSpec& spec) {
  ScopedTempDir io;
  int in = StdinFile(spec.stdin_text, io.path() / "in");
  int out = OpenFile(io.path() / "out");
  int err = OpenFile(io.path() / "err");
  pid_t pid = Spawn(program, spec, in, out, err);
  close(in);
  close(out);
  close(err);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ProcessResult result = Decode(status);
  result.out = ReadFile(io.path() / "out");
  result.err = ReadFile(io.path() / "err");
  return result;
}

BackgroundProcess::BackgroundProcess(const std::filesystem::path& program,
                                     const ProcessSpec& spec) {
  static int counter = 0;
  std::filesystem::path base =
      std::filesystem::temp_directory_path() /
      ("dbshift-bg-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  out_path_ = base.string() + ".out";
  err_path_ = base.string() + ".err";
  int in = StdinFile(spec.stdin_text, base.string() + ".in");
  int out = OpenFile(out_path_);
  int err = OpenFile(err_path_);
  pid_ = Spawn(program, spec, in, out, err);
  close(in);
  close(out);
  close(err);
  std::filesystem::remove(base.string() + ".in");
}

BackgroundProcess::~BackgroundProcess() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove(out_path_, ignored);
  std::filesystem::remove(err_path_, ignored);
}

void BackgroundProcess::Kill(int signal) {
  if (!reaped_) kill(pid_, signal);
}

std::optional<ProcessResult> BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reaped_ = true;
  ProcessResult result = Decode(status);
  result.out = ReadFile(out_path_);
  result.err = ReadFile(err_path_);
  return result;
}

bool BackgroundProcess::WaitForStderr(std::string_view text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (ReadFile(err_path_).find(text) != std::string::npos) return true;
    if (reaped_ || std::chrono::steady_clock::now() >= deadline) return false;
    // Peeks without reaping, so that Wait() still collects the exit status.
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid_) {
      return ReadFile(err_path_).find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::filesystem::path DbshiftBinary() {
  const char* path = std::getenv("DBSHIFT_BINARY");
  if (path != nullptr && *path != '\0') return path;
#ifdef DBSHIFT_BINARY_PATH
  return DBSHIFT_BINARY_PATH;
#else
  throw std::runtime_error("DBSHIFT_BINARY is not set");
#endif
}

}  // namespace dbshift::testing
