#include "dbshift/cli/render_json.h"

#include <cstdio>
#include <string_view>

namespace dbshift::cli {
namespace {

nlohmann::json VersionOrNull(const std::optional<Version>& version) {
  return version ? nlohmann::json(version->text()) : nlohmann::json(nullptr);
}

nlohmann::json StringOrNull(std::string_view text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json StatusJson(const Plan& plan) {
  nlohmann::json migrations = nlohmann::json::array();
  for (const PlanEntry& entry : plan.entries) {
    nlohmann::json item;
    item["version"] = VersionOrNull(entry.version);
    item["description"] = entry.description;
    item["kind"] =
        entry.state == MigrationState::kBaseline ? "baseline" : MigrationKindName(entry.kind);
    item["state"] = MigrationStateName(entry.state);
    item["checksum"] = StringOrNull(entry.checksum);
    item["script"] = StringOrNull(entry.script);
    bool applied =
        entry.applied && entry.applied->success && entry.applied->kind != HistoryKind::kUndo;
    item["applied_at"] =
        applied ? nlohmann::json(entry.applied->applied_at) : nlohmann::json(nullptr);
    item["execution_ms"] =
        applied ? nlohmann::json(entry.applied->execution_ms) : nlohmann::json(nullptr);
    if (!entry.message.empty()) item["message"] = entry.message;
    migrations.push_back(std::move(item));
  }
  return {{"current_version", VersionOrNull(plan.current_version)}, {"migrations", migrations}};
}

nlohmann::json RunJson(const RunResult& result) {
  nlohmann::json applied = nlohmann::json::array();
  for (const AppliedMigration& migration : result.applied) {
    applied.push_back({{"version", StringOrNull(migration.version)},
                       {"description", migration.description},
                       {"script", migration.script},
                       {"execution_ms", migration.execution_ms}});
  }
  nlohmann::json document = {
      {"applied", applied},
      {"current_version",
       result.current_version ? nlohmann::json(*result.current_version) : nlohmann::json(nullptr)},
      {"dry_run", result.dry_run}};
  if (result.dry_run) document["not_verifiable"] = result.not_verifiable;
  if (!result.backup.empty()) document["backup"] = result.backup;
  if (result.failure) {
    document["error"] = {{"version", StringOrNull(result.failure->version)},
                         {"file", StringOrNull(result.failure->file)},
                         {"line", result.failure->line},
                         {"message", result.failure->message},
                         {"rolled_back", result.failure->rolled_back},
                         {"whole_run_rolled_back", result.failure->whole_run_rolled_back}};
    if (result.failure->statement_index > 0) {
      nlohmann::json statements = nlohmann::json::array();
      for (const RunFailure::AppliedStatement& statement : result.failure->applied_statements) {
        statements.push_back(
            {{"index", statement.index}, {"line", statement.line}, {"statement", statement.text}});
      }
      document["error"]["statement_index"] = result.failure->statement_index;
      document["error"]["statements_total"] = result.failure->statements_total;
      document["error"]["applied_statements"] = statements;
    }
  }
  return document;
}

nlohmann::json FailureJson(const RunFailure& failure) {
  return {{"version", failure.version},
          {"file", failure.file},
          {"line", failure.line},
          {"message", failure.message}};
}

nlohmann::json ValidateJson(const Plan& plan) {
  nlohmann::json problems = nlohmann::json::array();
  for (const PlanEntry* entry : plan.Problems()) {
    problems.push_back({{"version", VersionOrNull(entry->version)},
                        {"state", MigrationStateName(entry->state)},
                        {"script", StringOrNull(entry->script)},
                        {"message", entry->message}});
  }
  return {{"ok", problems.empty()}, {"problems", problems}};
}

nlohmann::json ErrorJson(const Error& error) {
  const ErrorContext& context = error.context();
  nlohmann::json detail = {{"message", error.what()},
                           {"exit_code", static_cast<int>(error.code())}};
  if (!context.file.empty()) detail["file"] = context.file;
  if (context.line > 0) detail["line"] = context.line;
  if (!context.version.empty()) detail["version"] = context.version;
  if (!context.sqlstate.empty()) detail["sqlstate"] = context.sqlstate;
  return {{"error", detail}};
}

namespace {
JsonCollector* active_collector = nullptr;

void WriteJson(const nlohmann::json& document) {
  std::string text = document.dump(2);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}
}  // namespace

void PrintJson(const nlohmann::json& document) {
  if (active_collector != nullptr) return active_collector->Add(document);
  WriteJson(document);
}

void PrintJsonText(const std::string& text) {
  if (active_collector != nullptr) return active_collector->Add(nlohmann::json::parse(text));
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

JsonCollector::JsonCollector() { active_collector = this; }
JsonCollector::~JsonCollector() { active_collector = nullptr; }

void JsonCollector::Add(nlohmann::json document) {
  nlohmann::json tagged = {{"namespace", namespace_}};
  tagged.update(document);
  documents_.push_back(std::move(tagged));
}

void JsonCollector::Print() const { WriteJson({{"namespaces", documents_}}); }

}  // namespace dbshift::cli
