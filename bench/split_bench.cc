// SplitStatements on generated scripts: a 10,000-statement script per
// dialect (a large data or schema dump), and one typical three-statement
// migration (what `dbshift up` splits once per migration).
//
//   build-bench/bench/split_bench [--benchmark_filter=Postgres]

#include <cstddef>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "dbshift/sql/statement.h"

namespace dbshift {
namespace {

constexpr int kLargeScriptStatements = 10'000;

// Statement i of a script in the shape of gen_migrations.sh (create table,
// create index, add column), with the things a splitter must step over
// mixed in: comments, quoted strings with ';', quoted identifiers, and (on
// PostgreSQL) dollar-quoted function bodies.
std::string PostgresStatement(int i) {
  switch (i % 6) {
    case 0:
      return fmt::format(
          "-- migration {0}\nCREATE TABLE t_{0:06} (\n  id bigserial PRIMARY KEY,\n"
          "  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n",
          i);
    case 1:
      return fmt::format("CREATE INDEX t_{0:06}_name_idx ON t_{0:06} (name);\n", i - 1);
    case 2:
      return fmt::format("ALTER TABLE t_{0:06} ADD COLUMN note text; /* nullable */\n", i - 2);
    case 3:
      return fmt::format(
          "INSERT INTO t_{0:06} (name, note) VALUES ('it''s; not the end', E'a\\'b;c'), "
          "(\"quoted\", 'x');\n",
          i - 3);
    case 4:
      return fmt::format(
          "CREATE FUNCTION f_{0:06}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
          "BEGIN\n  NEW.note := 'touched; again';\n  RETURN NEW;\nEND;\n$body$;\n",
          i);
    default:
      return fmt::format("COMMENT ON TABLE t_{0:06} IS 'table number {0}; generated';\n", i - 5);
  }
}

std::string SqliteStatement(int i) {
  switch (i % 6) {
    case 0:
      return fmt::format(
          "-- migration {0}\nCREATE TABLE t_{0:06} (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  name TEXT NOT NULL,\n  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n",
          i);
    case 1:
      return fmt::format("CREATE INDEX t_{0:06}_name_idx ON t_{0:06} (name);\n", i - 1);
    case 2:
      return fmt::format("ALTER TABLE t_{0:06} ADD COLUMN note TEXT; /* nullable */\n", i - 2);
    case 3:
      return fmt::format(
          "INSERT INTO t_{0:06} (name, note) VALUES ('it''s; not the end', 'b;c'), "
          "(\"quoted\", 'x');\n",
          i - 3);
    case 4:
      return fmt::format(
          "CREATE TRIGGER tr_{0:06} AFTER INSERT ON t_{1:06} BEGIN\n"
          "  UPDATE t_{1:06} SET note = 'touched; again' WHERE id = NEW.id;\nEND;\n",
          i, i - 4);
    default:
      return fmt::format("DELETE FROM t_{0:06} WHERE name = 'gone; really';\n", i - 5);
  }
}

std::string Script(Dialect dialect, int statements) {
  std::string script;
  for (int i = 0; i < statements; ++i) {
    script += dialect == Dialect::kPostgres ? PostgresStatement(i) : SqliteStatement(i);
  }
  return script;
}

// The migration gen_migrations.sh writes (and dbshift's converted layout runs).
std::string TypicalMigration(Dialect dialect) {
  if (dialect == Dialect::kPostgres) {
    return "CREATE TABLE t_000001 (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n"
           "  created_at timestamptz NOT NULL DEFAULT now()\n);\n"
           "CREATE INDEX t_000001_name_idx ON t_000001 (name);\n"
           "ALTER TABLE t_000001 ADD COLUMN note text;\n";
  }
  return "CREATE TABLE t_000001 (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  name TEXT NOT NULL,\n"
         "  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n"
         "CREATE INDEX t_000001_name_idx ON t_000001 (name);\n"
         "ALTER TABLE t_000001 ADD COLUMN note TEXT;\n";
}

void Run(benchmark::State& state, const std::string& script, Dialect dialect,
         std::size_t expected) {
  std::size_t count = 0;
  for (auto _ : state) {
    std::vector<Statement> statements = SplitStatements(script, dialect);
    count = statements.size();
    benchmark::DoNotOptimize(statements.data());
  }
  if (count != expected) {
    state.SkipWithError(fmt::format("split into {} statements, expected {}", count, expected).c_str());
    return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * script.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
  state.counters["script_bytes"] = static_cast<double>(script.size());
}

void BM_SplitLarge(benchmark::State& state, Dialect dialect) {
  const std::string script = Script(dialect, kLargeScriptStatements);
  Run(state, script, dialect, kLargeScriptStatements);
}

void BM_SplitTypicalMigration(benchmark::State& state, Dialect dialect) {
  Run(state, TypicalMigration(dialect), dialect, 3);
}

BENCHMARK_CAPTURE(BM_SplitLarge, Postgres10k, Dialect::kPostgres)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SplitLarge, Sqlite10k, Dialect::kSqlite)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SplitTypicalMigration, Postgres, Dialect::kPostgres)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SplitTypicalMigration, Sqlite, Dialect::kSqlite)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dbshift

BENCHMARK_MAIN();
