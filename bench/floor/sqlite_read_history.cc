// The least a status can do on SQLite: open the file, read every row of
// dbshift's history table, and exit. It reads no migration file and plans
// nothing, so its time is the floor under any `status` or no-op `up` on the
// same database, on this machine. Kept apart from pg_read_history so that it
// does not pay for loading libpq and the libraries libpq needs.
//
//   sqlite_read_history /path/to/file.db
//
// Prints the rows and value bytes read, so that a run reading nothing (a
// wrong file, an empty table) is seen.
#include <cstdio>

#include <sqlite3.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sqlite_read_history PATH\n");
    return 2;
  }
  // As dbshift does: no memory statistics, whose mutex every malloc takes.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_read_history: %s: %s\n", argv[1], sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  sqlite3_stmt* statement = nullptr;
  long rows = 0;
  long bytes = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT * FROM dbshift_history ORDER BY installed_rank", -1,
                              &statement, nullptr);
  if (rc == SQLITE_OK) {
    const int columns = sqlite3_column_count(statement);
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      ++rows;
      for (int column = 0; column < columns; ++column) {
        sqlite3_column_text(statement, column);  // as a client that prints would
        bytes += sqlite3_column_bytes(statement, column);
      }
    }
  }
  const bool ok = rc == SQLITE_DONE;
  if (ok) {
    std::printf("%ld rows, %ld bytes\n", rows, bytes);
  } else {
    std::fprintf(stderr, "sqlite_read_history: %s: %s\n", argv[1], sqlite3_errmsg(db));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return ok ? 0 : 1;
}
