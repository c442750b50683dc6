#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dbshift/source/migration.h"

namespace dbshift::cli {

/// The version `new` gives the next migration, in the folder's own style:
///  - no migrations yet: "1" in the native layout, else a timestamp (as
///    golang-migrate, dbmate and popx write by default);
///  - timestamps (one integer part of 12 or more digits): now as
///    YYYYMMDDHHMMSS (UTC), or last + 1 if the clock is behind the last;
///  - integers: last + 1, keeping zero padding ("007" -> "008");
///  - dotted: the last part + 1 ("1.2" -> "1.3").
std::string NextVersion(const MigrationSet& source, std::chrono::system_clock::time_point now);

/// A description as a file-name part: lower case, runs of anything but
/// letters and digits become one '_'. "Add e-mail to Users" -> "add_e_mail_to_users".
std::string DescriptionToFileName(std::string_view description);

}  // namespace dbshift::cli
