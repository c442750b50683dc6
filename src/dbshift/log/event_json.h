#pragma once

#include <nlohmann/json.hpp>

#include "dbshift/exec/events.h"

namespace dbshift {

/// The JSON form of an event, shared by the run log and `--format json`
/// event streams: {"event": "...", "time": ..., then the fields that apply
/// to the type}. Empty fields are left out.
nlohmann::json EventToJson(const Event& event);

}  // namespace dbshift
