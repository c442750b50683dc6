#include <utility>

#include "dbshift/cli/commands/commands.h"

namespace dbshift::cli {

void DefineWhenChosen(CLI::App& command, std::function<void()> define) {
  // The pre-parse callback of a subcommand runs once, when the parser meets
  // its name and before it reads the arguments that follow. The help flag
  // comes first so that subcommands defined by `define` inherit it.
  command.preparse_callback([&command, define = std::move(define)](std::size_t) {
    command.set_help_flag(kHelpFlag, kHelpDescription);
    define();
  });
}

}  // namespace dbshift::cli
