#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/common/error.h"

namespace dbshift::cli {
namespace {

constexpr const char* kConfigTemplate = R"(# dbshift configuration. Every key is optional.
dir = "migrations"
history_table = "dbshift_history"
log_dir = ".dbshift/log"
lock_timeout = "30s"

# Pick one with --env NAME. Without --url or --env, dbshift uses DATABASE_URL,
# then sqlite:./dbshift.db.
[env.dev]
url = "sqlite:./dev.db"

# Keep passwords out of this file: name a variable that holds the URL.
# [env.prod]
# url_env = "PROD_DATABASE_URL"
)";

int RunInit(CommandContext& context) {
  std::filesystem::path config = context.options().config.value_or("dbshift.toml");
  if (std::filesystem::exists(config)) {
    context.Say(fmt::format("{} exists; left as it is.", config.string()));
  } else {
    std::ofstream out(config, std::ios::binary);
    out << kConfigTemplate;
    if (!out) throw ConfigError(fmt::format("cannot write {}", config.string()));
    context.Say(fmt::format("Created {}", config.string()));
  }
  std::filesystem::path dir = context.options().dir.value_or("migrations");
  if (std::filesystem::create_directories(dir)) {
    context.Say(fmt::format("Created {}/", dir.string()));
  } else {
    context.Say(fmt::format("{}/ exists; left as it is.", dir.string()));
  }
  return 0;
}

}  // namespace

void AddInitCommand(CLI::App& app, CommandRunner& selected) {
  CLI::App* command = app.add_subcommand("init", "write dbshift.toml and migrations/");
  DefineWhenChosen(
      *command, [command, &selected] { command->callback([&selected] { selected = RunInit; }); });
}

}  // namespace dbshift::cli
