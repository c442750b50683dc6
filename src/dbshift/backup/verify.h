#pragma once

// `dbshift backup verify`: is a backup folder complete and every byte of it
// as written?

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbshift/backup/manifest.h"

namespace dbshift::backup {

struct VerifyProblem {
  std::string file;  ///< relative to the folder
  std::string message;
};

struct VerifyResult {
  std::optional<Manifest> manifest;  ///< absent when the manifest itself is unusable
  std::vector<VerifyProblem> problems;
  bool ok() const { return problems.empty(); }
};

/// Checks the manifest against its checksum file, then every file it lists
/// (present, same size, same SHA-256), and that the folder holds no other
/// file. Throws UsageError when `folder` is not a folder.
VerifyResult VerifyBackup(const std::filesystem::path& folder);

}  // namespace dbshift::backup
