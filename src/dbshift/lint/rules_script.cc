// Rules about the script as a whole: its transaction, its retries, its locks.

#include <string>

#include <fmt/format.h>

#include "dbshift/lint/checks.h"
#include "dbshift/lint/facts.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint::checks {
namespace {

bool IsDdlOnExistingTable(const PgQuery__Node& statement, const ScriptFacts& facts) {
  if (LocksExistingTableExclusively(statement, facts)) return true;
  if (statement.node_case == PG_QUERY__NODE__NODE_INDEX_STMT) {
    return !IsNewTable(facts, statement.index_stmt->relation);
  }
  if (const PgQuery__AlterTableStmt* alter = AlterTableOf(statement)) {
    return !IsNewTable(facts, alter->relation);
  }
  return false;
}

}  // namespace

void TransactionNesting(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  if (!facts.in_transaction || statement.node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT) return;
  switch (statement.transaction_stmt->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED:
      break;
    default:
      return;  // SAVEPOINT and its friends work inside dbshift's transaction
  }
  out.Report(
      "dbshift runs this script in a transaction of its own; a COMMIT or ROLLBACK here ends it "
      "early, so the statements after it and the history row no longer commit together. Remove "
      "it, or mark the script -- dbshift:no-transaction and manage transactions yourself");
}

void PreferRobustStmts(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  // Inside a transaction a failed script leaves nothing: a retry starts clean.
  if (facts.in_transaction) return;
  const char* advice = nullptr;
  switch (statement.node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      if (!statement.create_stmt->if_not_exists) advice = "CREATE TABLE IF NOT EXISTS";
      break;
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      if (!statement.index_stmt->if_not_exists) advice = "CREATE INDEX ... IF NOT EXISTS";
      break;
    case PG_QUERY__NODE__NODE_DROP_STMT:
      if (!statement.drop_stmt->missing_ok) advice = "DROP ... IF EXISTS";
      break;
    default:
      break;
  }
  if (const PgQuery__AlterTableStmt* alter = AlterTableOf(statement)) {
    for (const PgQuery__Node* node : CommandsOf(*alter)) {
      const PgQuery__AlterTableCmd& command = *node->alter_table_cmd;
      if (command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && !command.missing_ok) {
        advice = "ADD COLUMN IF NOT EXISTS";
      } else if (command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn &&
                 !command.missing_ok) {
        advice = "DROP COLUMN IF EXISTS";
      } else if (command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint &&
                 !command.missing_ok) {
        advice = "DROP CONSTRAINT IF EXISTS";
      }
    }
  }
  if (advice == nullptr) return;
  out.Report(fmt::format(
      "this script runs outside a transaction, so after a failure half of it stays applied and "
      "`up --resume` or a rerun meets this statement's effect again. Use {}",
      advice));
}

void RequireTimeoutSettings(const PgQuery__Node& statement, const ScriptFacts& facts,
                            Reporter& out) {
  if (facts.lock_timeout_set || !IsDdlOnExistingTable(statement, facts)) return;
  out.Report(
      "lock_timeout is off for this statement: while it waits for its lock, every query on the "
      "table queues behind it. Remove the -- dbshift:lock-timeout 0 directive (dbshift's default "
      "is 5s), or SET lock_timeout before this statement");
}

void DdlWithBulkUpdate(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out) {
  if (!facts.in_transaction) return;
  if (facts.holds_access_exclusive && IsBulkDml(statement, facts)) {
    out.Report(
        "this whole-table UPDATE/DELETE runs while the transaction holds ACCESS EXCLUSIVE from "
        "an earlier statement: the table is unreadable until every row is rewritten. Move the "
        "data change to its own migration and do it in batches");
  } else if (facts.ran_bulk_dml && LocksExistingTableExclusively(statement, facts)) {
    out.Report(
        "this statement takes ACCESS EXCLUSIVE after a whole-table UPDATE/DELETE in the same "
        "transaction: the row locks and the strong lock are held together until commit. Move the "
        "data change to its own migration");
  }
}

}  // namespace dbshift::lint::checks
