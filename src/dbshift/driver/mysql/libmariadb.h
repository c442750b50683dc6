#pragma once

// MariaDB Connector/C (libmariadb.so.3), loaded on demand like libpq (see
// driver/dynamic_library.h): SQLite and PostgreSQL runs, and `dbshift
// --version`, never pay for loading it. <mysql.h> provides the types, and
// each pointer has the type of the function it stands for.

#include <mysql.h>

namespace dbshift::mysql {

// Every libmariadb function the driver calls. Add one here to call it.
#define DBSHIFT_LIBMARIADB_FUNCTIONS(X) \
  X(mysql_affected_rows)                \
  X(mysql_close)                        \
  X(mysql_errno)                        \
  X(mysql_error)                        \
  X(mysql_fetch_lengths)                \
  X(mysql_fetch_row)                    \
  X(mysql_free_result)                  \
  X(mysql_get_socket)                   \
  X(mysql_get_server_info)              \
  X(mysql_get_ssl_cipher)               \
  X(mysql_init)                         \
  X(mysql_more_results)                 \
  X(mysql_next_result)                  \
  X(mysql_num_fields)                   \
  X(mysql_optionsv)                     \
  X(mysql_real_connect)                 \
  X(mysql_real_escape_string)           \
  X(mysql_real_query)                   \
  X(mysql_sqlstate)                     \
  X(mysql_store_result)                 \
  X(mysql_thread_id)

/// libmariadb's entry points, each named and typed as in <mysql.h>.
struct LibmariadbApi {
// `name` is a declarator here, which parentheses would not allow.
#define DBSHIFT_LIBMARIADB_MEMBER(name) \
  decltype(&::name) name = nullptr;  // NOLINT(bugprone-macro-parentheses)
  DBSHIFT_LIBMARIADB_FUNCTIONS(DBSHIFT_LIBMARIADB_MEMBER)
#undef DBSHIFT_LIBMARIADB_MEMBER
};

/// The entry points: `Libmariadb().mysql_real_query(...)`. The first call
/// loads the library; throws ConnectError (now and later) when it cannot.
const LibmariadbApi& Libmariadb();

}  // namespace dbshift::mysql
