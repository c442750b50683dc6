#pragma once

#include <string>

namespace dbshift::cli {

/// Asks `question` on the terminal and returns the answer (y/yes = true).
/// With `yes` it does not ask. Without a terminal on stdin it throws
/// UsageError: a destructive command never proceeds on a guess.
bool Confirm(const std::string& question, bool yes, const std::string& flag_hint = "--yes");

}  // namespace dbshift::cli
