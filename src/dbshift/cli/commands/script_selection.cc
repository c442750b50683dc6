#include "dbshift/cli/commands/script_selection.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/config/config.h"
#include "dbshift/exec/executor.h"
#include "dbshift/source/layout.h"
#include "dbshift/source/loader.h"

namespace dbshift::cli {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Version and description from a file name of any layout, when it has them.
void NameFromFile(const std::string& file, Script& script) {
  const std::string base = std::filesystem::path(file).filename().string();
  if (std::optional<NativeName> native = ParseNativeName(base)) {
    if (native->version) script.version = native->version->text();
    script.description = native->description;
    return;
  }
  for (Layout layout : {Layout::kGolangMigrate, Layout::kPopx, Layout::kDbmate}) {
    if (std::optional<ForeignName> foreign = ParseForeignName(layout, base)) {
      script.version = foreign->version.text();
      script.description = foreign->description;
      return;
    }
  }
}

Script ReadScript(const std::string& file, std::string_view verb) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot read {}", verb, file));
  std::ostringstream text;
  text << in.rdbuf();
  Script script{file, text.str(), {}, std::nullopt, ""};
  if (std::string_view(script.sql).starts_with(kUtf8Bom)) script.sql.erase(0, kUtf8Bom.size());
  script.directives = ParseDirectives(script.sql, file);
  NameFromFile(file, script);
  return script;
}

Script FromMigration(const Migration& migration, const std::filesystem::path& dir) {
  Script script{(dir / migration.script).lexically_normal().string(), migration.sql,
                migration.directives, std::nullopt, migration.description};
  if (migration.version) script.version = migration.version->text();
  return script;
}

// Replaces the placeholders of every script with their values, as `up`
// does before it runs them, and warns of those without one.
void ApplyPlaceholders(CommandContext& context, SelectedScripts& selected) {
  selected.placeholders = context.placeholders();
  for (Script& script : selected.scripts) {
    if (!script.directives.placeholders) continue;
    for (const PlaceholderUse& use : FindUndefinedPlaceholders(script.sql, selected.placeholders)) {
      std::string variable = std::string(kPlaceholderEnvPrefix) + use.name;
      for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      context.Note(fmt::format(
          "warning: {}:{}: ${{{}}} has no value, so it is read as written; up would refuse to "
          "run (define {} under [placeholders] in dbshift.toml or set {})",
          script.name, use.line, use.name, PlaceholderKey(use.name), variable));
    }
    script.sql = SubstitutePlaceholders(script.sql, selected.placeholders);
  }
}

}  // namespace

void AddScriptChoice(CLI::App& command, ScriptChoice& choice, std::string_view verb) {
  command.add_option(
      "files", choice.files,
      fmt::format("scripts to {} (default: the pending migrations of the target)", verb));
  command.add_flag("--all", choice.all,
                   fmt::format("{} every migration of the folder, applied or not, without "
                               "connecting",
                               verb));
}

LintGate LintSettings(CommandContext& context) {
  LintGate gate;
  gate.severities = context.config().lint_severity;
  const StatementLimits limits = ResolveStatementLimits(context.config(), context.options().env);
  gate.lock_timeout_by_default = !limits.lock_timeout || limits.lock_timeout->count() > 0;
  return gate;
}

SelectedScripts SelectScripts(CommandContext& context, const ScriptChoice& choice,
                              std::string_view verb,
                              const std::function<void(Driver&)>& check_target) {
  SelectedScripts selected;
  if (!choice.files.empty()) {
    for (const std::string& file : choice.files) {
      selected.scripts.push_back(ReadScript(file, verb));
    }
  } else if (choice.all) {
    const std::filesystem::path dir = context.MigrationDir();
    const MigrationSet source = LoadMigrations(dir, context.SourceOptions());
    for (const auto* list : {&source.versioned, &source.undo, &source.repeatable}) {
      for (const Migration& migration : *list) {
        selected.scripts.push_back(FromMigration(migration, dir));
      }
    }
  } else {
    auto [source, driver, history] = context.LoadSourceConnectAndReadHistory();
    if (check_target) check_target(*driver);
    const Plan plan = BuildPlan(source, std::move(history).Take(), PlanOptions{});
    for (const PlanEntry* entry : SelectUp(plan, Target{})) {
      if (entry->migration != nullptr) {
        selected.scripts.push_back(FromMigration(*entry->migration, context.MigrationDir()));
      }
    }
    selected.driver = std::move(driver);
  }
  ApplyPlaceholders(context, selected);
  return selected;
}

}  // namespace dbshift::cli
