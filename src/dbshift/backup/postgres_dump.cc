#include "dbshift/backup/postgres_dump.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "dbshift/backup/parallel_connections.h"
#include "dbshift/backup/postgres_catalog.h"
#include "dbshift/backup/zstd_file.h"
#include "dbshift/schema/postgres_user_objects.h"

namespace dbshift::backup {
namespace {

// A DDL statement waiting for its lock queues every later query on the
// table behind it, so the backup waits a bounded time for its table locks
// and fails rather than stall the application.
constexpr const char* kTableLockTimeout = "30s";

struct SourceTable {
  BackupTable table;
  std::uint64_t disk_bytes = 0;
};

std::vector<SourceTable> ListTables(postgres::Connection& connection) {
  std::vector<SourceTable> tables;
  std::map<std::string, std::size_t> by_oid;
  for (const auto& row : connection.Rows(
           fmt::format("SELECT c.oid::text, n.nspname, c.relname, pg_relation_size(c.oid)::text "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND {} "
                       "ORDER BY n.nspname, c.relname",
                       schema::PostgresUserObject("pg_class", "c.oid")))) {
    SourceTable source;
    source.table.schema = CellText(row[1]);
    source.table.name = CellText(row[2]);
    source.disk_bytes = std::stoull(CellText(row[3]));
    by_oid[CellText(row[0])] = tables.size();
    tables.push_back(std::move(source));
  }
  if (tables.empty()) return tables;
  // Generated columns are computed again on load; COPY refuses them.
  for (const auto& row : connection.Rows(fmt::format(
           "SELECT a.attrelid::text, a.attname FROM pg_attribute a "
           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind = 'r' AND {} AND a.attnum > 0 AND NOT a.attisdropped "
           "AND a.attgenerated = '' ORDER BY a.attrelid, a.attnum",
           schema::PostgresUserSchema()))) {
    const auto found = by_oid.find(CellText(row[0]));
    if (found != by_oid.end()) tables[found->second].table.columns.push_back(CellText(row[1]));
  }
  return tables;
}

void LockTables(postgres::Connection& connection, const std::vector<SourceTable>& tables) {
  if (tables.empty()) return;
  std::string names;
  for (const SourceTable& source : tables) {
    names +=
        (names.empty() ? "" : ", ") + QualifiedPostgresName(source.table.schema, source.table.name);
  }
  connection.Exec(fmt::format("SET LOCAL lock_timeout = '{}'", kTableLockTimeout));
  connection.Exec(fmt::format("LOCK TABLE {} IN ACCESS SHARE MODE", names));
}

std::vector<BackupSequence> ReadSequences(postgres::Connection& connection) {
  std::vector<BackupSequence> sequences;
  for (const auto& row :
       connection.Rows(fmt::format("SELECT n.nspname, c.relname FROM pg_class c "
                                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE c.relkind = 'S' AND {} ORDER BY n.nspname, c.relname",
                                   schema::PostgresUserObject("pg_class", "c.oid")))) {
    BackupSequence sequence{CellText(row[0]), CellText(row[1]), "", false};
    const auto state =
        connection.Rows(fmt::format("SELECT last_value::text, is_called::text FROM {}",
                                    QualifiedPostgresName(sequence.schema, sequence.name)));
    sequence.last_value = CellText(state.at(0)[0]);
    sequence.is_called = CellText(state.at(0)[1]) == "true";
    sequences.push_back(std::move(sequence));
  }
  return sequences;
}

std::vector<BackupRelation> PopulatedMaterializedViews(postgres::Connection& connection) {
  std::vector<BackupRelation> views;
  for (const auto& row :
       connection.Rows(fmt::format("SELECT n.nspname, c.relname FROM pg_class c "
                                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE c.relkind = 'm' AND c.relispopulated AND {} "
                                   "ORDER BY n.nspname, c.relname",
                                   schema::PostgresUserObject("pg_class", "c.oid")))) {
    views.push_back({CellText(row[0]), CellText(row[1])});
  }
  return views;
}

}  // namespace

PostgresDump DumpPostgres(const Url& url, const std::filesystem::path& folder, int jobs,
                          const CopyProgress& progress, const std::function<void()>& while_locked) {
  // The snapshot lives as long as this transaction: the workers join it.
  postgres::Connection main(url, kPostgresConnectTimeout);
  main.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  const std::string snapshot = CellText(main.Rows("SELECT pg_export_snapshot()").at(0)[0]);
  std::vector<SourceTable> tables = ListTables(main);
  LockTables(main, tables);
  while_locked();

  PostgresDump dump;
  dump.sequences = ReadSequences(main);
  dump.materialized_views = PopulatedMaterializedViews(main);
  dump.files.resize(tables.size());
  for (std::size_t i = 0; i < tables.size(); ++i) {
    tables[i].table.file = fmt::format("table-{:04}.copy.zst", i + 1);
  }

  std::vector<std::uint64_t> sizes;
  for (const SourceTable& source : tables) sizes.push_back(source.disk_bytes);
  const std::vector<std::size_t> order = BiggestFirst(sizes);
  const std::uint64_t total = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});
  std::atomic<std::uint64_t> done{0};

  ParallelWork work;
  work.jobs = jobs;
  work.items = tables.size();
  work.session_sql = fmt::format(
      "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '{}'", snapshot);
  work.work = [&](postgres::Connection& connection, std::size_t item) {
    BackupTable& table = tables[order[item]].table;
    ZstdFileWriter writer(folder, table.file);
    table.rows = connection.CopyOut(
        fmt::format("COPY {} ({}) TO STDOUT", QualifiedPostgresName(table.schema, table.name),
                    PostgresColumnList(table.columns)),
        [&](std::string_view row) {
          writer.Write(row);
          done += row.size();
        });
    dump.files[order[item]] = writer.Finish();
  };
  if (progress) {
    // COPY text and pages on disk differ in size: the bar is an estimate
    // that ends at 100% when the last table is written.
    work.tick = [&] {
      const std::uint64_t now = done.load();
      progress(now, std::max(total, now + 1));
    };
  }
  RunOnConnections(url, work);
  if (progress) progress(done.load(), done.load());
  main.Exec("COMMIT");

  for (SourceTable& source : tables) dump.tables.push_back(std::move(source.table));
  return dump;
}

}  // namespace dbshift::backup
