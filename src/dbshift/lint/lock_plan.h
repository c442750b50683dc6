#pragma once

// Which lock each statement of a PostgreSQL script takes, on what, and
// whether it rewrites or scans a table while it holds it: the analysis
// behind `dbshift plan`. Pure: reads the script's text, never a database.
// Levels follow PostgreSQL's "Explicit Locking" table and, for ALTER TABLE,
// its AlterTableGetLockLevel. All functions are thread-safe.

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pg_query/pg_query.pb-c.h>

#include "dbshift/lint/linter.h"
#include "dbshift/sql/statement.h"

namespace dbshift::lint {

/// PostgreSQL's table lock modes, weakest first, numbered as its lock
/// manager numbers them (LOCK's mode).
enum class LockMode {
  kAccessShare = 1,
  kRowShare = 2,
  kRowExclusive = 3,
  kShareUpdateExclusive = 4,
  kShare = 5,
  kShareRowExclusive = 6,
  kExclusive = 7,
  kAccessExclusive = 8,
};

/// "ACCESS SHARE" ... "ACCESS EXCLUSIVE".
const char* LockModeName(LockMode mode);

/// What others wait for while `mode` is held: "reads and writes" (ACCESS
/// EXCLUSIVE), "writes" (EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) or "schema
/// changes" (the weaker modes: plain reads and writes go on).
const char* LockModeBlocks(LockMode mode);

/// What a lock is on.
enum class LockObject {
  kRelation,      ///< the table (view, materialized view, sequence) named
  kIndex,         ///< the index named
  kTableOfIndex,  ///< the table the named index is on (DROP INDEX, REINDEX INDEX)
  kIndexesOf,     ///< every index of the table named (REINDEX TABLE)
  kEveryTable,    ///< every table of the schema named, or of the database when unnamed
};

/// "relation", "index", "table_of_index", "indexes_of", "every_table".
const char* LockObjectName(LockObject object);

struct Lock {
  std::string schema;  ///< as the parser reads it (unquoted names in lower case); may be empty
  std::string name;    ///< likewise; empty only for kEveryTable of the database
  LockObject object = LockObject::kRelation;
  LockMode mode = LockMode::kAccessExclusive;
  /// Created by this script or an earlier one of the same run: it does not
  /// exist before, so no one waits on it.
  bool new_table = false;

  /// "schema.name", or "name" without a schema.
  std::string QualifiedName() const;
};

enum class EffectKind {
  kRewrite,  ///< writes a new copy of the table (and rebuilds its indexes)
  kScan,     ///< reads every row (or writes every row in place) under the lock
};

/// Work proportional to a table's size done while the statement's lock is held.
struct Effect {
  EffectKind kind = EffectKind::kScan;
  std::string relation;  ///< qualified name
  std::string why;       ///< "ALTER COLUMN email TYPE text", for the reader
};

/// One statement of a script, as the executor runs it.
struct StatementPlan {
  int line = 1;    ///< 1-based line of the statement's first token
  int column = 1;  ///< 1-based column of it, in characters (UTF-8 code points)
  std::string text;
  /// False when the locks were not analysed: the target is not PostgreSQL,
  /// or its grammar rejects the statement (`note` says which).
  bool analyzed = true;
  /// Each object once, at the strongest mode the statement takes on it.
  std::vector<Lock> locks;
  /// Only on tables that existed before the run (new tables are empty).
  std::vector<Effect> effects;
  /// What the reader should know beyond the locks ("runs the body of a DO
  /// block, whose locks are not analysed"); empty when nothing.
  std::string note;

  bool rewrites() const;
  bool scans() const;
};

/// The strongest lock a transaction holds on one existing object until it
/// commits, and the statement that took it at that strength first.
struct HeldLock {
  Lock lock;
  std::size_t statement = 0;  ///< index into the script's statements
  int line = 0;               ///< that statement's line
};

struct ScriptPlan {
  bool in_transaction = true;
  std::vector<StatementPlan> statements;
  /// In a transaction: every lock on an object that existed before the run,
  /// at its strongest, in order of first appearance. Empty otherwise (each
  /// statement's locks end with it).
  std::vector<HeldLock> held_until_commit;
};

/// The locks, rewrites and scans of every statement of `input.sql`, split as
/// the executor splits it (COPY data kept out). `input.in_transaction` and
/// `input.new_tables` mean what they mean to Lint; `input.new_tables` gets
/// the tables this script creates. `options.server_version` decides what
/// depends on it (a DEFAULT on ADD COLUMN rewrites before PostgreSQL 11).
/// A statement PostgreSQL's grammar rejects is listed, not analysed.
ScriptPlan PlanLocks(const LintInput& input, const LintOptions& options);

/// The statements of `sql` split for `dialect`, each marked not analysed:
/// for targets whose locks this analysis does not know.
ScriptPlan ListStatements(std::string_view sql, Dialect dialect, bool in_transaction,
                          std::string_view note);

/// Folds the locks of `statements` (run in one transaction) into the
/// strongest per existing object, in order of first appearance. A lock on
/// kTableOfIndex whose index is a key of `table_of_index` counts as a lock
/// on that table (`schema.name` value), so it meets the table's other locks.
std::vector<HeldLock> HeldUntilCommit(
    std::span<const StatementPlan> statements,
    const std::map<std::string, Lock, std::less<>>& table_of_index = {});

/// The lock one ALTER TABLE subcommand takes on its table (PostgreSQL's
/// AlterTableGetLockLevel). A statement takes the strongest of its commands.
LockMode AlterTableCommandLockMode(const PgQuery__AlterTableCmd& command);

}  // namespace dbshift::lint
