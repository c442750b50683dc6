#include "dbshift/cli/plan_report.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "dbshift/cli/lint_report.h"

namespace dbshift::cli {
namespace {

// The text form cuts statements shorter than the JSON one.
constexpr std::size_t kTextWidth = 72;
constexpr std::size_t kJsonWidth = 200;

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// pg_size_pretty's units, with one decimal below 10.
std::string HumanSize(std::int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  constexpr std::array kUnits = {"kB", "MB", "GB", "TB", "PB"};
  auto value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return value < 10 ? fmt::format("{:.1f} {}", value, kUnits[unit])
                    : fmt::format("{:.0f} {}", value, kUnits[unit]);
}

// 1234567 -> "1,234,567".
std::string Thousands(std::int64_t number) {
  std::string digits = std::to_string(number < 0 ? -number : number);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return number < 0 ? "-" + digits : digits;
}

const RelationFacts* FactsOf(const lint::Lock& lock, const RelationFactsMap& relations) {
  if (lock.new_table || lock.object == lint::LockObject::kEveryTable) return nullptr;
  const auto it = relations.find(lock.QualifiedName());
  return it == relations.end() ? nullptr : &it->second;
}

// What a lock is on, for people: "users", "index users_name", "users (table
// of index users_name)", "indexes of users", "every table".
std::string ObjectText(const lint::Lock& lock, const RelationFactsMap& relations) {
  const std::string name = lock.QualifiedName();
  switch (lock.object) {
    case lint::LockObject::kRelation:
      return name;
    case lint::LockObject::kIndex:
      return "index " + name;
    case lint::LockObject::kTableOfIndex: {
      const RelationFacts* facts = FactsOf(lock, relations);
      if (facts != nullptr && facts->table) {
        return fmt::format("{} (table of index {})", facts->table->QualifiedName(), name);
      }
      return "table of index " + name;
    }
    case lint::LockObject::kIndexesOf:
      return "indexes of " + name;
    case lint::LockObject::kEveryTable:
      return name.empty() ? "every table" : "every table of schema " + name;
  }
  return name;
}

nlohmann::json LockJson(const lint::Lock& lock, const RelationFactsMap& relations) {
  nlohmann::json json = {{"relation", lock.QualifiedName()},
                         {"object", lint::LockObjectName(lock.object)},
                         {"mode", lint::LockModeName(lock.mode)},
                         {"blocks", lint::LockModeBlocks(lock.mode)},
                         {"new_table", lock.new_table}};
  if (const RelationFacts* facts = FactsOf(lock, relations)) {
    json["exists"] = facts->found;
    json["size_bytes"] = OrNull(facts->size_bytes);
    json["estimated_rows"] = OrNull(facts->estimated_rows);
    if (facts->table) json["table"] = facts->table->QualifiedName();
  }
  return json;
}

// The facts of the first relation of `statement` that the target knows: the
// size and rows the statement's work is proportional to.
const RelationFacts* MainFacts(const lint::StatementPlan& statement,
                               const RelationFactsMap& relations) {
  for (const lint::Lock& lock : statement.locks) {
    const RelationFacts* facts = FactsOf(lock, relations);
    if (facts != nullptr && facts->found) return facts;
  }
  return nullptr;
}

nlohmann::json StatementJson(const lint::StatementPlan& statement,
                             const std::vector<lint::Finding>& findings,
                             const RelationFactsMap& relations) {
  nlohmann::json locks = nlohmann::json::array();
  for (const lint::Lock& lock : statement.locks) locks.push_back(LockJson(lock, relations));
  nlohmann::json effects = nlohmann::json::array();
  for (const lint::Effect& effect : statement.effects) {
    effects.push_back({{"kind", effect.kind == lint::EffectKind::kRewrite ? "rewrite" : "scan"},
                       {"relation", effect.relation},
                       {"why", effect.why}});
  }
  nlohmann::json found = nlohmann::json::array();
  for (const lint::Finding& finding : findings) found.push_back(FindingJson(finding));
  const RelationFacts* main = MainFacts(statement, relations);
  return {
      {"line", statement.line},
      {"column", statement.column},
      {"text", Abbreviate(statement.text, kJsonWidth)},
      {"analyzed", statement.analyzed},
      {"note", statement.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(statement.note)},
      {"locks", std::move(locks)},
      {"rewrites", statement.rewrites()},
      {"scans", statement.scans()},
      {"effects", std::move(effects)},
      {"relation_size_bytes", main != nullptr ? OrNull(main->size_bytes) : nullptr},
      {"estimated_rows", main != nullptr ? OrNull(main->estimated_rows) : nullptr},
      {"findings", std::move(found)}};
}

// One row of the aligned lock table under a statement (or of the
// held-until-commit list).
struct Row {
  std::string mode;
  std::string object;
  std::string size;
  std::string rows;
  std::string remark;
};

Row LockRow(const lint::Lock& lock, const RelationFactsMap& relations, bool connected) {
  Row row{lint::LockModeName(lock.mode), ObjectText(lock, relations), "", "", ""};
  if (lock.new_table) {
    row.remark = "new: no one waits";
    return row;
  }
  row.remark = fmt::format("blocks {}", lint::LockModeBlocks(lock.mode));
  const RelationFacts* facts = FactsOf(lock, relations);
  if (!connected || facts == nullptr) return row;
  if (!facts->found) {
    row.remark += "; not in the target";
    return row;
  }
  if (facts->size_bytes) row.size = HumanSize(*facts->size_bytes);
  row.rows = facts->estimated_rows ? fmt::format("~{} rows", Thousands(*facts->estimated_rows))
                                   : "rows unknown";
  return row;
}

struct Widths {
  std::size_t mode = 0;
  std::size_t object = 0;
  std::size_t size = 0;
  std::size_t rows = 0;
  void Fit(const Row& row) {
    mode = std::max(mode, row.mode.size());
    object = std::max(object, row.object.size());
    size = std::max(size, row.size.size());
    rows = std::max(rows, row.rows.size());
  }
};

std::string RowText(const Row& row, const Widths& widths, const std::string& indent) {
  std::string text =
      fmt::format("{}{:<{}}  {:<{}}  ", indent, row.mode, widths.mode, row.object, widths.object);
  if (widths.size > 0) text += fmt::format("{:>{}}  ", row.size, widths.size);
  if (widths.rows > 0) text += fmt::format("{:<{}}  ", row.rows, widths.rows);
  text += row.remark;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text + "\n";
}

// "Version 2: add email (migrations/V2__add_email.sql)".
std::string Title(const MigrationPlan& migration) {
  if (migration.version) {
    return fmt::format("Version {}: {} ({})", *migration.version, migration.description,
                       migration.file);
  }
  if (migration.description.empty()) return migration.file;
  return fmt::format("{} ({})", migration.description, migration.file);
}

std::string MigrationText(const MigrationPlan& migration, const PlanReport& report) {
  const lint::ScriptPlan& plan = migration.plan;
  std::string text = Title(migration) + "\n";
  if (report.lock_analysis) {
    text += plan.in_transaction
                ? "  in one transaction: every lock is held until it commits\n"
                : "  no transaction (-- dbshift:no-transaction): each lock ends with its "
                  "statement\n";
  }
  if (plan.statements.empty()) return text + "  (no statements)\n";

  std::vector<std::vector<Row>> rows(plan.statements.size());
  std::vector<Row> held;
  Widths widths;
  std::size_t position_width = 0;
  for (std::size_t i = 0; i < plan.statements.size(); ++i) {
    const lint::StatementPlan& statement = plan.statements[i];
    position_width =
        std::max(position_width, fmt::format("{}:{}", statement.line, statement.column).size());
    for (const lint::Lock& lock : statement.locks) {
      rows[i].push_back(LockRow(lock, report.relations, report.connected));
      widths.Fit(rows[i].back());
    }
  }
  for (const lint::HeldLock& entry : plan.held_until_commit) {
    Row row = LockRow(entry.lock, report.relations, report.connected);
    row.remark = fmt::format("since line {}", entry.line);
    held.push_back(row);
    widths.Fit(row);
  }

  const std::string indent(2 + position_width + 2, ' ');
  for (std::size_t i = 0; i < plan.statements.size(); ++i) {
    const lint::StatementPlan& statement = plan.statements[i];
    text += fmt::format("  {:<{}}  {}\n", fmt::format("{}:{}", statement.line, statement.column),
                        position_width, Abbreviate(statement.text, kTextWidth));
    for (const Row& row : rows[i]) text += RowText(row, widths, indent);
    if (statement.analyzed && statement.locks.empty()) text += indent + "no table lock\n";
    for (const lint::Effect& effect : statement.effects) {
      text += fmt::format("{}{} {}: {}\n", indent,
                          effect.kind == lint::EffectKind::kRewrite ? "rewrites" : "scans",
                          effect.relation, effect.why);
    }
    if (!statement.note.empty()) text += fmt::format("{}note: {}\n", indent, statement.note);
    for (const lint::Finding& finding : migration.findings[i]) {
      text += fmt::format("{}{} [{}]{} {}\n", indent, lint::SeverityName(finding.severity),
                          finding.rule, finding.breaking ? " (breaking)" : "", finding.message);
    }
  }
  if (!held.empty()) {
    text += "  held until commit:\n";
    for (const Row& row : held) text += RowText(row, widths, indent);
  }
  return text;
}

}  // namespace

std::string Abbreviate(std::string_view text, std::size_t width) {
  const std::size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  const bool more = newline != std::string_view::npos &&
                    text.find_first_not_of(" \t\r\n", newline) != std::string_view::npos;
  // Cut at a character boundary: count UTF-8 lead bytes.
  std::size_t characters = 0;
  std::size_t cut = line.size();
  const std::size_t keep = width > 3 ? width - 3 : width;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (characters == keep && cut == line.size()) cut = i;
    ++characters;
  }
  if (characters > width) return std::string(line.substr(0, cut)) + "...";
  return more ? std::string(line) + " ..." : std::string(line);
}

nlohmann::json PlanJson(const PlanReport& report) {
  nlohmann::json migrations = nlohmann::json::array();
  for (const MigrationPlan& migration : report.migrations) {
    nlohmann::json statements = nlohmann::json::array();
    for (std::size_t i = 0; i < migration.plan.statements.size(); ++i) {
      statements.push_back(
          StatementJson(migration.plan.statements[i], migration.findings[i], report.relations));
    }
    nlohmann::json held = nlohmann::json::array();
    for (const lint::HeldLock& entry : migration.plan.held_until_commit) {
      nlohmann::json lock = LockJson(entry.lock, report.relations);
      lock["line"] = entry.line;
      lock["statement"] = entry.statement + 1;
      held.push_back(std::move(lock));
    }
    migrations.push_back({{"version", OrNull(migration.version)},
                          {"description", migration.description},
                          {"file", migration.file},
                          {"in_transaction", migration.plan.in_transaction},
                          {"statements", std::move(statements)},
                          {"held_until_commit", std::move(held)}});
  }
  return {{"migrations", std::move(migrations)},
          {"lock_analysis", report.lock_analysis},
          {"connected", report.connected},
          {"dialect", report.dialect},
          {"server_version",
           report.connected ? nlohmann::json(report.server_version) : nlohmann::json(nullptr)}};
}

std::string PlanText(const PlanReport& report) {
  std::string text;
  std::size_t statements = 0;
  std::size_t exclusive = 0;
  std::size_t heavy = 0;
  std::size_t findings = 0;
  for (const MigrationPlan& migration : report.migrations) {
    text += MigrationText(migration, report) + "\n";
    for (std::size_t i = 0; i < migration.plan.statements.size(); ++i) {
      const lint::StatementPlan& statement = migration.plan.statements[i];
      ++statements;
      findings += migration.findings[i].size();
      if (statement.rewrites() || statement.scans()) ++heavy;
      if (std::any_of(statement.locks.begin(), statement.locks.end(), [](const lint::Lock& lock) {
            return !lock.new_table && lock.mode == lint::LockMode::kAccessExclusive;
          })) {
        ++exclusive;
      }
    }
  }
  const std::size_t count = report.migrations.size();
  if (count == 0) return report.connected ? "No pending migrations.\n" : "No scripts.\n";
  text += fmt::format("{} script{}, {} statement{}", count, count == 1 ? "" : "s", statements,
                      statements == 1 ? "" : "s");
  if (report.lock_analysis) {
    text += fmt::format(
        ": {} take{} ACCESS EXCLUSIVE on an existing table, {} rewrite{} or scan{} one; {} lint "
        "finding{}",
        exclusive, exclusive == 1 ? "s" : "", heavy, heavy == 1 ? "s" : "", heavy == 1 ? "s" : "",
        findings, findings == 1 ? "" : "s");
  }
  return text + ".\n";
}

}  // namespace dbshift::cli
