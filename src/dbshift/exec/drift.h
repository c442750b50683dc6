#pragma once

// `dbshift drift`: is the live schema the one the applied migrations give?
// The applied migrations are run into an empty scratch database, and the two
// schemas are compared object by object.

#include <optional>
#include <string>
#include <vector>

#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/schema/snapshot.h"
#include "dbshift/source/migration.h"

namespace dbshift {

struct DriftOptions {
  /// The target's history table: left out of both schemas, and the name of
  /// the history table in the scratch database.
  std::string history_table = "dbshift_history";
  /// PostgreSQL: the schema the target's history lives in (a namespace's);
  /// the scratch's history goes there too. Empty: the first of search_path.
  std::string history_schema;
  /// How the migrations run on the scratch database: placeholders, timeouts.
  /// The lint gate, backups, targets and dry runs do not apply there.
  RunOptions run;
};

struct DriftResult {
  std::string target;                  ///< redacted
  std::optional<std::string> version;  ///< the target's current version; nullopt: none
  /// expected: from the migrations; actual: live. Sorted by (kind, name).
  std::vector<schema::SchemaDifference> differences;
  /// What the comparison cannot account for, one sentence each: objects
  /// from before a baseline, repeatable scripts edited since they ran, a
  /// scratch database that could not be dropped.
  std::vector<std::string> notes;
  /// An applied migration failed on the scratch database: there is no
  /// schema to compare with.
  std::optional<RunFailure> failure;

  bool drift() const { return !differences.empty(); }
};

/// Builds, in a scratch database (see CreateScratchDatabase), the schema
/// that the migrations the target's history records as applied give, and
/// compares the live schema of `target` with it. `target_url` is the URL
/// `target` was opened with (PostgreSQL: the scratch is reached through it).
/// The target is only read. Events of the run on the scratch go to `sink`.
/// Throws UsageError for MySQL/MariaDB targets and a PostgreSQL role
/// without CREATEDB; ValidationError, as `up` words it, when an applied
/// migration is missing from `source`, changed, or failed, and when the
/// target's history changes while the live schema is read.
DriftResult FindDrift(Driver& target, const Url& target_url, const MigrationSet& source,
                      const DriftOptions& options, EventSink& sink);

}  // namespace dbshift
