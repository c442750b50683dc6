#pragma once

#include <string>

#include "dbshift/exec/events.h"

namespace dbshift {

/// The JSON form of an event, one line without its newline, as the run log
/// writes it: {"event": "...", "time": ..., then the fields that apply to the
/// type}, keys in byte order. Empty fields are left out; *_finished events
/// always carry "ok" and "duration_ms" (milliseconds, microsecond
/// precision), run_finished also "applied_count". Strings may hold bytes that
/// are not UTF-8 (engine messages): those become U+FFFD, so the line stays
/// valid JSON. The bytes are exactly nlohmann::json's compact dump of the
/// same object; they are written directly because a run writes one line per
/// statement and building a JSON tree for each cost more CPU than the
/// statement's round trip.
std::string EventJson(const Event& event);

}  // namespace dbshift
