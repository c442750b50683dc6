#include "dbshift/lint/lock_plan.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/text.h"
#include "dbshift/lint/facts.h"
#include "dbshift/lint/parse_tree.h"
#include "dbshift/lint/tree.h"

namespace dbshift::lint {
namespace {

// Relation options whose change takes ACCESS EXCLUSIVE (views' options and
// user_catalog_table); the others (fillfactor, autovacuum_*, toast.*,
// parallel_workers ...) take SHARE UPDATE EXCLUSIVE.
constexpr std::array kExclusiveRelationOptions = {"check_option", "security_barrier",
                                                  "security_invoker", "user_catalog_table"};

std::string KeyOf(std::string_view schema, std::string_view name) {
  return AsciiLower(schema.empty() ? std::string(name) : fmt::format("{}.{}", schema, name));
}

bool HasDefElem(PgQuery__Node* const* items, std::size_t count, std::string_view name) {
  for (const PgQuery__Node* item : Nodes(items, count)) {
    if (item->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && item->def_elem->defname != nullptr &&
        name == item->def_elem->defname) {
      return true;
    }
  }
  return false;
}

bool IsSerialType(const std::string& type) {
  return type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial2" ||
         type == "serial4" || type == "serial8";
}

// What the analysis of one statement knows and collects.
class StatementPlanner {
 public:
  StatementPlanner(const ScriptFacts& facts, StatementPlan& out) : facts_(facts), out_(out) {}

  void Plan(const PgQuery__Node& statement);

 private:
  Lock LockOn(const PgQuery__RangeVar* relation, LockMode mode,
              LockObject object = LockObject::kRelation) const {
    Lock lock;
    if (relation != nullptr && relation->schemaname != nullptr) lock.schema = relation->schemaname;
    if (relation != nullptr && relation->relname != nullptr) lock.name = relation->relname;
    lock.object = object;
    lock.mode = mode;
    lock.new_table = IsNew(lock);
    return lock;
  }

  // A lock on the relation a list of names ([schema,] name) names; with
  // `drop_last`, on the relation that owns the object the last name names
  // (a trigger, policy, rule, column or constraint).
  Lock LockOnNames(const PgQuery__Node* names, LockMode mode, bool drop_last,
                   LockObject object = LockObject::kRelation) const {
    std::vector<std::string_view> parts;
    if (names != nullptr && names->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (const PgQuery__Node* part : Nodes(names->list->items, names->list->n_items)) {
        parts.push_back(StringOf(part));
      }
    }
    if (drop_last && !parts.empty()) parts.pop_back();
    Lock lock;
    if (!parts.empty()) lock.name = std::string(parts.back());
    if (parts.size() >= 2) lock.schema = std::string(parts[parts.size() - 2]);
    lock.object = object;
    lock.mode = mode;
    lock.new_table = IsNew(lock);
    return lock;
  }

  bool IsNew(const Lock& lock) const {
    return lock.object == LockObject::kRelation &&
           facts_.created_tables.Contains(KeyOf(lock.schema, lock.name));
  }

  // Adds `lock`, or raises the mode of the same object's lock to it.
  void Take(const Lock& lock) {
    for (Lock& held : out_.locks) {
      if (held.object == lock.object && held.schema == lock.schema && held.name == lock.name) {
        held.mode = std::max(held.mode, lock.mode);
        return;
      }
    }
    out_.locks.push_back(lock);
  }

  // Work on a table that existed before the run (a new one is empty).
  void Does(const Lock& on, EffectKind kind, std::string why) {
    if (on.new_table) return;
    out_.effects.push_back({kind, on.QualifiedName(), std::move(why)});
  }

  // ACCESS SHARE (or `mode`) on every relation `query` reads.
  void TakeReads(const PgQuery__Node* query, LockMode mode = LockMode::kAccessShare) {
    for (const PgQuery__RangeVar* relation : RangeVarsBelow(query)) Take(LockOn(relation, mode));
  }

  void NewRelation(const PgQuery__RangeVar* relation) {
    Lock lock = LockOn(relation, LockMode::kAccessExclusive);
    lock.new_table = true;
    Take(lock);
  }

  void PlanCreateTable(const PgQuery__CreateStmt& create);
  void PlanAlterTable(const PgQuery__AlterTableStmt& alter);
  void PlanAlterCommand(const PgQuery__AlterTableCmd& command, const Lock& table,
                        std::vector<Lock>& others);
  void PlanAddedColumn(const PgQuery__ColumnDef& column, const Lock& table,
                       std::vector<Lock>& others);
  void PlanDrop(const PgQuery__DropStmt& drop);
  void PlanRename(const PgQuery__RenameStmt& rename);
  void PlanVacuum(const PgQuery__VacuumStmt& vacuum);
  void PlanReindex(const PgQuery__ReindexStmt& reindex);
  void PlanComment(const PgQuery__CommentStmt& comment);
  void PlanWrite(const PgQuery__RangeVar* target, const PgQuery__Node& statement,
                 const PgQuery__Node* where, const char* verb);

  const ScriptFacts& facts_;
  StatementPlan& out_;
};

void StatementPlanner::Plan(const PgQuery__Node& statement) {
  switch (statement.node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      PlanCreateTable(*statement.create_stmt);
      break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      if (statement.create_table_as_stmt->into != nullptr) {
        NewRelation(statement.create_table_as_stmt->into->rel);
      }
      TakeReads(statement.create_table_as_stmt->query);
      break;
    case PG_QUERY__NODE__NODE_VIEW_STMT: {
      const PgQuery__ViewStmt& view = *statement.view_stmt;
      if (view.replace) {
        Take(LockOn(view.view, LockMode::kAccessExclusive));
      } else {
        NewRelation(view.view);
      }
      TakeReads(view.query);
      break;
    }
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
      const PgQuery__IndexStmt& index = *statement.index_stmt;
      const Lock table = LockOn(
          index.relation, index.concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare);
      Take(table);
      Does(table, EffectKind::kScan,
           index.concurrent ? "CREATE INDEX CONCURRENTLY reads the whole table twice (writes go on)"
                            : "CREATE INDEX reads the whole table to build the index");
      break;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
      PlanAlterTable(*statement.alter_table_stmt);
      break;
    case PG_QUERY__NODE__NODE_DROP_STMT:
      PlanDrop(*statement.drop_stmt);
      break;
    case PG_QUERY__NODE__NODE_RENAME_STMT:
      PlanRename(*statement.rename_stmt);
      break;
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
      for (const PgQuery__Node* node :
           Nodes(statement.truncate_stmt->relations, statement.truncate_stmt->n_relations)) {
        if (node->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          Take(LockOn(node->range_var, LockMode::kAccessExclusive));
        }
      }
      if (statement.truncate_stmt->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) {
        out_.note = "CASCADE also empties and locks the tables that reference these (not listed)";
      }
      break;
    case PG_QUERY__NODE__NODE_LOCK_STMT: {
      const int number = std::clamp(statement.lock_stmt->mode, 1, 8);
      for (const PgQuery__Node* node :
           Nodes(statement.lock_stmt->relations, statement.lock_stmt->n_relations)) {
        if (node->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          Take(LockOn(node->range_var, static_cast<LockMode>(number)));
        }
      }
      break;
    }
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
      PlanVacuum(*statement.vacuum_stmt);
      break;
    case PG_QUERY__NODE__NODE_CLUSTER_STMT: {
      const PgQuery__ClusterStmt& cluster = *statement.cluster_stmt;
      Lock table = LockOn(cluster.relation, LockMode::kAccessExclusive);
      if (cluster.relation == nullptr) table.object = LockObject::kEveryTable;
      Take(table);
      Does(table, EffectKind::kRewrite,
           cluster.relation == nullptr ? "CLUSTER rewrites every table clustered before"
                                       : "CLUSTER rewrites the table in index order");
      break;
    }
    case PG_QUERY__NODE__NODE_REINDEX_STMT:
      PlanReindex(*statement.reindex_stmt);
      break;
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT: {
      const PgQuery__RefreshMatViewStmt& refresh = *statement.refresh_mat_view_stmt;
      const Lock view = LockOn(
          refresh.relation, refresh.concurrent ? LockMode::kExclusive : LockMode::kAccessExclusive);
      Take(view);
      if (refresh.concurrent) {
        Does(view, EffectKind::kScan,
             "REFRESH MATERIALIZED VIEW CONCURRENTLY runs its query and compares every row");
      } else {
        Does(view, EffectKind::kRewrite,
             "REFRESH MATERIALIZED VIEW runs its query into a new copy");
      }
      break;
    }
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      Take(LockOn(statement.create_trig_stmt->relation, LockMode::kShareRowExclusive));
      break;
    case PG_QUERY__NODE__NODE_RULE_STMT:
      Take(LockOn(statement.rule_stmt->relation, LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
      Take(LockOn(statement.create_policy_stmt->table, LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
      Take(LockOn(statement.alter_policy_stmt->table, LockMode::kAccessExclusive));
      break;
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
      PlanComment(*statement.comment_stmt);
      break;
    case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
      TakeReads(&statement, LockMode::kShareUpdateExclusive);
      break;
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
      Take(LockOn(statement.alter_seq_stmt->sequence, LockMode::kShareRowExclusive));
      break;
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
      if (statement.alter_object_schema_stmt->relation != nullptr) {
        Take(LockOn(statement.alter_object_schema_stmt->relation, LockMode::kAccessExclusive));
      }
      break;
    case PG_QUERY__NODE__NODE_INSERT_STMT:
      PlanWrite(statement.insert_stmt->relation, statement, nullptr, nullptr);
      break;
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
      PlanWrite(statement.update_stmt->relation, statement, statement.update_stmt->where_clause,
                "UPDATE");
      break;
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      PlanWrite(statement.delete_stmt->relation, statement, statement.delete_stmt->where_clause,
                "DELETE");
      break;
    case PG_QUERY__NODE__NODE_MERGE_STMT:
      PlanWrite(statement.merge_stmt->relation, statement, nullptr, nullptr);
      break;
    case PG_QUERY__NODE__NODE_SELECT_STMT: {
      const PgQuery__SelectStmt& select = *statement.select_stmt;
      if (select.into_clause != nullptr) NewRelation(select.into_clause->rel);
      TakeReads(&statement,
                select.n_locking_clause > 0 ? LockMode::kRowShare : LockMode::kAccessShare);
      break;
    }
    case PG_QUERY__NODE__NODE_COPY_STMT: {
      const PgQuery__CopyStmt& copy = *statement.copy_stmt;
      if (copy.relation != nullptr) {
        Take(
            LockOn(copy.relation, copy.is_from ? LockMode::kRowExclusive : LockMode::kAccessShare));
      }
      TakeReads(copy.query);
      break;
    }
    case PG_QUERY__NODE__NODE_DO_STMT:
      out_.note = "a DO block: the locks its body takes are not analysed";
      break;
    case PG_QUERY__NODE__NODE_CALL_STMT:
      out_.note = "CALL runs a procedure: the locks its body takes are not analysed";
      break;
    default:
      break;  // no table lock: functions, types, schemas, roles, settings, transactions
  }
}

void StatementPlanner::PlanCreateTable(const PgQuery__CreateStmt& create) {
  NewRelation(create.relation);
  // A foreign key adds triggers to the referenced table.
  auto references = [&](const PgQuery__Constraint& constraint) {
    if (constraint.contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) {
      Take(LockOn(constraint.pktable, LockMode::kShareRowExclusive));
    }
  };
  for (const PgQuery__Node* element : Nodes(create.table_elts, create.n_table_elts)) {
    if (element->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) references(*element->constraint);
    if (element->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
      Take(LockOn(element->table_like_clause->relation, LockMode::kAccessShare));
    }
    if (element->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
    const PgQuery__ColumnDef& column = *element->column_def;
    for (const PgQuery__Node* node : Nodes(column.constraints, column.n_constraints)) {
      if (node->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) references(*node->constraint);
    }
  }
  for (const PgQuery__Node* node : Nodes(create.constraints, create.n_constraints)) {
    if (node->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) references(*node->constraint);
  }
  // PARTITION OF takes ACCESS EXCLUSIVE on the parent; INHERITS SHARE UPDATE EXCLUSIVE.
  for (const PgQuery__Node* node : Nodes(create.inh_relations, create.n_inh_relations)) {
    if (node->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
    Take(LockOn(node->range_var, create.partbound != nullptr ? LockMode::kAccessExclusive
                                                             : LockMode::kShareUpdateExclusive));
  }
}

void StatementPlanner::PlanAlterTable(const PgQuery__AlterTableStmt& alter) {
  Lock table = LockOn(alter.relation, LockMode::kAccessShare,
                      alter.objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX ? LockObject::kIndex
                                                                           : LockObject::kRelation);
  for (const PgQuery__Node* node : CommandsOf(alter)) {
    table.mode = std::max(table.mode, AlterTableCommandLockMode(*node->alter_table_cmd));
  }
  // The table first, then what its commands lock besides it.
  Take(table);
  std::vector<Lock> others;
  for (const PgQuery__Node* node : CommandsOf(alter)) {
    PlanAlterCommand(*node->alter_table_cmd, table, others);
  }
  for (const Lock& other : others) Take(other);
}

void StatementPlanner::PlanAlterCommand(const PgQuery__AlterTableCmd& command, const Lock& table,
                                        std::vector<Lock>& others) {
  const std::string column = command.name != nullptr ? command.name : "";
  switch (command.subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
      if (command.def != nullptr && command.def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        PlanAddedColumn(*command.def->column_def, table, others);
      }
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: {
      std::string type;
      bool with_using = false;
      if (command.def != nullptr && command.def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        type = TypeTextOf(command.def->column_def->type_name);
        with_using = command.def->column_def->raw_default != nullptr;
      }
      Does(table, EffectKind::kRewrite,
           with_using ? fmt::format("ALTER COLUMN {} TYPE {} USING ... rewrites the table and its "
                                    "indexes",
                                    column, type)
                      : fmt::format("ALTER COLUMN {} TYPE {} rewrites the table and its indexes, "
                                    "unless the old type is binary-coercible to it (varchar to "
                                    "text, a longer varchar)",
                                    column, type));
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      Does(table, EffectKind::kScan,
           fmt::format("SET NOT NULL on {} reads every row (PostgreSQL 12+ skips this when a "
                       "valid CHECK ({} IS NOT NULL) exists)",
                       column, column));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: {
      const PgQuery__Constraint* constraint = AddedConstraint(command);
      if (constraint == nullptr) return;
      switch (constraint->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
          if (!constraint->skip_validation) {
            Does(table, EffectKind::kScan, "ADD CHECK reads every row (NOT VALID would not)");
          }
          return;
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
          others.push_back(LockOn(constraint->pktable, LockMode::kShareRowExclusive));
          if (!constraint->skip_validation) {
            Does(table, EffectKind::kScan,
                 fmt::format("ADD FOREIGN KEY checks every row against {} (NOT VALID would not)",
                             RelationOf(constraint->pktable)));
          }
          return;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
          if (constraint->indexname == nullptr || constraint->indexname[0] == '\0') {
            Does(table, EffectKind::kScan,
                 "ADD CONSTRAINT builds its index from every row (USING INDEX of an index "
                 "built CONCURRENTLY would not)");
          }
          return;
        default:
          return;
      }
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
      Does(table, EffectKind::kScan,
           fmt::format("VALIDATE CONSTRAINT {} reads every row (reads and writes go on)", column));
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
      Does(table, EffectKind::kRewrite, "SET TABLESPACE copies every block to the new tablespace");
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
      Does(table, EffectKind::kRewrite, "SET ACCESS METHOD rewrites the table");
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
      Does(table, EffectKind::kRewrite, "SET LOGGED rewrites the table (and writes it to the WAL)");
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
      Does(table, EffectKind::kRewrite, "SET UNLOGGED rewrites the table");
      return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
      if (command.def == nullptr || command.def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD ||
          table.object != LockObject::kRelation) {
        return;
      }
      const PgQuery__PartitionCmd& partition = *command.def->partition_cmd;
      const bool attach = command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition;
      const Lock lock =
          LockOn(partition.name, !attach && partition.concurrent ? LockMode::kShareUpdateExclusive
                                                                 : LockMode::kAccessExclusive);
      others.push_back(lock);
      if (attach) {
        Does(lock, EffectKind::kScan,
             "ATTACH PARTITION reads every row of the partition to check its bound (skipped when "
             "a valid CHECK constraint proves it)");
      }
      return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
      if (command.def != nullptr && command.def->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        others.push_back(LockOn(command.def->range_var,
                                command.subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit
                                    ? LockMode::kShareUpdateExclusive
                                    : LockMode::kAccessShare));
      }
      return;
    default:
      return;
  }
}

void StatementPlanner::PlanAddedColumn(const PgQuery__ColumnDef& column, const Lock& table,
                                       std::vector<Lock>& others) {
  const std::string name = column.colname != nullptr ? column.colname : "";
  const char* per_row = nullptr;
  if (IsSerialType(TypeNameOf(column.type_name))) per_row = "a serial type";
  if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY) != nullptr) {
    per_row = "GENERATED AS IDENTITY";
  }
  if (ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED) != nullptr) {
    per_row = "GENERATED ALWAYS AS ... STORED";
  }
  const PgQuery__Constraint* with_default =
      ColumnConstraint(column, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);
  if (per_row != nullptr) {
    Does(table, EffectKind::kRewrite,
         fmt::format("ADD COLUMN {} with {} writes a value into every row", name, per_row));
  } else if (with_default != nullptr && IsVolatile(with_default->raw_expr)) {
    Does(table, EffectKind::kRewrite,
         fmt::format("ADD COLUMN {} with a volatile DEFAULT writes a value into every row", name));
  } else if (with_default != nullptr && facts_.server_version < 110000) {
    Does(table, EffectKind::kRewrite,
         fmt::format("ADD COLUMN {} with a DEFAULT rewrites the table before PostgreSQL 11", name));
  }
  for (const PgQuery__Node* node : Nodes(column.constraints, column.n_constraints)) {
    if (node->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
    const PgQuery__Constraint& constraint = *node->constraint;
    switch (constraint.contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        others.push_back(LockOn(constraint.pktable, LockMode::kShareRowExclusive));
        Does(table, EffectKind::kScan,
             fmt::format("ADD COLUMN {} ... REFERENCES {} checks every row", name,
                         RelationOf(constraint.pktable)));
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        Does(table, EffectKind::kScan,
             fmt::format("ADD COLUMN {} ... CHECK checks every row", name));
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        Does(table, EffectKind::kScan,
             fmt::format("ADD COLUMN {} builds an index from every row", name));
        break;
      default:
        break;
    }
  }
}

void StatementPlanner::PlanDrop(const PgQuery__DropStmt& drop) {
  for (const PgQuery__Node* object : Nodes(drop.objects, drop.n_objects)) {
    switch (drop.remove_type) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        Take(LockOnNames(object, LockMode::kAccessExclusive, false));
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        Take(LockOnNames(
            object, drop.concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
            false, LockObject::kTableOfIndex));
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
      case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
      case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
        Take(LockOnNames(object, LockMode::kAccessExclusive, true));
        break;
      default:
        return;  // functions, types, schemas ...: no table lock
    }
  }
}

void StatementPlanner::PlanRename(const PgQuery__RenameStmt& rename) {
  switch (rename.rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
      if (rename.relation != nullptr) Take(LockOn(rename.relation, LockMode::kAccessExclusive));
      return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      // PostgreSQL 12 lowered ALTER INDEX ... RENAME to SHARE UPDATE EXCLUSIVE.
      Take(LockOn(rename.relation,
                  facts_.server_version >= 120000 ? LockMode::kShareUpdateExclusive
                                                  : LockMode::kAccessExclusive,
                  LockObject::kIndex));
      return;
    default:
      return;
  }
}

void StatementPlanner::PlanVacuum(const PgQuery__VacuumStmt& vacuum) {
  const bool full = HasDefElem(vacuum.options, vacuum.n_options, "full");
  const LockMode mode = full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive;
  std::vector<Lock> tables;
  for (const PgQuery__Node* node : Nodes(vacuum.rels, vacuum.n_rels)) {
    if (node->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION) {
      tables.push_back(LockOn(node->vacuum_relation->relation, mode));
    }
  }
  if (tables.empty()) {
    Lock every;
    every.object = LockObject::kEveryTable;
    every.mode = mode;
    tables.push_back(every);
  }
  for (const Lock& table : tables) {
    Take(table);
    if (full) {
      Does(table, EffectKind::kRewrite, "VACUUM FULL rewrites the table");
    } else if (vacuum.is_vacuumcmd) {
      Does(table, EffectKind::kScan, "VACUUM reads the table (reads and writes go on)");
    }
  }
  if (vacuum.is_vacuumcmd && facts_.in_transaction) {
    out_.note =
        "VACUUM cannot run inside a transaction block: mark the script "
        "-- dbshift:no-transaction";
  }
}

void StatementPlanner::PlanReindex(const PgQuery__ReindexStmt& reindex) {
  const bool concurrently = HasDefElem(reindex.params, reindex.n_params, "concurrently");
  // REINDEX blocks writes to the table (SHARE) and reads through the index
  // being rebuilt (ACCESS EXCLUSIVE on it); CONCURRENTLY neither.
  const LockMode on_table = concurrently ? LockMode::kShareUpdateExclusive : LockMode::kShare;
  const LockMode on_index =
      concurrently ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive;
  Lock table;
  switch (reindex.kind) {
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
      table = LockOn(reindex.relation, on_table, LockObject::kTableOfIndex);
      Take(table);
      Take(LockOn(reindex.relation, on_index, LockObject::kIndex));
      break;
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
      table = LockOn(reindex.relation, on_table);
      Take(table);
      Take(LockOn(reindex.relation, on_index, LockObject::kIndexesOf));
      break;
    default:
      table.object = LockObject::kEveryTable;
      table.mode = on_table;
      if (reindex.kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA &&
          reindex.name != nullptr) {
        table.name = reindex.name;
      }
      Take(table);
      break;
  }
  Does(table, EffectKind::kScan, "REINDEX reads the whole table to rebuild the index");
}

void StatementPlanner::PlanComment(const PgQuery__CommentStmt& comment) {
  const LockMode mode = LockMode::kShareUpdateExclusive;
  switch (comment.objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
      Take(LockOnNames(comment.object, mode, false));
      return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
      Take(LockOnNames(comment.object, mode, false, LockObject::kIndex));
      return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
      Take(LockOnNames(comment.object, mode, true));
      return;
    default:
      return;
  }
}

void StatementPlanner::PlanWrite(const PgQuery__RangeVar* target, const PgQuery__Node& statement,
                                 const PgQuery__Node* where, const char* verb) {
  const Lock table = LockOn(target, LockMode::kRowExclusive);
  Take(table);
  TakeReads(&statement);  // the target again, at ACCESS SHARE: it keeps ROW EXCLUSIVE
  if (verb != nullptr && where == nullptr) {
    Does(table, EffectKind::kScan,
         fmt::format("{} without WHERE writes every row, and each row stays locked until commit",
                     verb));
  }
}

// The 1-based column, in code points, of byte `offset` of `sql`.
int ColumnAt(std::string_view sql, std::size_t offset) {
  offset = std::min(offset, sql.size());
  const std::size_t newline = offset == 0 ? std::string_view::npos : sql.rfind('\n', offset - 1);
  const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
  int column = 1;
  for (std::size_t i = start; i < offset; ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

StatementPlan PlanOf(std::string_view sql, const Statement& statement) {
  StatementPlan plan;
  plan.line = statement.line;
  plan.column = ColumnAt(sql, statement.offset);
  plan.text = statement.text;
  return plan;
}

}  // namespace

const char* LockModeName(LockMode mode) {
  switch (mode) {
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "?";
}

const char* LockModeBlocks(LockMode mode) {
  if (mode == LockMode::kAccessExclusive) return "reads and writes";
  if (mode >= LockMode::kShare) return "writes";
  return "schema changes";
}

const char* LockObjectName(LockObject object) {
  switch (object) {
    case LockObject::kRelation:
      return "relation";
    case LockObject::kIndex:
      return "index";
    case LockObject::kTableOfIndex:
      return "table_of_index";
    case LockObject::kIndexesOf:
      return "indexes_of";
    case LockObject::kEveryTable:
      return "every_table";
  }
  return "?";
}

std::string Lock::QualifiedName() const {
  return schema.empty() ? name : fmt::format("{}.{}", schema, name);
}

bool StatementPlan::rewrites() const {
  return std::any_of(effects.begin(), effects.end(),
                     [](const Effect& effect) { return effect.kind == EffectKind::kRewrite; });
}

bool StatementPlan::scans() const {
  return std::any_of(effects.begin(), effects.end(),
                     [](const Effect& effect) { return effect.kind == EffectKind::kScan; });
}

LockMode AlterTableCommandLockMode(const PgQuery__AlterTableCmd& command) {
  switch (command.subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
      return LockMode::kShareRowExclusive;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: {
      const PgQuery__Constraint* constraint = AddedConstraint(command);
      if (constraint != nullptr && constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) {
        return LockMode::kShareRowExclusive;
      }
      return LockMode::kAccessExclusive;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions: {
      const PgQuery__Node* options = command.def;
      if (options == nullptr || options->node_case != PG_QUERY__NODE__NODE_LIST) {
        return LockMode::kAccessExclusive;
      }
      for (const char* name : kExclusiveRelationOptions) {
        if (HasDefElem(options->list->items, options->list->n_items, name)) {
          return LockMode::kAccessExclusive;
        }
      }
      return LockMode::kShareUpdateExclusive;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
      return command.def != nullptr &&
                     command.def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
                     command.def->partition_cmd->concurrent
                 ? LockMode::kShareUpdateExclusive
                 : LockMode::kAccessExclusive;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
      return LockMode::kShareUpdateExclusive;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
      return LockMode::kShareUpdateExclusive;
    default:
      return LockMode::kAccessExclusive;
  }
}

ScriptPlan PlanLocks(const LintInput& input, const LintOptions& options) {
  ScriptPlan plan;
  plan.in_transaction = input.in_transaction;
  ScriptFacts facts;
  facts.in_transaction = input.in_transaction;
  facts.server_version = options.server_version;
  facts.lock_timeout_set = input.lock_timeout_set;
  facts.created_tables = CreatedTables(input.new_tables);
  for (const Statement& statement : SplitStatements(input.sql, Dialect::kPostgres)) {
    StatementPlan& out = plan.statements.emplace_back(PlanOf(input.sql, statement));
    const ParseTree tree = ParseTree::Parse(statement.text);
    if (const SyntaxProblem* problem = tree.problem()) {
      out.analyzed = false;
      out.note =
          fmt::format("not analysed: PostgreSQL's grammar rejects it ({})", problem->message);
      continue;
    }
    for (const ParsedStatement& parsed : tree.statements()) {
      StatementPlanner(facts, out).Plan(*parsed.node);
      Observe(*parsed.node, facts);
    }
    // Views, materialized views and SELECT INTO tables are new too.
    for (const Lock& lock : out.locks) {
      if (lock.new_table) facts.created_tables.Insert(KeyOf(lock.schema, lock.name));
    }
  }
  if (plan.in_transaction) plan.held_until_commit = HeldUntilCommit(plan.statements);
  if (input.new_tables != nullptr) facts.created_tables.MoveInto(*input.new_tables);
  return plan;
}

ScriptPlan ListStatements(std::string_view sql, Dialect dialect, bool in_transaction,
                          std::string_view note) {
  ScriptPlan plan;
  plan.in_transaction = in_transaction;
  for (const Statement& statement : SplitStatements(sql, dialect)) {
    StatementPlan& out = plan.statements.emplace_back(PlanOf(sql, statement));
    out.analyzed = false;
    out.note = std::string(note);
  }
  return plan;
}

std::vector<HeldLock> HeldUntilCommit(
    std::span<const StatementPlan> statements,
    const std::map<std::string, Lock, std::less<>>& table_of_index) {
  std::vector<HeldLock> held;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    for (const Lock& taken : statements[i].locks) {
      if (taken.new_table) continue;
      Lock lock = taken;
      if (lock.object == LockObject::kTableOfIndex) {
        if (auto it = table_of_index.find(lock.QualifiedName()); it != table_of_index.end()) {
          lock.schema = it->second.schema;
          lock.name = it->second.name;
          lock.object = LockObject::kRelation;
        }
      }
      auto same = std::find_if(held.begin(), held.end(), [&](const HeldLock& entry) {
        return entry.lock.object == lock.object && entry.lock.schema == lock.schema &&
               entry.lock.name == lock.name;
      });
      if (same == held.end()) {
        held.push_back({lock, i, statements[i].line});
      } else if (lock.mode > same->lock.mode) {
        *same = {lock, i, statements[i].line};
      }
    }
  }
  return held;
}

}  // namespace dbshift::lint
