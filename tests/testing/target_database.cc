#include "testing/target_database.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <libpq-fe.h>
#include <sqlite3.h>

namespace dbshift::testing {
namespace {

std::string QuerySqlite(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error("sqlite open: " + message);
  }
  std::string rows;
  std::string error;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
  } else {
    int step;
    while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        if (i > 0) rows += '|';
        const unsigned char* text = sqlite3_column_text(statement, i);
        rows += text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
      }
      rows += '\n';
    }
    if (step != SQLITE_DONE) error = sqlite3_errmsg(db);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  if (!error.empty()) throw std::runtime_error("sqlite: " + error + " in: " + sql);
  return rows;
}

std::string QueryPostgres(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("postgres connect: " + message);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  std::string rows;
  std::string error;
  if (PQresultStatus(result) == PGRES_TUPLES_OK) {
    for (int row = 0; row < PQntuples(result); ++row) {
      for (int column = 0; column < PQnfields(result); ++column) {
        if (column > 0) rows += '|';
        rows += PQgetisnull(result, row, column) ? "NULL" : PQgetvalue(result, row, column);
      }
      rows += '\n';
    }
  } else if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    error = PQerrorMessage(conn);
  }
  PQclear(result);
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("postgres: " + error + " in: " + sql);
  return rows;
}

// The body of a '...' literal under the default sql_mode (backslash escapes).
std::string QuoteMysqlString(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out;
}

}  // namespace

TargetDatabase::TargetDatabase(std::string_view engine) : engine_(engine) {
  if (engine_ == "sqlite") {
    url_ = "sqlite:" + (dir_.path() / "target.db").string();
  } else if (engine_ == "postgres") {
    postgres_ = std::make_unique<ScopedPostgresDatabase>();
    url_ = postgres_->url();
  } else if (engine_ == "mysql") {
    mysql_ = std::make_unique<ScopedMysqlDatabase>();
    url_ = mysql_->url();
  } else {
    throw std::invalid_argument("unknown engine " + engine_);
  }
}

TargetDatabase::~TargetDatabase() = default;

std::string TargetDatabase::Query(const std::string& sql) const {
  if (engine_ == "sqlite") return QuerySqlite((dir_.path() / "target.db").string(), sql);
  if (engine_ == "mysql") return QueryMysql(url_, sql);
  return QueryPostgres(url_, sql);
}

bool TargetDatabase::HasTable(const std::string& name) const {
  if (engine_ == "sqlite") {
    return !Query("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = '" + name +
                  "'")
                .empty();
  }
  if (engine_ == "mysql") {
    return !Query(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND "
                "table_name = '" +
                QuoteMysqlString(name) + "'")
                .empty();
  }
  return Query("SELECT to_regclass('" + name + "') IS NOT NULL") == "t\n";
}

std::string TargetDatabase::SchemaSnapshot() const {
  if (engine_ == "sqlite") {
    return Query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name");
  }
  if (engine_ == "mysql") {
    // Index columns by position, zero-padded so that 10 sorts after 9; view
    // definitions without the database name, so two databases compare equal.
    return Query(
        "SELECT 'column', table_name, column_name, column_type, column_default, is_nullable "
        "FROM information_schema.columns WHERE table_schema = DATABASE() "
        "UNION ALL SELECT 'index', table_name, index_name, LPAD(seq_in_index, 3, '0'), "
        "column_name, non_unique "
        "FROM information_schema.statistics WHERE table_schema = DATABASE() "
        "UNION ALL SELECT 'trigger', event_object_table, trigger_name, action_statement, "
        "event_manipulation, action_timing "
        "FROM information_schema.triggers WHERE trigger_schema = DATABASE() "
        "UNION ALL SELECT 'view', table_name, '', "
        "REPLACE(view_definition, CONCAT('`', DATABASE(), '`.'), ''), '', '' "
        "FROM information_schema.views WHERE table_schema = DATABASE() "
        "UNION ALL SELECT 'routine', routine_type, routine_name, routine_definition, '', '' "
        "FROM information_schema.routines WHERE routine_schema = DATABASE() "
        "ORDER BY 1, 2, 3, 4, 5");
  }
  return Query(
      "SELECT 'column', table_name, column_name, data_type, coalesce(column_default, ''), "
      "is_nullable "
      "FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', "
      "'information_schema') "
      "UNION ALL SELECT 'index', tablename, indexname, indexdef, '', '' FROM pg_indexes "
      "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
      "UNION ALL SELECT 'trigger', event_object_table, trigger_name, action_statement, "
      "event_manipulation, action_timing FROM information_schema.triggers "
      "UNION ALL SELECT 'function', n.nspname, p.proname, pg_get_functiondef(p.oid), '', '' "
      "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "ORDER BY 1, 2, 3, 4");
}

}  // namespace dbshift::testing
