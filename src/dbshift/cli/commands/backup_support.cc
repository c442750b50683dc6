#include "dbshift/cli/commands/backup_support.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>

#include <fmt/format.h>

#include "dbshift/backup/backup.h"
#include "dbshift/cli/commands/commands.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"
#include "dbshift/config/config.h"

namespace dbshift::cli {

LockedTarget::LockedTarget(CommandContext& context, const char* command) {
  context.RequireOwnHistory(command);
  std::tie(source, driver) = context.LoadSourceAndConnect();
  context.Say(TargetLine(*driver, context));
  url = context.TargetUrl();
  history_table = context.HistoryTable();
  run_ = MakeRunOptions(context, command);
  sinks_ = std::make_unique<RunSinks>(context, run_.run_id, false);
  lock_.emplace(*driver, context.lock_policy(), sinks_->sink());
}

int CopyJobs(const std::optional<int>& jobs) {
  if (jobs) {
    if (*jobs < 1) throw UsageError(fmt::format("--jobs {}: must be 1 or more", *jobs));
    return *jobs;
  }
  constexpr unsigned kDefaultMaxJobs = 4;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, kDefaultMaxJobs));
}

std::filesystem::path BackupDir(CommandContext& context, const std::optional<std::string>& out) {
  return out ? std::filesystem::path(*out) : context.config().backup_dir;
}

std::function<std::string(Driver&)> BackupBeforeApply(CommandContext& context,
                                                      const MigrationSet& source, bool flag) {
  bool required = false;
  if (const auto& env = context.options().env) {
    const auto found = context.config().environments.find(*env);
    required = found != context.config().environments.end() && found->second.require_backup;
  }
  if (!flag && !required) return {};
  backup::BackupRequest request;
  request.out_dir = BackupDir(context, std::nullopt);
  request.url = context.TargetUrl();
  request.history_table = context.HistoryTable();
  request.tool_version = kToolVersion;
  request.jobs = CopyJobs(std::nullopt);
  request.progress = TerminalProgress(context, "backup");
  return [request, &source](Driver& driver) {
    return backup::TakeBackup(driver, source, request).folder.string();
  };
}

backup::CopyProgress TerminalProgress(const CommandContext& context, const char* label) {
  if (context.json() || context.options().quiet || isatty(STDERR_FILENO) == 0) return {};
  return [label](std::uint64_t done, std::uint64_t total) {
    constexpr std::uint64_t kWidth = 30;
    const std::uint64_t filled = total == 0 ? kWidth : done * kWidth / total;
    const std::uint64_t percent = total == 0 ? 100 : done * 100 / total;
    std::fputs(fmt::format("\r{} [{}{}] {:3}% {:.1f} of {:.1f} MB", label, std::string(filled, '#'),
                           std::string(kWidth - filled, ' '), percent,
                           static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6)
                   .c_str(),
               stderr);
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

}  // namespace dbshift::cli
