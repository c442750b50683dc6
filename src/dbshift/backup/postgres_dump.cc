#include "dbshift/backup/postgres_dump.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "dbshift/backup/parallel_connections.h"
#include "dbshift/backup/postgres_catalog.h"
#include "dbshift/backup/zstd_file.h"

namespace dbshift::backup {
namespace {

constexpr std::chrono::milliseconds kConnectTimeout{10000};

// A DDL statement waiting for its lock queues every later query on the
// table behind it, so the backup waits a bounded time for its table locks
// and fails rather than stall the application.
constexpr const char* kTableLockTimeout = "30s";

std::string Text(const std::optional<std::string>& cell) { return cell.value_or(""); }

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
                       "WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND {} AND {} "
                       "ORDER BY n.nspname, c.relname",
                       kPostgresUserSchema, kPostgresNotFromExtension))) {
    SourceTable source;
    source.table.schema = Text(row[1]);
    source.table.name = Text(row[2]);
    source.disk_bytes = std::stoull(Text(row[3]));
    by_oid[Text(row[0])] = tables.size();
    tables.push_back(std::move(source));
  }
  if (tables.empty()) return tables;
  // Generated columns are computed again on load; COPY refuses them.
  for (const auto& row : connection.Rows(fmt::format(
           "SELECT a.attrelid::text, a.attname FROM pg_attribute a "
           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind = 'r' AND {} AND a.attnum > 0 AND NOT a.attisdropped "
           "AND a.attgenerated = '' ORDER BY a.attrelid, a.attnum",
           kPostgresUserSchema))) {
    const auto found = by_oid.find(Text(row[0]));
    if (found != by_oid.end()) tables[found->second].table.columns.push_back(Text(row[1]));
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
  for (const auto& row : connection.Rows(
           fmt::format("SELECT n.nspname, c.relname FROM pg_class c "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE c.relkind = 'S' AND {} AND {} ORDER BY n.nspname, c.relname",
                       kPostgresUserSchema, kPostgresNotFromExtension))) {
    BackupSequence sequence{Text(row[0]), Text(row[1]), "", false};
    const auto state =
        connection.Rows(fmt::format("SELECT last_value::text, is_called::text FROM {}",
                                    QualifiedPostgresName(sequence.schema, sequence.name)));
    sequence.last_value = Text(state.at(0)[0]);
    sequence.is_called = Text(state.at(0)[1]) == "true";
    sequences.push_back(std::move(sequence));
  }
  return sequences;
}

std::vector<BackupRelation> PopulatedMaterializedViews(postgres::Connection& connection) {
  std::vector<BackupRelation> views;
  for (const auto& row :
       connection.Rows(fmt::format("SELECT n.nspname, c.relname FROM pg_class c "
                                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE c.relkind = 'm' AND c.relispopulated AND {} AND {} "
                                   "ORDER BY n.nspname, c.relname",
                                   kPostgresUserSchema, kPostgresNotFromExtension))) {
    views.push_back({Text(row[0]), Text(row[1])});
  }
  return views;
}

}  // namespace

PostgresDump DumpPostgres(const Url& url, const std::filesystem::path& folder, int jobs,
                          const CopyProgress& progress, const std::function<void()>& while_locked) {
  // The snapshot lives as long as this transaction: the workers join it.
  postgres::Connection main(url, kConnectTimeout);
  main.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  const std::string snapshot = Text(main.Rows("SELECT pg_export_snapshot()").at(0)[0]);
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

  // Biggest first, so that the last table to finish is a small one.
  std::vector<std::size_t> order(tables.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tables[a].disk_bytes > tables[b].disk_bytes;
  });
  std::uint64_t total = 0;
  for (const SourceTable& source : tables) total += source.disk_bytes;
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
