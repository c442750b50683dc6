#include "dbshift/source/directives.h"

#include <fmt/format.h>

#include "dbshift/common/duration.h"
#include "dbshift/common/error.h"

namespace dbshift {
namespace {

constexpr std::string_view kPrefix = "dbshift:";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

// Reads one `-- dbshift:<name> <value>` line into `directives`.
class DirectiveReader {
 public:
  DirectiveReader(std::string_view file_name, Directives& directives)
      : file_name_(file_name), directives_(directives) {}

  void Read(std::string_view directive, int line) {
    line_ = line;
    std::size_t name_end = 0;
    while (name_end < directive.size() && !IsBlank(directive[name_end])) ++name_end;
    const std::string_view name = directive.substr(0, name_end);
    const std::string_view value = Trim(directive.substr(name_end));
    if (name == "dbshift:no-transaction") {
      if (!value.empty()) Fail(fmt::format("directive \"{}\" takes no value", name));
      directives_.no_transaction = true;
    } else if (name == "dbshift:lock-timeout") {
      ReadTimeout(name, value, directives_.lock_timeout);
    } else if (name == "dbshift:statement-timeout") {
      ReadTimeout(name, value, directives_.statement_timeout);
    } else if (name == "dbshift:allow") {
      ReadAllow(value);
    } else if (name == "dbshift:placeholders") {
      ReadPlaceholders(name, value);
    } else {
      Fail(fmt::format("unknown directive \"{}\"", name));
    }
  }

 private:
  [[noreturn]] void Fail(const std::string& message) const {
    ErrorContext context;
    context.file = std::string(file_name_);
    context.line = line_;
    throw ValidationError(fmt::format("{}:{}: {}", file_name_, line_, message), std::move(context));
  }

  void ReadTimeout(std::string_view name, std::string_view value,
                   std::optional<std::chrono::milliseconds>& target) const {
    if (value.empty()) Fail(fmt::format("directive \"{}\" needs a duration, e.g. 5s", name));
    // Two values would leave the reader guessing which one wins.
    if (target) Fail(fmt::format("directive \"{}\" is given twice", name));
    try {
      target = ParseDuration(value, name);
    } catch (const UsageError& error) {
      // A bad file is a validation problem of the source, not a usage error.
      Fail(error.what());
    }
  }

  void ReadPlaceholders(std::string_view name, std::string_view value) const {
    if (value == "off") {
      directives_.placeholders = false;
    } else if (value == "on") {
      directives_.placeholders = true;
    } else {
      Fail(fmt::format("directive \"{}\" takes on or off, not \"{}\"", name, value));
    }
  }

  void ReadAllow(std::string_view value) const {
    const std::size_t before = directives_.allowed_lint_rules.size();
    std::size_t pos = 0;
    while (pos < value.size()) {
      std::size_t end = pos;
      while (end < value.size() && value[end] != ',' && !IsBlank(value[end])) ++end;
      if (end > pos) directives_.allowed_lint_rules.emplace_back(value.substr(pos, end - pos));
      pos = end + 1;
    }
    if (directives_.allowed_lint_rules.size() == before) {
      Fail("directive \"dbshift:allow\" needs at least one lint rule");
    }
  }

  std::string_view file_name_;
  Directives& directives_;
  int line_ = 0;
};

}  // namespace

Directives ParseDirectives(std::string_view script, std::string_view file_name) {
  Directives directives;
  DirectiveReader reader(file_name, directives);
  if (script.starts_with(kUtf8Bom)) script.remove_prefix(kUtf8Bom.size());
  std::size_t pos = 0;
  int line = 0;
  while (pos < script.size()) {
    ++line;
    std::size_t end = script.find('\n', pos);
    if (end == std::string_view::npos) end = script.size();
    const std::string_view text = Trim(script.substr(pos, end - pos));
    pos = end + 1;
    if (text.empty()) continue;
    // Anything but a `--` comment is the first statement (or a block comment,
    // which does not carry directives): the header ends here.
    if (!text.starts_with("--")) break;
    const std::string_view comment = Trim(text.substr(2));
    if (comment.starts_with(kPrefix)) reader.Read(comment, line);
  }
  return directives;
}

}  // namespace dbshift
