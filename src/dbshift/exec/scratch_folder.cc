#include "dbshift/exec/scratch_folder.h"

#include <cstdlib>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {

ScratchFolder::ScratchFolder(std::string_view command) {
  const std::filesystem::path parent = std::filesystem::temp_directory_path();
  std::string pattern = (parent / fmt::format("dbshift-{}-XXXXXX", command)).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw Error(ExitCode::kMigrationFailed,
                fmt::format("{}: cannot create a scratch folder in {}", command, parent.string()));
  }
  path_ = pattern;
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace dbshift
