#pragma once

#include <pg_query/pg_query.pb-c.h>

#include "dbshift/lint/rule.h"

namespace dbshift::lint {

/// Learns from `statement` what later rules need: tables it creates, a
/// lock_timeout it sets, a strong lock it takes, rows it rewrites, a
/// constraint it adds NOT VALID.
void Observe(const PgQuery__Node& statement, ScriptFacts& facts);

/// True when `command` of ALTER TABLE takes ACCESS EXCLUSIVE (most do; the
/// exceptions are listed in PostgreSQL's AlterTableGetLockLevel).
bool TakesAccessExclusive(const PgQuery__AlterTableCmd& command);

/// True when `statement` takes ACCESS EXCLUSIVE on a table that existed
/// before the script (ALTER TABLE of most kinds, RENAME, TRUNCATE, LOCK ...
/// IN ACCESS EXCLUSIVE MODE, VACUUM FULL, CLUSTER, REFRESH MATERIALIZED VIEW).
bool LocksExistingTableExclusively(const PgQuery__Node& statement, const ScriptFacts& facts);

/// True when `statement` updates or deletes every row of a table that
/// existed before the script (UPDATE or DELETE without WHERE).
bool IsBulkDml(const PgQuery__Node& statement, const ScriptFacts& facts);

}  // namespace dbshift::lint
