#pragma once

// An empty database of the target's engine, to build a schema in away from
// the target (drift builds the schema the migrations give there).

#include <memory>
#include <string>
#include <string_view>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"

namespace dbshift {

/// Owns the scratch database and a driver connected to it; the database is
/// removed when the object dies, however the command ends (a process that
/// is killed leaves it behind; its name says what it is). Not copyable, not
/// thread-safe.
class ScratchDatabase {
 public:
  virtual ~ScratchDatabase() = default;

  /// Connected to the scratch database. Valid until Remove().
  virtual Driver& driver() = 0;
  /// Disconnects and removes the database now. Never throws: returns ""
  /// when it is gone, else a message that names it, so that it can be
  /// dropped by hand. Later calls return "".
  virtual std::string Remove() noexcept = 0;
};

/// A new, empty database beside the target, connected with `options`:
///  - SQLite: scratch.db in a new ScratchFolder ($TMPDIR);
///  - PostgreSQL: "dbshift_scratch_<pid>_<random>", created from template0
///    on the target's server through the target's connection (which must
///    not be inside a transaction), reached with `target_url` naming that
///    database instead, and dropped WITH (FORCE) at the end. The search_path
///    of the target's session is set on the scratch session, so that
///    unqualified names land in the same schemas as on the target.
/// Throws UsageError for MySQL/MariaDB and when the PostgreSQL role may not
/// create databases (both messages begin with `command`), ConfigError for a
/// URL that names its database in a parameter, ConnectError, SqlError.
std::unique_ptr<ScratchDatabase> CreateScratchDatabase(Driver& target, const Url& target_url,
                                                       const DriverOptions& options,
                                                       std::string_view command);

}  // namespace dbshift
