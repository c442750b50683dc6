#pragma once

#include <cstdint>
#include <string>

namespace dbshift {

/// Who and where this process is, for history rows, the run log and lock
/// holders. Values are computed once and cached; thread-safe after the first call.
const std::string& OsUser();
const std::string& HostName();
int ProcessId();

/// The current UTC time as ISO 8601 with milliseconds: "2026-11-21T09:30:00.123Z".
std::string NowUtcIso8601();
/// `unix_millis` (milliseconds since 1970-01-01 UTC, negative before) in
/// the format of NowUtcIso8601.
std::string UtcIso8601(std::int64_t unix_millis);

/// A new random run id (32 hex characters).
std::string NewRunId();

}  // namespace dbshift
