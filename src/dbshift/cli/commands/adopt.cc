#include "dbshift/history/adopt.h"

#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/commands/run_support.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/build_info.h"
#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/exec/migration_lock.h"

namespace dbshift::cli {
namespace {

struct AdoptOptions {
  std::string from;
  std::string table;  // empty: the tool's default
};

std::string Summary(const std::vector<HistoryRow>& rows) {
  std::size_t versioned = 0;
  std::size_t repeatable = 0;
  std::size_t baseline = 0;
  std::size_t failed = 0;
  for (const HistoryRow& row : rows) {
    if (!row.success) ++failed;
    if (row.kind == HistoryKind::kRepeatable) ++repeatable;
    if (row.kind == HistoryKind::kBaseline) ++baseline;
    if (row.kind == HistoryKind::kVersioned) ++versioned;
  }
  std::string text = fmt::format("{} versioned", versioned);
  if (repeatable > 0) text += fmt::format(", {} repeatable", repeatable);
  if (baseline > 0) text += fmt::format(", {} baseline", baseline);
  if (failed > 0) text += fmt::format(", {} failed", failed);
  return text;
}

nlohmann::json RowsJson(const std::vector<HistoryRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const HistoryRow& row : rows) {
    list.push_back(
        {{"version", row.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(row.version)},
         {"description", row.description},
         {"kind", HistoryKindName(row.kind)},
         {"script", row.script},
         {"success", row.success}});
  }
  return list;
}

int RunAdopt(CommandContext& context, const AdoptOptions& options) {
  const HistoryFormat from = *ParseHistoryFormat(options.from);  // checked by CLI11
  if (context.history_format() != HistoryFormat::kNative) {
    throw UsageError("adopt writes dbshift's own history: leave out --history");
  }
  const std::string table = options.table.empty() ? DefaultHistoryTable(from) : options.table;
  auto [source, driver] = context.LoadSourceAndConnect();
  context.Say(TargetLine(*driver, context));

  RequireForeignTableSupport(*driver, from);
  const SourceFacts facts = SourceFacts::Of(source);
  std::unique_ptr<ForeignTable> foreign = MakeForeignTable(from, table, facts);
  RunOptions run = MakeRunOptions(context, "adopt");
  RunSinks sinks(context, run.run_id, false);
  MigrationLock lock(*driver, context.lock_policy(), sinks.sink());

  HistoryRow stamp;
  stamp.run_id = run.run_id;
  stamp.tool_version = kToolVersion;
  stamp.applied_by = OsUser() + "@" + HostName();
  const AdoptResult result = Adopt(*driver, *foreign, source, stamp);

  if (context.json()) {
    PrintJson(
        {{"from", HistoryFormatName(from)},
         {"table", table},
         {"already_adopted", result.already_adopted},
         {"adopted", result.already_adopted ? nlohmann::json::array() : RowsJson(result.rows)}});
  } else if (result.already_adopted) {
    context.Say(
        fmt::format("Already adopted: dbshift's history holds the {} entries of {}; nothing "
                    "changed.",
                    result.rows.size(), table));
  } else {
    context.Say(
        fmt::format("Adopted {} entr{} from {} ({}): {}. {} was left as it was; no "
                    "migration ran.",
                    result.rows.size(), result.rows.size() == 1 ? "y" : "ies", table,
                    HistoryFormatName(from), Summary(result.rows), table));
  }
  return 0;
}

}  // namespace

void AddAdoptCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<AdoptOptions>();
  CLI::App* command = app.add_subcommand(
      "adopt", "copy another tool's history into dbshift's, without running anything");
  DefineWhenChosen(*command, [command, options] {
    command->add_option("--from", options->from, "flyway, golang-migrate, dbmate or popx")
        ->required()
        ->check(CLI::IsMember({"flyway", "golang-migrate", "dbmate", "popx"}));
    command->add_option("--table", options->table,
                        "the other tool's table (default: the tool's own name for it)");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunAdopt(context, *options); };
  });
}

}  // namespace dbshift::cli
