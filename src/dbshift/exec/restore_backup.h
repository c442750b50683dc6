#pragma once

// `dbshift restore` for every engine. SQLite's backup is a database file,
// copied back whole. PostgreSQL's is data: the migrations the backup was
// taken at build the schema on the empty target, and the data is loaded
// into it, so the restored database has exactly the schema those scripts
// give, never a shape the code does not expect.

#include "dbshift/backup/manifest.h"
#include "dbshift/backup/restore.h"
#include "dbshift/driver/driver.h"
#include "dbshift/exec/events.h"
#include "dbshift/exec/executor.h"
#include "dbshift/source/migration.h"

namespace dbshift {

/// Restores `request.from` into the database `target` is connected to, whose
/// migration lock the caller holds. Refuses as backup::CheckRestore does
/// before writing anything. PostgreSQL: applies the backup's migrations
/// (events to `sink`, with `run`'s placeholders and timeouts), then loads
/// the data; a failing migration throws Error (exit 1) naming its file and
/// line. Then checks every table's row count.
backup::Manifest RestoreBackup(Driver& target, const MigrationSet& source,
                               const backup::RestoreRequest& request, const RunOptions& run,
                               EventSink& sink);

}  // namespace dbshift
