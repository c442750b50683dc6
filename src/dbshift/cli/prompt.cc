#include "dbshift/cli/prompt.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "dbshift/common/error.h"

namespace dbshift::cli {

bool Confirm(const std::string& question, bool yes, const std::string& flag_hint) {
  if (yes) return true;
  if (isatty(STDIN_FILENO) == 0) {
    throw UsageError("refusing to continue without confirmation: no terminal to ask on; pass " +
                     flag_hint + " to proceed");
  }
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
}

}  // namespace dbshift::cli
