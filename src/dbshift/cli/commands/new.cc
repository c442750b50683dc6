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

struct NewFile {
  std::string name;
  std::string content;
};

// The files of one new migration in the folder's layout, as each tool's own
// "new"/"create" command writes them.
std::vector<NewFile> FilesOf(Layout layout, const std::string& version, const std::string& name,
                             const std::string& description, bool undo) {
  switch (layout) {
    case Layout::kNative: {
      std::vector<NewFile> files = {
          {fmt::format("V{}__{}.sql", version, name), fmt::format("-- {}\n\n", description)}};
      if (undo) {
        files.push_back({fmt::format("U{}__{}.sql", version, name),
                         fmt::format("-- undo: {}\n\n", description)});
      }
      return files;
    }
    case Layout::kDbmate:
      return {{fmt::format("{}_{}.sql", version, name),
               fmt::format("-- migrate:up\n-- {}\n\n\n-- migrate:down\n\n", description)}};
    case Layout::kGolangMigrate:
    case Layout::kPopx:
      // Both tools always pair an up file with a down file.
      return {{fmt::format("{}_{}.up.sql", version, name), fmt::format("-- {}\n\n", description)},
              {fmt::format("{}_{}.down.sql", version, name),
               fmt::format("-- undo: {}\n\n", description)}};
  }
  return {};
}

int RunNew(CommandContext& context, const NewOptions& options) {
  std::string description;
  for (const std::string& word : options.words)
    description += (description.empty() ? "" : " ") + word;
  std::string name = DescriptionToFileName(description);
  if (name.empty()) throw UsageError("new: the description needs at least one letter or digit");

  std::filesystem::path dir = context.MigrationDir();
  const LoadOptions load = context.SourceOptions();
  MigrationSet source;
  if (std::filesystem::exists(dir)) {
    source = LoadMigrations(dir, load);
  } else {
    std::filesystem::create_directories(dir);
    source.layout = load.layout.value_or(Layout::kNative);
  }
  const std::string version = NextVersion(source, std::chrono::system_clock::now());
  std::vector<std::string> written;
  for (const NewFile& file : FilesOf(source.layout, version, name, description, options.undo)) {
    const std::filesystem::path path = dir / file.name;
    WriteNewFile(path, file.content);
    written.push_back(path.string());
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
  DefineWhenChosen(*command, [command, options] {
    command->add_option("description", options->words, "what the migration does")->required();
    command->add_flag("--undo", options->undo,
                      "also write its undo script U<version>__... (other layouts always have one)");
  });
  command->callback([&selected, options] {
    selected = [options](CommandContext& context) { return RunNew(context, *options); };
  });
}

}  // namespace dbshift::cli
