#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "dbshift/cli/commands/commands.h"
#include "dbshift/cli/next_version.h"
#include "dbshift/cli/render_json.h"
#include "dbshift/common/error.h"
#include "dbshift/source/loader.h"

namespace dbshift::cli {
namespace {

struct NewOptions {
  std::vector<std::string> words;
  bool undo = false;
};

void WriteNewFile(const std::filesystem::path& path, const std::string& content) {
  if (std::filesystem::exists(path)) {
    throw UsageError(fmt::format("{} already exists", path.string()));
  }
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw ConfigError(fmt::format("cannot write {}", path.string()));
}

int RunNew(CommandContext& context, const NewOptions& options) {
  std::string description;
  for (const std::string& word : options.words) description += (description.empty() ? "" : " ") + word;
  std::string name = DescriptionToFileName(description);
  if (name.empty()) throw UsageError("new: the description needs at least one letter or digit");

  std::filesystem::path dir = context.MigrationDir();
  MigrationSet source;
  if (std::filesystem::exists(dir)) {
    source = LoadMigrations(dir);
  } else {
    std::filesystem::create_directories(dir);
  }
  std::string version = NextVersion(source, std::chrono::system_clock::now());
  std::filesystem::path up = dir / fmt::format("V{}__{}.sql", version, name);
  WriteNewFile(up, fmt::format("-- {}\n\n", description));
  std::vector<std::string> written = {up.string()};
  if (options.undo) {
    std::filesystem::path undo = dir / fmt::format("U{}__{}.sql", version, name);
    WriteNewFile(undo, fmt::format("-- undo: {}\n\n", description));
    written.push_back(undo.string());
  }
  if (context.json()) {
    PrintJson({{"version", version}, {"files", written}});
  } else {
    for (const std::string& file : written) context.Say("Created " + file);
  }
  return 0;
}

}  // namespace

void AddNewCommand(CLI::App& app, CommandRunner& selected) {
  auto options = std::make_shared<NewOptions>();
  CLI::App* command = app.add_subcommand("new", "write the next versioned migration file");
  command->add_option("description", options->words, "what the migration does")->required();
  command->add_flag("--undo", options->undo, "also write its undo script U<version>__...");
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunNew(context, *options); };
  });
}

}  // namespace dbshift::cli
