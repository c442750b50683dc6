#include "dbshift/backup/postgres_load.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "dbshift/backup/parallel_connections.h"
#include "dbshift/backup/postgres_catalog.h"
#include "dbshift/backup/zstd_file.h"
#include "dbshift/common/error.h"
#include "dbshift/schema/postgres_user_objects.h"

namespace dbshift::backup {
namespace {

std::string Name(const BackupTable& table) {
  return QualifiedPostgresName(table.schema, table.name);
}

// Every table and column the backup holds must be in the target, or COPY
// would fail half-way through the load.
void RequireTablesAndColumns(postgres::Connection& connection, const Manifest& manifest) {
  std::map<std::string, std::set<std::string>> columns;  // "schema.table" -> columns
  for (const auto& row : connection.Rows(fmt::format(
           "SELECT n.nspname || '.' || c.relname, a.attname FROM pg_attribute a "
           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind = 'r' AND {} AND a.attnum > 0 AND NOT a.attisdropped",
           schema::PostgresUserSchema()))) {
    columns[CellText(row[0])].insert(CellText(row[1]));
  }
  std::vector<std::string> lines;
  for (const BackupTable& table : manifest.tables) {
    const auto found = columns.find(table.schema + "." + table.name);
    if (found == columns.end()) {
      lines.push_back(fmt::format("table {}.{} is not in the target", table.schema, table.name));
      continue;
    }
    for (const std::string& column : table.columns) {
      if (!found->second.contains(column)) {
        lines.push_back(
            fmt::format("column {}.{}.{} is not in the target", table.schema, table.name, column));
      }
    }
  }
  if (lines.empty()) return;
  std::string text;
  for (const std::string& line : lines) text += "\n  - " + line;
  throw ValidationError(fmt::format(
      "restore refused: the migrations did not give the target the tables the backup holds "
      "(the source database had changes no migration made?){}",
      text));
}

struct ForeignKey {
  std::string table;  // qualified, quoted
  std::string name;   // quoted
  std::string definition;
};

// Top-level foreign keys only: those of partitions follow their parent's.
std::vector<ForeignKey> ForeignKeys(postgres::Connection& connection) {
  std::vector<ForeignKey> keys;
  for (const auto& row : connection.Rows(
           fmt::format("SELECT n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid) "
                       "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE con.contype = 'f' AND con.conparentid = 0 AND {} "
                       "ORDER BY n.nspname, c.relname, con.conname",
                       schema::PostgresUserSchema()))) {
    keys.push_back({QualifiedPostgresName(CellText(row[0]), CellText(row[1])),
                    QuotePostgresName(CellText(row[2])), CellText(row[3])});
  }
  return keys;
}

// The loaded tables that have triggers of the user's (audit, updated_at):
// rows come back as they were, so those must not fire.
std::vector<std::string> TablesWithUserTriggers(postgres::Connection& connection,
                                                const Manifest& manifest) {
  std::set<std::string> loaded;
  for (const BackupTable& table : manifest.tables) loaded.insert(table.schema + "." + table.name);
  std::vector<std::string> tables;
  for (const auto& row : connection.Rows(fmt::format(
           "SELECT DISTINCT n.nspname, c.relname FROM pg_trigger t "
           "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE NOT t.tgisinternal AND {} ORDER BY 1, 2",
           schema::PostgresUserSchema()))) {
    if (loaded.contains(CellText(row[0]) + "." + CellText(row[1]))) {
      tables.push_back(QualifiedPostgresName(CellText(row[0]), CellText(row[1])));
    }
  }
  return tables;
}

// An index of a loaded table, built again after its rows are in: one sort
// builds a B-tree several times faster than a million inserts into it (as
// pg_restore orders it). Only indexes that come back exactly as they were
// from their definition are set aside: not those with a comment, a
// tablespace, per-column statistics targets, a CLUSTER or replica-identity
// mark, partitioned ones, or ones something else depends on (a view that
// groups by a primary key); those stay and are filled as rows arrive.
struct IndexToRebuild {
  std::string table;  // "schema.name", as in the manifest
  std::string drop;
  std::string create;
};

std::vector<IndexToRebuild> IndexesToRebuild(postgres::Connection& connection,
                                             const Manifest& manifest) {
  std::set<std::string> loaded;
  for (const BackupTable& table : manifest.tables) loaded.insert(table.schema + "." + table.name);
  std::vector<IndexToRebuild> indexes;
  for (const auto& row : connection.Rows(fmt::format(
           "SELECT n.nspname, c.relname, i.relname, pg_get_indexdef(i.oid), con.conname, "
           "pg_get_constraintdef(con.oid) "
           "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
           "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = c.oid "
           "  AND con.contype IN ('p', 'u', 'x') "
           "WHERE c.relkind = 'r' AND NOT c.relispartition AND i.relkind = 'i' AND {} "
           "AND x.indisvalid AND NOT x.indisclustered AND NOT x.indisreplident "
           "AND i.reltablespace = 0 AND (con.oid IS NULL OR con.contype IN ('p', 'u')) "
           "AND NOT EXISTS (SELECT 1 FROM pg_description d "
           "  WHERE (d.classoid = 'pg_class'::regclass AND d.objoid = i.oid) "
           "    OR (d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid)) "
           "AND NOT EXISTS (SELECT 1 FROM pg_attribute a "
           "  WHERE a.attrelid = i.oid AND a.attstattarget >= 0) "
           "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.oid) "
           "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.deptype = 'n' "
           "  AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid = i.oid) "
           "    OR (d.refclassid = 'pg_constraint'::regclass AND d.refobjid = con.oid)) "
           "  AND NOT (d.classid = 'pg_constraint'::regclass AND EXISTS (SELECT 1 "
           "    FROM pg_constraint f WHERE f.oid = d.objid AND f.contype = 'f'))) "
           "ORDER BY 1, 2, 3",
           schema::PostgresUserSchema()))) {
    const std::string table = CellText(row[0]) + "." + CellText(row[1]);
    if (!loaded.contains(table)) continue;
    const std::string relation = QualifiedPostgresName(CellText(row[0]), CellText(row[1]));
    if (row[4]) {
      const std::string name = QuotePostgresName(*row[4]);
      indexes.push_back(
          {table, fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", relation, name),
           fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", relation, name, CellText(row[5]))});
    } else {
      indexes.push_back(
          {table,
           fmt::format("DROP INDEX {}", QualifiedPostgresName(CellText(row[0]), CellText(row[2]))),
           CellText(row[3])});
    }
  }
  return indexes;
}

// Runs `body` between BEGIN and COMMIT; on any failure, rolls back and
// reports the body's failure.
void InTransaction(postgres::Connection& connection, const std::function<void()>& body) {
  connection.Exec("BEGIN");
  try {
    body();
    connection.Exec("COMMIT");
  } catch (...) {
    try {
      connection.Exec("ROLLBACK");
    } catch (const Error&) {
      // The body's own failure is the one to report.
    }
    throw;
  }
}

void RunTransaction(postgres::Connection& connection, const std::vector<std::string>& statements) {
  InTransaction(connection, [&] {
    for (const std::string& statement : statements) connection.Exec(statement);
  });
}

}  // namespace

std::vector<BackupTable> LoadPostgres(const Url& url, const std::filesystem::path& folder,
                                      const Manifest& manifest, int jobs,
                                      const CopyProgress& progress) {
  postgres::Connection main(url, kPostgresConnectTimeout);
  RequireTablesAndColumns(main, manifest);
  const std::vector<ForeignKey> keys = ForeignKeys(main);
  const std::vector<std::string> triggered = TablesWithUserTriggers(main, manifest);
  const std::vector<IndexToRebuild> indexes = IndexesToRebuild(main, manifest);

  // One transaction: either all of it happens or none.
  std::vector<std::string> before;
  for (const ForeignKey& key : keys) {
    before.push_back(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", key.table, key.name));
  }
  for (const std::string& table : triggered) {
    before.push_back(fmt::format("ALTER TABLE {} DISABLE TRIGGER USER", table));
  }
  for (const IndexToRebuild& index : indexes) before.push_back(index.drop);
  RunTransaction(main, before);

  std::vector<BackupTable> loaded(manifest.tables.size());
  std::map<std::string, std::uint64_t> file_bytes;
  for (const BackupFile& file : manifest.files) file_bytes[file.path] = file.bytes;
  std::vector<std::uint64_t> sizes;
  std::map<std::string, std::uint64_t> table_bytes;  // "schema.name" -> its file's size
  for (const BackupTable& table : manifest.tables) {
    sizes.push_back(file_bytes[table.file]);
    table_bytes[table.schema + "." + table.name] = sizes.back();
  }
  const std::vector<std::size_t> order = BiggestFirst(sizes);
  const std::uint64_t total = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});
  std::atomic<std::uint64_t> done{0};

  ParallelWork work;
  work.jobs = jobs;
  work.items = manifest.tables.size();
  work.work = [&](postgres::Connection& connection, std::size_t item) {
    const BackupTable& table = manifest.tables[order[item]];
    BackupTable& result = loaded[order[item]];
    result.schema = table.schema;
    result.name = table.name;
    // Emptied in the transaction that loads it, so COPY may write the rows
    // frozen: the index builds and key checks that read them next do not
    // have to write every page again to set hint bits. (The migrations'
    // seed rows, and the history they wrote, give way to the backup's.)
    InTransaction(connection, [&] {
      connection.Exec(fmt::format("TRUNCATE ONLY {}", Name(table)));
      result.rows = connection.CopyIn(fmt::format("COPY {} ({}) FROM STDIN (FREEZE)", Name(table),
                                                  PostgresColumnList(table.columns)),
                                      [&](const postgres::Connection::CopySend& send) {
                                        ReadZstdFile(folder / table.file, send);
                                      });
    });
    done += sizes[order[item]];
  };
  if (progress) {
    work.tick = [&] { progress(done.load(), total); };
  }

  std::vector<std::string> after;
  for (const std::string& table : triggered) {
    after.push_back(fmt::format("ALTER TABLE {} ENABLE TRIGGER USER", table));
  }
  // Added back as they were, which checks every row against its key.
  for (const ForeignKey& key : keys) {
    after.push_back(
        fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", key.table, key.name, key.definition));
  }
  for (const BackupSequence& sequence : manifest.sequences) {
    after.push_back(
        fmt::format("SELECT setval({}, {}, {})",
                    PostgresLiteral(QualifiedPostgresName(sequence.schema, sequence.name)),
                    PostgresLiteral(sequence.last_value), sequence.is_called ? "true" : "false"));
  }
  for (const BackupRelation& view : manifest.materialized_views) {
    after.push_back(
        fmt::format("REFRESH MATERIALIZED VIEW {}", QualifiedPostgresName(view.schema, view.name)));
  }
  // Indexes of the biggest tables first, several at a time.
  std::vector<std::uint64_t> index_sizes;
  for (const IndexToRebuild& index : indexes) index_sizes.push_back(table_bytes[index.table]);
  const std::vector<std::size_t> builds = BiggestFirst(index_sizes);
  ParallelWork rebuild;
  rebuild.jobs = jobs;
  rebuild.items = builds.size();
  rebuild.work = [&](postgres::Connection& connection, std::size_t item) {
    connection.Exec(indexes[builds[item]].create);
  };

  try {
    RunOnConnections(url, work);
    RunOnConnections(url, rebuild);
    RunTransaction(main, after);
  } catch (const Error& error) {
    throw Error(ExitCode::kMigrationFailed,
                fmt::format("restore: loading the data failed: {}\nThe target is at the backup's "
                            "schema version with part of the data ({} foreign key{} and up to {} "
                            "index{} dropped, user triggers of {} table{} disabled): drop it, "
                            "create it empty and restore again",
                            error.what(), keys.size(), keys.size() == 1 ? "" : "s", indexes.size(),
                            indexes.size() == 1 ? "" : "es", triggered.size(),
                            triggered.size() == 1 ? "" : "s"));
  }
  if (progress) progress(total, total);
  return loaded;
}

}  // namespace dbshift::backup
