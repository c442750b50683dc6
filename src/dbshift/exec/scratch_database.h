#pragma once

// An empty database of the target's engine, to build a schema in away from
// the target (drift builds the schema the migrations give there).

#include <functional>
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

/// Opens the target again, as the command first did.
using Reconnect = std::function<std::unique_ptr<Driver>()>;

/// A PostgreSQL copy by template: `copy` is set, or `why_not` says why it
/// could not be made.
struct TemplateCopy {
  std::unique_ptr<ScratchDatabase> copy;
  std::string why_not;
  bool target_in_use = false;  ///< why_not is a session on the target
};

/// PostgreSQL: a scratch database (named, connected and removed as above)
/// made with CREATE DATABASE ... TEMPLATE <the target's database>, issued
/// from a session on the server's "postgres" database (else template1).
/// The server copies a database only while no session is connected to it,
/// and new sessions of the target wait until the copy is made. So, when no
/// other session is connected, `target` is closed first (reset), and
/// opened again with `reconnect` when the server then refuses. Not made,
/// with `why_not` saying why (and `target` connected):
///  - another session is connected to the target (nothing was tried);
///  - no session beside the target could be opened;
///  - the server refused: a session connected meanwhile (SQLSTATE 55006),
///    or the role may not copy the database or create one (42501).
/// Other failures throw, as CreateScratchDatabase, with `target` connected.
TemplateCopy CopyByTemplate(std::unique_ptr<Driver>& target, const Url& target_url,
                            const DriverOptions& options, const Reconnect& reconnect);

}  // namespace dbshift
