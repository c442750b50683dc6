// The least a status can do on PostgreSQL: connect, read every row of
// dbshift's history table, and exit. Linked to libpq (no dlopen), it reads
// no migration file and plans nothing, so its time is the floor under any
// `status` or no-op `up` on the same database, on this machine.
//
//   pg_read_history postgres://user@127.0.0.1:5432/db
//
// Prints the rows and value bytes read, so that a run reading nothing (a
// wrong database, an empty table) is seen.
#include <cstdio>

#include <libpq-fe.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pg_read_history postgres://...\n");
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "pg_read_history: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
  }
  PGresult* result = PQexec(conn, "SELECT * FROM dbshift_history ORDER BY installed_rank");
  const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
  if (ok) {
    const int rows = PQntuples(result);
    const int columns = PQnfields(result);
    long bytes = 0;
    for (int row = 0; row < rows; ++row) {
      for (int column = 0; column < columns; ++column) bytes += PQgetlength(result, row, column);
    }
    std::printf("%d rows, %ld bytes\n", rows, bytes);
  } else {
    std::fprintf(stderr, "pg_read_history: %s", PQerrorMessage(conn));
  }
  PQclear(result);
  PQfinish(conn);
  return ok ? 0 : 1;
}
