#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace dbshift {

/// Parses "250ms", "5s", "2m", "1h", "1m30s"; a bare number means seconds.
/// Throws UsageError naming `what` (e.g. "--lock-timeout") and the text.
std::chrono::milliseconds ParseDuration(std::string_view text, std::string_view what);

/// "250ms", "5s", "1m30s": the shortest exact form, for messages.
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace dbshift
