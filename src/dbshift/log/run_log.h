#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "dbshift/exec/events.h"

namespace dbshift {

/// The run log: one JSON object per line per event, in
/// <log_dir>/YYYY/MM/DD/<YYYYmmddTHHMMSSZ>-<run_id>.jsonl (UTC), one file per
/// run. It is both the upgrade log and the audit log (DDL statements carry
/// "ddl": true); `replay` reads it. Each line is flushed as it is written so a
/// crash loses at most the line being written.
class RunLog : public EventSink {
 public:
  /// Creates the folders and the file. Throws ConfigError naming the path
  /// when it cannot.
  RunLog(const std::filesystem::path& log_dir, const std::string& run_id);
  ~RunLog() override;
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  /// Appends one line and flushes it. Throws ConfigError naming the path
  /// when the line cannot be written (disk full): the audit log must not
  /// lose events silently.
  void OnEvent(const Event& event) override;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace dbshift
