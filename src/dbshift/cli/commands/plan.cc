// dbshift plan: which lock each statement of the migrations takes, on what,
// for how long, and what it does to the table meanwhile; read-only.

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/script_selection.h"
#include "dbshift/cli/plan_report.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/exec/lint_gate.h"
#include "dbshift/lint/linter.h"
#include "dbshift/lint/lock_plan.h"
#include "dbshift/source/placeholders.h"

namespace dbshift::cli {
namespace {

// Size and estimated rows of every relation named, in one round trip. An
// index stands for its table: that is what its statement locks and reads.
constexpr const char* kRelationFactsQuery = R"sql(
SELECT r.i,
       c.oid IS NOT NULL,
       pg_catalog.pg_total_relation_size(t.oid),
       t.reltuples::bigint,
       CASE WHEN x.indrelid IS NULL THEN NULL
            WHEN pg_catalog.pg_table_is_visible(t.oid) THEN ''
            ELSE n.nspname END,
       CASE WHEN x.indrelid IS NULL THEN NULL ELSE t.relname END
FROM pg_catalog.jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(item, i)
LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(
    CASE WHEN r.item->>0 = '' THEN pg_catalog.quote_ident(r.item->>1)
         ELSE pg_catalog.quote_ident(r.item->>0) || '.' || pg_catalog.quote_ident(r.item->>1)
    END)
LEFT JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid
LEFT JOIN pg_catalog.pg_class t ON t.oid = COALESCE(x.indrelid, c.oid)
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
ORDER BY r.i)sql";

std::optional<std::int64_t> NumberOf(const std::optional<std::string>& cell) {
  if (!cell) return std::nullopt;
  return std::stoll(*cell);
}

RelationFactsMap ReadRelationFacts(Driver& driver, const std::vector<MigrationPlan>& migrations) {
  std::vector<std::string> names;
  nlohmann::json parts = nlohmann::json::array();
  for (const MigrationPlan& migration : migrations) {
    for (const lint::StatementPlan& statement : migration.plan.statements) {
      for (const lint::Lock& lock : statement.locks) {
        if (lock.new_table || lock.object == lint::LockObject::kEveryTable) continue;
        const std::string name = lock.QualifiedName();
        if (std::find(names.begin(), names.end(), name) != names.end()) continue;
        names.push_back(name);
        parts.push_back({lock.schema, lock.name});
      }
    }
  }
  RelationFactsMap facts;
  if (names.empty()) return facts;
  for (const auto& row : driver.Query(kRelationFactsQuery, {parts.dump()})) {
    const std::size_t index = std::stoul(row.at(0).value_or("0"));
    if (index == 0 || index > names.size()) continue;
    RelationFacts& entry = facts[names[index - 1]];
    entry.found = row.at(1) == "t";
    entry.size_bytes = NumberOf(row.at(2));
    entry.estimated_rows = NumberOf(row.at(3));
    // -1: never vacuumed or analysed (PostgreSQL 14+).
    if (entry.estimated_rows && *entry.estimated_rows < 0) entry.estimated_rows.reset();
    if (row.at(5)) {
      lint::Lock table;
      table.schema = row.at(4).value_or("");
      table.name = *row.at(5);
      entry.table = table;
    }
  }
  return facts;
}

// The lint's findings of one script, each under the statement it is about:
// the last one starting at or before it.
std::vector<std::vector<lint::Finding>> FindingsByStatement(const lint::ScriptPlan& plan,
                                                            std::vector<lint::Finding> findings,
                                                            const PlaceholderValues& placeholders) {
  std::vector<std::vector<lint::Finding>> by_statement(plan.statements.size());
  if (plan.statements.empty()) return by_statement;
  for (lint::Finding& finding : findings) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < plan.statements.size(); ++i) {
      const lint::StatementPlan& statement = plan.statements[i];
      if (std::pair(statement.line, statement.column) <= std::pair(finding.line, finding.column)) {
        at = i;
      }
    }
    finding.message = MaskSecretValues(finding.message, placeholders);
    by_statement[at].push_back(std::move(finding));
  }
  return by_statement;
}

void MaskStatements(lint::ScriptPlan& plan, const PlaceholderValues& placeholders) {
  for (lint::StatementPlan& statement : plan.statements) {
    statement.text = MaskSecretValues(statement.text, placeholders);
  }
}

int RunPlan(CommandContext& context, const ScriptChoice& choice) {
  PlanReport report;
  const LintGate settings = LintSettings(context);
  lint::LintOptions lint_options;
  lint_options.severities = settings.severities;
  std::optional<Dialect> other_dialect;
  SelectedScripts selected = SelectScripts(context, choice, "plan", [&](Driver& driver) {
    report.dialect = DialectName(driver.dialect());
    report.target = driver.Target();
    if (driver.dialect() != Dialect::kPostgres) {
      other_dialect = driver.dialect();
      context.Note(fmt::format(
          "plan: the lock analysis is PostgreSQL's and the target is {} ({}): listing the "
          "pending statements without it. Name the files, or use --all, to read them as "
          "PostgreSQL",
          report.dialect, report.target));
      return;
    }
    report.server_version = lint::ServerVersionNumber(driver.ServerVersion());
    lint_options.server_version = report.server_version;
  });
  report.connected = selected.driver != nullptr;
  report.lock_analysis = !other_dialect;
  if (!report.connected) report.dialect = DialectName(Dialect::kPostgres);
  if (report.connected && !context.json()) context.Say(TargetLine(*selected.driver, context));

  // Pending migrations run in order: tables an earlier one creates are new to
  // the later ones, to the lint and to the plan alike. Named files and --all
  // are read one by one.
  std::set<std::string> lint_new_tables;
  std::set<std::string> plan_new_tables;
  for (const Script& script : selected.scripts) {
    MigrationPlan migration;
    migration.file = script.name;
    migration.version = script.version;
    migration.description = script.description;
    if (other_dialect) {
      migration.plan =
          lint::ListStatements(script.sql, *other_dialect, !script.directives.no_transaction,
                               fmt::format("no lock analysis for {}", DialectName(*other_dialect)));
      migration.findings.resize(migration.plan.statements.size());
    } else {
      lint::LintInput input = LintInputFor(script.name, script.sql, script.directives,
                                           settings.lock_timeout_by_default);
      if (choice.pending()) input.new_tables = &plan_new_tables;
      migration.plan = lint::PlanLocks(input, lint_options);
      input.new_tables = choice.pending() ? &lint_new_tables : nullptr;
      migration.findings = FindingsByStatement(migration.plan, lint::Lint(input, lint_options),
                                               selected.placeholders);
    }
    MaskStatements(migration.plan, selected.placeholders);
    report.migrations.push_back(std::move(migration));
  }

  if (report.connected && report.lock_analysis) {
    report.relations = ReadRelationFacts(*selected.driver, report.migrations);
    // Knowing the table of each index, a DROP INDEX counts as a lock on it.
    std::map<std::string, lint::Lock, std::less<>> table_of_index;
    for (const auto& [name, facts] : report.relations) {
      if (facts.table) table_of_index.emplace(name, *facts.table);
    }
    for (MigrationPlan& migration : report.migrations) {
      if (!migration.plan.in_transaction) continue;
      migration.plan.held_until_commit =
          lint::HeldUntilCommit(migration.plan.statements, table_of_index);
    }
  }

  if (context.json()) {
    PrintJson(PlanJson(report));
  } else {
    std::fputs(PlanText(report).c_str(), stdout);
  }
  return 0;  // informational: findings never fail a plan (lint's exit code does that)
}

}  // namespace

void AddPlanCommand(CLI::App& app, CommandRunner& selected) {
  auto choice = std::make_shared<ScriptChoice>();
  CLI::App* command = app.add_subcommand(
      "plan", "which lock each statement takes, on what, and whether it rewrites or scans");
  DefineWhenChosen(*command, [command, choice] { AddScriptChoice(*command, *choice, "plan"); });
  command->callback([&selected, choice] {
    selected = [choice](CommandContext& context) { return RunPlan(context, *choice); };
  });
}

}  // namespace dbshift::cli
