#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dbshift {

/// SQL dialects dbshift splits and executes.
enum class Dialect { kSqlite, kPostgres, kMysql };

/// "sqlite", "postgres", "mysql".
const char* DialectName(Dialect dialect);

/// One statement of a script, as the engine will receive it.
struct Statement {
  std::string text;        ///< from its first token to its end, without the terminating ';'
  std::size_t offset = 0;  ///< byte offset of text[0] in the script
  int line = 1;            ///< 1-based script line of text[0]
  /// PostgreSQL `COPY ... FROM STDIN`: the data lines that followed the
  /// statement in the script, up to (not including) the `\.` line, each
  /// ending in '\n'. Empty for every other statement.
  std::string copy_data;
  bool copy_from_stdin = false;
};

/// Splits a script into statements the way the engine's own client does:
///  - PostgreSQL (psql): '...' and E'...' strings, "identifiers", $tag$
///    dollar quotes $tag$, -- and nested /* */ comments, semicolons inside
///    parentheses, BEGIN ATOMIC ... END bodies, and COPY ... FROM STDIN
///    followed by data lines ending at a line "\.".
///  - SQLite (sqlite3 shell): a statement ends at a ';' where
///    sqlite3_complete() says it is complete, so CREATE TRIGGER ... BEGIN ...
///    END; stays whole.
///  - MySQL/MariaDB (mysql client): '...' and "..." strings with backslash
///    escapes, `identifiers`, #, -- and /* */ comments, and the client's
///    DELIMITER command: a line "DELIMITER $$" (or its short form) where a
///    statement would begin sets the terminator; the line is no statement.
///    /*! ... */ and /*M! ... */ are statement text, never split.
/// Statements that hold only comments or whitespace are dropped. Text after
/// the last terminator counts as a final statement. Never throws for bad
/// SQL: the engine reports that when the statement runs.
std::vector<Statement> SplitStatements(std::string_view script, Dialect dialect);

/// Where the statements of a PostgreSQL script begin: the offsets of
/// SplitStatements(script, Dialect::kPostgres), found without copying any
/// text (for cutting a long script into parts at statement boundaries).
std::vector<std::size_t> PostgresStatementOffsets(std::string_view script);

/// The 1-based script line of the 1-based character (UTF-8 code point)
/// `position` inside `statement` (as an engine reports an error position).
int LineOfPosition(const Statement& statement, int position);

}  // namespace dbshift
