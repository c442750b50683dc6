#pragma once

#include <string>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/driver/driver.h"
#include "dbshift/history/foreign_table.h"
#include "dbshift/source/migration.h"

namespace dbshift {

struct AdoptResult {
  std::vector<HistoryRow> rows;  ///< as written to (or already found in) dbshift's history
  bool already_adopted = false;  ///< the history held exactly these rows: nothing written
};

/// Copies the history kept in `from` into dbshift's own history table, in one
/// transaction, without running any migration; `from` is only read. A
/// checksum is taken over from the file when the old tool recorded none or
/// recorded the file's own (Flyway CRC-32 that matches); a Flyway checksum
/// that does not match is kept, so status and validate report the file as
/// changed. Run again on the same history it changes nothing.
///
/// Throws ConfigError when `from` does not exist, and ValidationError when
/// dbshift's history already holds other rows. The caller holds the lock.
AdoptResult Adopt(Driver& driver, ForeignTable& from, const MigrationSet& source,
                  const HistoryRow& stamp);

}  // namespace dbshift
