#pragma once

#include <memory>

#include <libpq-fe.h>

#include "dbshift/driver/postgres/libpq.h"

namespace dbshift::postgres {

// The deleters call libpq through the loaded table (see libpq.h). A handle
// exists only once libpq is loaded, so Libpq() cannot throw here.

/// Closes a libpq connection (PQfinish also frees a failed PQconnectdb result).
struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { Libpq().PQfinish(conn); }
};

/// Frees a libpq result.
struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { Libpq().PQclear(result); }
};

/// Owning handles: every PGconn and PGresult in the driver lives in one of
/// these from the moment libpq returns it, so no path can leak one.
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

}  // namespace dbshift::postgres
