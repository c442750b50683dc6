#pragma once

#include <memory>

#include <libpq-fe.h>

namespace dbshift::postgres {

/// Closes a libpq connection (PQfinish also frees a failed PQconnectdb result).
struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};

/// Frees a libpq result.
struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};

/// Owning handles: every PGconn and PGresult in the driver lives in one of
/// these from the moment libpq returns it, so no path can leak one.
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

}  // namespace dbshift::postgres
