#include "dbshift/lint/tree.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <protobuf-c/protobuf-c.h>

#include "dbshift/common/text.h"

namespace dbshift::lint {
namespace {

// Visits every message below `message`, depth first, through the protobuf
// descriptors: one walker for all ~250 node types.
template <typename Visit>
void WalkMessages(const ProtobufCMessage* message, Visit& visit) {
  if (message == nullptr) return;
  const ProtobufCMessageDescriptor* descriptor = message->descriptor;
  const auto* base = reinterpret_cast<const char*>(message);
  for (unsigned i = 0; i < descriptor->n_fields; ++i) {
    const ProtobufCFieldDescriptor& field = descriptor->fields[i];
    if (field.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if ((field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
      // Only the member the case names holds a pointer.
      const auto which = *reinterpret_cast<const uint32_t*>(base + field.quantifier_offset);
      if (which != field.id) continue;
    }
    if (field.label == PROTOBUF_C_LABEL_REPEATED) {
      const auto count = *reinterpret_cast<const std::size_t*>(base + field.quantifier_offset);
      const auto* items = *reinterpret_cast<ProtobufCMessage* const* const*>(base + field.offset);
      for (std::size_t j = 0; j < count; ++j) {
        visit(items[j]);
        WalkMessages(items[j], visit);
      }
    } else {
      const auto* child = *reinterpret_cast<const ProtobufCMessage* const*>(base + field.offset);
      if (child == nullptr) continue;
      visit(child);
      WalkMessages(child, visit);
    }
  }
}

// Functions PostgreSQL marks stable or immutable that defaults commonly use:
// a DEFAULT of them is evaluated once when the column is added.
constexpr std::array kNonVolatileFunctions = {
    "now",
    "statement_timestamp",
    "transaction_timestamp",
    "current_timestamp",
    "lower",
    "upper",
    "concat",
    "coalesce",
    "to_timestamp",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "jsonb_build_object",
    "json_build_object",
    "array_fill",
    "md5",
};

bool KnownNonVolatile(std::string_view name) {
  for (const char* known : kNonVolatileFunctions) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace

std::string_view StringOf(const PgQuery__Node* node) {
  if (node == nullptr || node->node_case != PG_QUERY__NODE__NODE_STRING) return {};
  return node->string->sval == nullptr ? std::string_view() : node->string->sval;
}

std::string TypeNameOf(const PgQuery__TypeName* type) {
  if (type == nullptr || type->n_names == 0) return "";
  return AsciiLower(StringOf(type->names[type->n_names - 1]));
}

std::string TypeTextOf(const PgQuery__TypeName* type) {
  std::string text = TypeNameOf(type);
  if (type == nullptr || type->n_typmods == 0) return text;
  text += "(";
  for (std::size_t i = 0; i < type->n_typmods; ++i) {
    const PgQuery__Node* modifier = type->typmods[i];
    if (i > 0) text += ",";
    if (modifier->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        modifier->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
      text += std::to_string(modifier->a_const->ival->ival);
    } else {
      text += "?";
    }
  }
  return text + ")";
}

std::string RelationOf(const PgQuery__RangeVar* relation) {
  if (relation == nullptr || relation->relname == nullptr) return "";
  std::string name = AsciiLower(relation->relname);
  if (relation->schemaname != nullptr && relation->schemaname[0] != '\0') {
    name = AsciiLower(relation->schemaname) + "." + name;
  }
  return name;
}

std::vector<const PgQuery__RangeVar*> RangeVarsBelow(const PgQuery__Node* node) {
  std::vector<const PgQuery__RangeVar*> relations;
  if (node == nullptr) return relations;
  std::vector<std::string_view> with_names;
  auto visit = [&](const ProtobufCMessage* message) {
    if (message->descriptor == &pg_query__range_var__descriptor) {
      relations.push_back(reinterpret_cast<const PgQuery__RangeVar*>(message));
    } else if (message->descriptor == &pg_query__common_table_expr__descriptor) {
      const auto* with = reinterpret_cast<const PgQuery__CommonTableExpr*>(message);
      if (with->ctename != nullptr) with_names.emplace_back(with->ctename);
    }
  };
  visit(&node->base);
  WalkMessages(&node->base, visit);
  std::erase_if(relations, [&](const PgQuery__RangeVar* relation) {
    const bool qualified = relation->schemaname != nullptr && relation->schemaname[0] != '\0';
    return !qualified && relation->relname != nullptr &&
           std::find(with_names.begin(), with_names.end(), relation->relname) != with_names.end();
  });
  return relations;
}

bool IsNewTable(const ScriptFacts& facts, const PgQuery__RangeVar* relation) {
  return facts.created_tables.Contains(RelationOf(relation));
}

const PgQuery__AlterTableStmt* AlterTableOf(const PgQuery__Node& statement) {
  if (statement.node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) return nullptr;
  const PgQuery__AlterTableStmt* alter = statement.alter_table_stmt;
  return alter->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ? alter : nullptr;
}

std::span<PgQuery__Node* const> CommandsOf(const PgQuery__AlterTableStmt& alter) {
  return Nodes(alter.cmds, alter.n_cmds);
}

const PgQuery__Constraint* ColumnConstraint(const PgQuery__ColumnDef& column,
                                            PgQuery__ConstrType kind) {
  for (const PgQuery__Node* node : Nodes(column.constraints, column.n_constraints)) {
    if (node->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && node->constraint->contype == kind) {
      return node->constraint;
    }
  }
  return nullptr;
}

bool IsVolatile(const PgQuery__Node* expression) {
  if (expression == nullptr) return false;
  bool volatile_call = false;
  auto visit = [&](const ProtobufCMessage* message) {
    if (message->descriptor != &pg_query__func_call__descriptor) return;
    const auto* call = reinterpret_cast<const PgQuery__FuncCall*>(message);
    if (call->n_funcname == 0) return;
    const std::string name = AsciiLower(StringOf(call->funcname[call->n_funcname - 1]));
    if (!KnownNonVolatile(name)) volatile_call = true;
  };
  visit(&expression->base);
  WalkMessages(&expression->base, visit);
  return volatile_call;
}

}  // namespace dbshift::lint
