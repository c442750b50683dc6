#pragma once

// libpq, loaded on demand. Linking libpq would make every run of dbshift,
// including `dbshift --version` and every SQLite run, load and initialise
// libpq's 31 shared dependencies (gssapi/krb5, ldap, gnutls, p11-kit, sasl,
// ...), which costs several milliseconds of start-up. So the driver calls
// libpq through a table of function pointers that is filled from
// libpq.so.5 the first time a postgres:// URL is opened.
//
// <libpq-fe.h> still provides the types, and each pointer is declared with
// the type of the function it stands for, so the compiler checks every call
// against the header as if libpq were linked.

#include <libpq-fe.h>

namespace dbshift::postgres {

// Every libpq function the driver calls. Add one here to call it.
#define DBSHIFT_LIBPQ_FUNCTIONS(X) \
  X(PQbackendPID)                  \
  X(PQclear)                       \
  X(PQcmdStatus)                   \
  X(PQcmdTuples)                   \
  X(PQconnectdbParams)             \
  X(PQconsumeInput)                \
  X(PQenterPipelineMode)           \
  X(PQerrorMessage)                \
  X(PQexec)                        \
  X(PQexecParams)                  \
  X(PQexecPrepared)                \
  X(PQexitPipelineMode)            \
  X(PQfinish)                      \
  X(PQfreemem)                     \
  X(PQgetCopyData)                 \
  X(PQgetResult)                   \
  X(PQgetisnull)                   \
  X(PQgetlength)                   \
  X(PQgetvalue)                    \
  X(PQisBusy)                      \
  X(PQnfields)                     \
  X(PQntuples)                     \
  X(PQparameterStatus)             \
  X(PQpipelineSync)                \
  X(PQprepare)                     \
  X(PQputCopyData)                 \
  X(PQputCopyEnd)                  \
  X(PQresStatus)                   \
  X(PQresultErrorField)            \
  X(PQresultErrorMessage)          \
  X(PQresultStatus)                \
  X(PQsendQuery)                   \
  X(PQsendQueryParams)             \
  X(PQsendFlushRequest)            \
  X(PQsendQueryPrepared)           \
  X(PQserverVersion)               \
  X(PQsetNoticeProcessor)          \
  X(PQsocket)                      \
  X(PQstatus)                      \
  X(PQtransactionStatus)

/// libpq's entry points, each named and typed as the function in <libpq-fe.h>.
struct LibpqApi {
// `name` is a declarator here, which parentheses would not allow.
#define DBSHIFT_LIBPQ_MEMBER(name) \
  decltype(&::name) name = nullptr;  // NOLINT(bugprone-macro-parentheses)
  DBSHIFT_LIBPQ_FUNCTIONS(DBSHIFT_LIBPQ_MEMBER)
#undef DBSHIFT_LIBPQ_MEMBER
};

/// The libpq entry points: `Libpq().PQexec(conn, sql)`. The first call loads
/// libpq.so.5 and resolves every function; later calls return the same table.
/// Thread-safe. Throws ConnectError, on this and every later call, when the
/// library or one of the functions cannot be loaded. Once a PGconn or
/// PGresult exists the library is loaded, so calls made to release one
/// (the deleters in handles.h) do not throw.
const LibpqApi& Libpq();

}  // namespace dbshift::postgres
