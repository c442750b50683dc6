#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {

/// What Driver::CheckLockStillHeld throws for a server-side lock (PostgreSQL,
/// MySQL) whose connection the server closed: `causes` names the usual
/// reasons on that engine, `target` is the redacted URL.
[[noreturn]] inline void ThrowLostLock(const std::string& target, std::string_view causes) {
  throw ConnectError(fmt::format(
      "lost the migration lock: the server closed its connection to {} ({}); the transaction in "
      "progress was rolled back",
      target, causes));
}

}  // namespace dbshift
