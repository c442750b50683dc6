#pragma once

// The check of every rule, one function each, grouped in rules_*.cc by what
// they look at. rule.cc lists them with their ids.

#include "dbshift/lint/rule.h"

namespace dbshift::lint::checks {

#define DBSHIFT_LINT_CHECK(name) \
  void name(const PgQuery__Node& statement, const ScriptFacts& facts, Reporter& out)

// rules_index.cc
DBSHIFT_LINT_CHECK(RequireConcurrentIndexCreation);
DBSHIFT_LINT_CHECK(RequireConcurrentIndexDeletion);
DBSHIFT_LINT_CHECK(BanConcurrentIndexCreationInTransaction);
DBSHIFT_LINT_CHECK(DisallowedUniqueConstraint);
DBSHIFT_LINT_CHECK(RequireConcurrentReindex);

// rules_column.cc
DBSHIFT_LINT_CHECK(AddingFieldWithDefault);
DBSHIFT_LINT_CHECK(AddingRequiredField);
DBSHIFT_LINT_CHECK(AddingNotNullableField);
DBSHIFT_LINT_CHECK(AddingSerialPrimaryKeyField);
DBSHIFT_LINT_CHECK(ChangingColumnType);
DBSHIFT_LINT_CHECK(RenamingColumn);
DBSHIFT_LINT_CHECK(BanDropColumn);
DBSHIFT_LINT_CHECK(BanDropNotNull);

// rules_constraint.cc
DBSHIFT_LINT_CHECK(AddingForeignKeyConstraint);
DBSHIFT_LINT_CHECK(ConstraintMissingNotValid);

// rules_types.cc
DBSHIFT_LINT_CHECK(PreferBigintOverInt);
DBSHIFT_LINT_CHECK(PreferBigintOverSmallint);
DBSHIFT_LINT_CHECK(PreferIdentity);
DBSHIFT_LINT_CHECK(PreferTextField);
DBSHIFT_LINT_CHECK(PreferTimestamptz);
DBSHIFT_LINT_CHECK(BanCharField);

// rules_table.cc
DBSHIFT_LINT_CHECK(RenamingTable);
DBSHIFT_LINT_CHECK(BanDropTable);
DBSHIFT_LINT_CHECK(BanDropDatabase);
DBSHIFT_LINT_CHECK(BanTruncateCascade);
DBSHIFT_LINT_CHECK(RewritesTable);

// rules_script.cc
DBSHIFT_LINT_CHECK(TransactionNesting);
DBSHIFT_LINT_CHECK(PreferRobustStmts);
DBSHIFT_LINT_CHECK(RequireTimeoutSettings);
DBSHIFT_LINT_CHECK(DdlWithBulkUpdate);

#undef DBSHIFT_LINT_CHECK

}  // namespace dbshift::lint::checks
