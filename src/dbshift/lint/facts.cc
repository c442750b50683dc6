#include "dbshift/lint/facts.h"

#include <cstdlib>
#include <string>

#include "dbshift/lint/lock_plan.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint {
namespace {

// The value of SET name = value, as text ("" when not a plain value).
std::string SetValue(const PgQuery__VariableSetStmt& set) {
  if (set.kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || set.n_args == 0) return "";
  const PgQuery__Node* arg = set.args[0];
  if (arg->node_case != PG_QUERY__NODE__NODE_A_CONST) return "";
  const PgQuery__AConst* value = arg->a_const;
  if (value->val_case == PG_QUERY__A__CONST__VAL_IVAL) return std::to_string(value->ival->ival);
  if (value->val_case == PG_QUERY__A__CONST__VAL_SVAL && value->sval->sval != nullptr) {
    return value->sval->sval;
  }
  return "";
}

// "0", "0ms", "0s": a timeout that is off.
bool IsZeroTimeout(const std::string& value) {
  char* end = nullptr;
  const double number = std::strtod(value.c_str(), &end);
  return end != value.c_str() && number == 0;
}

bool AnyRelationExisting(PgQuery__Node* const* relations, std::size_t count,
                         const ScriptFacts& facts) {
  for (const PgQuery__Node* node : Nodes(relations, count)) {
    if (node->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && !IsNewTable(facts, node->range_var)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool TakesAccessExclusive(const PgQuery__AlterTableCmd& command) {
  return AlterTableCommandLockMode(command) == LockMode::kAccessExclusive;
}

bool LocksExistingTableExclusively(const PgQuery__Node& statement, const ScriptFacts& facts) {
  switch (statement.node_case) {
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
      const PgQuery__AlterTableStmt* alter = AlterTableOf(statement);
      if (alter == nullptr || IsNewTable(facts, alter->relation)) return false;
      for (const PgQuery__Node* command : CommandsOf(*alter)) {
        if (TakesAccessExclusive(*command->alter_table_cmd)) return true;
      }
      return false;
    }
    case PG_QUERY__NODE__NODE_RENAME_STMT:
      return statement.rename_stmt->relation != nullptr &&
             !IsNewTable(facts, statement.rename_stmt->relation);
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
      return AnyRelationExisting(statement.truncate_stmt->relations,
                                 statement.truncate_stmt->n_relations, facts);
    case PG_QUERY__NODE__NODE_LOCK_STMT:
      // LockStmt.mode is the lmgr number: 8 is AccessExclusiveLock.
      return statement.lock_stmt->mode == 8 &&
             AnyRelationExisting(statement.lock_stmt->relations, statement.lock_stmt->n_relations,
                                 facts);
    case PG_QUERY__NODE__NODE_VACUUM_STMT: {
      for (const PgQuery__Node* option :
           Nodes(statement.vacuum_stmt->options, statement.vacuum_stmt->n_options)) {
        if (option->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && option->def_elem->defname &&
            std::string_view(option->def_elem->defname) == "full") {
          return true;
        }
      }
      return false;
    }
    case PG_QUERY__NODE__NODE_CLUSTER_STMT:
      return true;
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
      return !statement.refresh_mat_view_stmt->concurrent;
    default:
      return false;
  }
}

bool IsBulkDml(const PgQuery__Node& statement, const ScriptFacts& facts) {
  if (statement.node_case == PG_QUERY__NODE__NODE_UPDATE_STMT) {
    return statement.update_stmt->where_clause == nullptr &&
           !IsNewTable(facts, statement.update_stmt->relation);
  }
  if (statement.node_case == PG_QUERY__NODE__NODE_DELETE_STMT) {
    return statement.delete_stmt->where_clause == nullptr &&
           !IsNewTable(facts, statement.delete_stmt->relation);
  }
  return false;
}

void Observe(const PgQuery__Node& statement, ScriptFacts& facts) {
  // Outside a transaction each statement's locks end with it.
  if (facts.in_transaction) {
    if (LocksExistingTableExclusively(statement, facts)) facts.holds_access_exclusive = true;
    if (IsBulkDml(statement, facts)) facts.ran_bulk_dml = true;
  }
  switch (statement.node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      facts.created_tables.Insert(RelationOf(statement.create_stmt->relation));
      break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      if (statement.create_table_as_stmt->into != nullptr) {
        facts.created_tables.Insert(RelationOf(statement.create_table_as_stmt->into->rel));
      }
      break;
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: {
      const PgQuery__VariableSetStmt& set = *statement.variable_set_stmt;
      if (set.name != nullptr && std::string_view(set.name) == "lock_timeout" &&
          set.kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE) {
        facts.lock_timeout_set = !IsZeroTimeout(SetValue(set));
      }
      break;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
      const PgQuery__AlterTableStmt* alter = AlterTableOf(statement);
      if (alter == nullptr) break;
      for (const PgQuery__Node* node : CommandsOf(*alter)) {
        const PgQuery__AlterTableCmd* command = node->alter_table_cmd;
        if (command->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
            command->def != nullptr && command->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            command->def->constraint->skip_validation && command->def->constraint->conname) {
          facts.not_valid_constraints.insert(RelationOf(alter->relation) + "." +
                                             command->def->constraint->conname);
        }
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace dbshift::lint
