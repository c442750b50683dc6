#pragma once

// The one place the SQLite driver turns result codes into exceptions.

#include <string>
#include <string_view>

#include <sqlite3.h>

namespace dbshift::sqlite {

/// "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_BUSY", ...: the extended code's name
/// when known, else the primary code's name, else "SQLITE_<number>".
std::string ResultCodeName(int result_code);

/// Throws SqlError for `result_code` with sqlite3_errmsg(db) as the message
/// and the code's name as its sqlstate. `text` is the SQL that was prepared,
/// starting `text_offset` bytes into the statement the caller was given; when
/// SQLite names the failing token, the position is reported in characters
/// from the start of that statement (`statement`, which contains `text`).
[[noreturn]] void ThrowSqlError(sqlite3* db, int result_code, std::string_view statement = {},
                                std::size_t text_offset = 0);

/// Returns normally for SQLITE_OK, SQLITE_ROW and SQLITE_DONE; throws
/// SqlError (see ThrowSqlError) for anything else.
inline void Check(sqlite3* db, int result_code) {
  if (result_code != SQLITE_OK && result_code != SQLITE_ROW && result_code != SQLITE_DONE) {
    ThrowSqlError(db, result_code);
  }
}

}  // namespace dbshift::sqlite
