#pragma once

#include <nlohmann/json.hpp>

#include "dbshift/exec/events.h"

namespace dbshift {

/// The JSON form of an event, shared by the run log and `--format json`
/// event streams: {"event": "...", "time": ..., then the fields that apply
/// to the type}. Empty fields are left out; *_finished events always carry
/// "ok" and "duration_ms" (milliseconds, microsecond precision), run_finished
/// also "applied_count". Strings are copied as given and may hold bytes that
/// are not UTF-8 (engine messages): dump with error_handler_t::replace.
nlohmann::json EventToJson(const Event& event);

}  // namespace dbshift
