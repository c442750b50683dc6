#include "dbshift/lint/rule.h"

#include <algorithm>
#include <array>

#include "dbshift/lint/checks.h"

namespace dbshift::lint {
namespace {

constexpr Severity kError = Severity::kError;
constexpr Severity kWarning = Severity::kWarning;

// In id order (FindRule searches it by bisection).
constexpr std::array kRules = {
    Rule{"adding-field-with-default", kError,
         "ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE",
         checks::AddingFieldWithDefault},
    Rule{"adding-foreign-key-constraint", kError,
         "a foreign key added without NOT VALID scans the table while it blocks writes to both "
         "tables",
         checks::AddingForeignKeyConstraint},
    Rule{"adding-not-nullable-field", kError,
         "SET NOT NULL scans the table under ACCESS EXCLUSIVE and breaks writers of NULL",
         checks::AddingNotNullableField},
    Rule{"adding-required-field", kError,
         "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table with rows and breaks inserts",
         checks::AddingRequiredField},
    Rule{"adding-serial-primary-key-field", kError,
         "adding a primary key builds its index under ACCESS EXCLUSIVE",
         checks::AddingSerialPrimaryKeyField},
    Rule{"ban-char-field", kWarning, "char(n) pads with blanks; use text or varchar",
         checks::BanCharField},
    Rule{"ban-concurrent-index-creation-in-transaction", kError,
         "CONCURRENTLY cannot run inside a transaction block",
         checks::BanConcurrentIndexCreationInTransaction},
    Rule{"ban-drop-column", kError,
         "dropping a column breaks the application version still running", checks::BanDropColumn},
    Rule{"ban-drop-database", kError, "DROP DATABASE in a migration", checks::BanDropDatabase},
    Rule{"ban-drop-not-null", kWarning,
         "dropping NOT NULL lets NULLs reach readers that do not expect them",
         checks::BanDropNotNull},
    Rule{"ban-drop-table", kError, "dropping a table breaks the application version still running",
         checks::BanDropTable},
    Rule{"ban-truncate-cascade", kError, "TRUNCATE ... CASCADE empties every referencing table too",
         checks::BanTruncateCascade},
    Rule{"changing-column-type", kError,
         "ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE",
         checks::ChangingColumnType},
    Rule{"constraint-missing-not-valid", kError,
         "a CHECK constraint added without NOT VALID scans the table under ACCESS EXCLUSIVE",
         checks::ConstraintMissingNotValid},
    Rule{"ddl-with-bulk-update", kError,
         "a whole-table UPDATE or DELETE in the same transaction as an ACCESS EXCLUSIVE lock",
         checks::DdlWithBulkUpdate},
    Rule{"disallowed-unique-constraint", kError,
         "ADD UNIQUE builds its index under ACCESS EXCLUSIVE", checks::DisallowedUniqueConstraint},
    Rule{"prefer-bigint-over-int", kWarning, "int columns run out at 2^31",
         checks::PreferBigintOverInt},
    Rule{"prefer-bigint-over-smallint", kWarning, "smallint columns run out at 2^15",
         checks::PreferBigintOverSmallint},
    Rule{"prefer-identity", kWarning, "serial types: prefer GENERATED ... AS IDENTITY",
         checks::PreferIdentity},
    Rule{"prefer-robust-stmts", kWarning,
         "outside a transaction a retried script must survive its own earlier half",
         checks::PreferRobustStmts},
    Rule{"prefer-text-field", kWarning, "changing a varchar(n) limit later takes ACCESS EXCLUSIVE",
         checks::PreferTextField},
    Rule{"prefer-timestamptz", kWarning, "timestamp without time zone loses the offset",
         checks::PreferTimestamptz},
    Rule{"renaming-column", kError,
         "renaming a column breaks the application version still running", checks::RenamingColumn},
    Rule{"renaming-table", kError, "renaming a table breaks the application version still running",
         checks::RenamingTable},
    Rule{"require-concurrent-index-creation", kError,
         "CREATE INDEX without CONCURRENTLY blocks writes for the whole build",
         checks::RequireConcurrentIndexCreation},
    Rule{"require-concurrent-index-deletion", kError,
         "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table",
         checks::RequireConcurrentIndexDeletion},
    Rule{"require-concurrent-reindex", kError,
         "REINDEX without CONCURRENTLY blocks writes (and reads using the index)",
         checks::RequireConcurrentReindex},
    Rule{"require-timeout-settings", kError,
         "a strong lock with lock_timeout off can queue every query behind it",
         checks::RequireTimeoutSettings},
    Rule{"rewrites-table", kError,
         "VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED rewrite the table under ACCESS "
         "EXCLUSIVE",
         checks::RewritesTable},
    Rule{"transaction-nesting", kError,
         "BEGIN, COMMIT or ROLLBACK in a script dbshift runs in its own transaction",
         checks::TransactionNesting},
};

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kOff:
      return "off";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

std::optional<Severity> ParseSeverity(std::string_view word) {
  for (Severity severity : {Severity::kOff, Severity::kWarning, Severity::kError}) {
    if (word == SeverityName(severity)) return severity;
  }
  return std::nullopt;
}

std::span<const Rule> AllRules() { return kRules; }

const Rule* FindRule(std::string_view id) {
  const auto it =
      std::lower_bound(kRules.begin(), kRules.end(), id,
                       [](const Rule& rule, std::string_view key) { return rule.id < key; });
  return it != kRules.end() && it->id == id ? &*it : nullptr;
}

}  // namespace dbshift::lint
