#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {

void AddTargetFlags(CLI::App& command, TargetFlags& flags, const char* to_help) {
  command.add_option("--to", flags.to, to_help);
  command.add_option("-n,--count", flags.count, "at most this many migrations");
}

Target ToTarget(const TargetFlags& flags) {
  Target target;
  if (!flags.to.empty()) {
    target.to = Version::Parse(flags.to);
    if (!target.to)
      throw UsageError(fmt::format("--to {}: not a version (use e.g. 3 or 1.2)", flags.to));
  }
  if (flags.count) {
    if (*flags.count < 1) throw UsageError(fmt::format("-n {}: must be at least 1", *flags.count));
    target.count = flags.count;
  }
  return target;
}

std::string TargetLine(const Driver& driver, const CommandContext& context) {
  return fmt::format("Target: {} (from {})", driver.Target(), context.url_origin());
}

}  // namespace dbshift::cli
