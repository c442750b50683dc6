#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/render_json.h"

namespace dbshift::cli {
namespace {

int RunLockStatus(CommandContext& context) {
  std::unique_ptr<Driver> driver = context.Connect();
  std::optional<LockHolder> holder = driver->LockStatus();
  if (context.json()) {
    nlohmann::json document = {{"held", holder.has_value()}};
    document["holder"] = holder ? nlohmann::json(holder->who) : nlohmann::json(nullptr);
    document["since"] =
        holder && !holder->since.empty() ? nlohmann::json(holder->since) : nlohmann::json(nullptr);
    PrintJson(document);
  } else if (holder) {
    context.Say(fmt::format("The migration lock on {} is held by {}{}.", driver->Target(),
                            holder->who, holder->since.empty() ? "" : " since " + holder->since));
  } else {
    context.Say(fmt::format("The migration lock on {} is free.", driver->Target()));
  }
  return 0;
}

}  // namespace

void AddLockCommand(CLI::App& app, CommandRunner& selected) {
  CLI::App* lock = app.add_subcommand("lock", "the migration lock");
  DefineWhenChosen(*lock, [lock, &selected] {
    lock->require_subcommand(1);
    CLI::App* status = lock->add_subcommand("status", "who holds the migration lock, since when");
    status->callback([&selected] { selected = RunLockStatus; });
  });
}

}  // namespace dbshift::cli
