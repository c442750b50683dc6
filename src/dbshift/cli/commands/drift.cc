#include "dbshift/exec/drift.h"

#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/cli/render_text.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {
namespace {

nlohmann::json OptionalText(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

nlohmann::json DriftJson(const DriftResult& result) {
  nlohmann::json differences = nlohmann::json::array();
  for (const schema::SchemaDifference& difference : result.differences) {
    differences.push_back({{"kind", difference.kind},
                           {"name", difference.name},
                           {"expected", OptionalText(difference.expected)},
                           {"actual", OptionalText(difference.actual)}});
  }
  nlohmann::json document = {{"target", result.target},
                             {"schema_version", OptionalText(result.version)},
                             {"drift", result.drift()},
                             {"differences", std::move(differences)},
                             {"notes", result.notes}};
  if (result.failure) document["error"] = FailureJson(*result.failure);
  return document;
}

// The differences are the result: on stdout even with --quiet.
void PrintDriftText(const DriftResult& result) {
  for (const schema::SchemaDifference& difference : result.differences) {
    std::printf("%s\n", schema::DescribeDifference(difference).c_str());
  }
  if (result.failure) return;
  if (!result.drift()) {
    std::printf("No drift: the live schema is the one the applied migrations give.\n");
    return;
  }
  int live_only = 0;
  int migrations_only = 0;
  for (const schema::SchemaDifference& difference : result.differences) {
    if (!difference.expected) ++live_only;
    if (!difference.actual) ++migrations_only;
  }
  const int changed = static_cast<int>(result.differences.size()) - live_only - migrations_only;
  std::printf(
      "Drift: %zu difference%s between the live schema and the one the applied migrations give "
      "(+ %d only live, - %d only from the migrations, ~ %d changed).\n",
      result.differences.size(), result.differences.size() == 1 ? "" : "s", live_only,
      migrations_only, changed);
}

int RunDrift(CommandContext& context) {
  auto [source, driver] = context.LoadSourceAndConnect();
  context.Say(TargetLine(*driver, context));
  context.Say(
      "Building the schema the applied migrations give in a scratch database; the target is "
      "only read.");
  DriftOptions options;
  options.history_table = context.HistoryTable();
  options.history_schema = context.HistorySchema();
  options.run = MakeRunOptions(context, "drift");
  options.run.placeholders = context.placeholders();
  // The run on the scratch database is shown with -v only, and never goes to
  // the run log: the log records changes to databases, and the scratch one
  // is thrown away.
  TerminalSink terminal(context, true);
  FanOutSink sink;
  if (context.options().verbose > 0) sink.Add(&terminal);
  const DriftResult result =
      FindDrift(*driver, Url::Parse(context.TargetUrl()), source, options, sink);

  for (const std::string& note : result.notes) context.Note("note: " + note);
  if (context.json()) {
    PrintJson(DriftJson(result));
  } else {
    PrintDriftText(result);
  }
  if (result.failure) {
    std::fprintf(stderr,
                 "dbshift: error: %s:%d: an applied migration failed on the scratch database, so "
                 "there is no schema to compare with: %s\n",
                 result.failure->file.c_str(), result.failure->line,
                 result.failure->message.c_str());
    return static_cast<int>(ExitCode::kMigrationFailed);
  }
  return result.drift() ? static_cast<int>(ExitCode::kValidation) : 0;
}

}  // namespace

void AddDriftCommand(CLI::App& app, CommandRunner& selected) {
  CLI::App* command = app.add_subcommand(
      "drift",
      "compare the live schema with the one the applied migrations give (built in a scratch "
      "database)");
  DefineWhenChosen(*command, [command, &selected] {
    command->callback(
        [&selected] { selected = [](CommandContext& context) { return RunDrift(context); }; });
  });
}

}  // namespace dbshift::cli
