#include "dbshift/source/dbmate_sections.h"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

enum class Block { kNone, kUp, kDown };

std::string_view TrimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

std::string_view Trim(std::string_view text) {
  text = TrimLeft(text);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

[[noreturn]] void Fail(std::string_view file_name, int line, const std::string& what) {
  ErrorContext context;
  context.file = std::string(file_name);
  context.line = line;
  throw ValidationError(fmt::format("{}:{}: {}", file_name, line, what), std::move(context));
}

struct Marker {
  Block block = Block::kNone;
  std::string_view options;
};

// "--" then optional spaces then "migrate:up" or "migrate:down", then the end
// of the line or whitespace and options; anything else is a plain comment.
std::optional<Marker> ParseMarker(std::string_view line) {
  line = Trim(line);
  if (!line.starts_with("--")) return std::nullopt;
  line = TrimLeft(line.substr(2));
  Marker marker;
  std::string_view rest;
  if (line.starts_with("migrate:up")) {
    marker.block = Block::kUp;
    rest = line.substr(std::string_view("migrate:up").size());
  } else if (line.starts_with("migrate:down")) {
    marker.block = Block::kDown;
    rest = line.substr(std::string_view("migrate:down").size());
  } else {
    return std::nullopt;
  }
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
  marker.options = Trim(rest);
  return marker;
}

bool ParseTransactionOption(std::string_view options, std::string_view file_name, int line) {
  bool no_transaction = false;
  while (!options.empty()) {
    const std::size_t end = options.find_first_of(" \t");
    const std::string_view option = options.substr(0, end);
    if (option == "transaction:false") {
      no_transaction = true;
    } else if (option != "transaction:true") {
      Fail(file_name, line,
           fmt::format("unknown dbmate option '{}' (dbmate knows transaction:true and "
                       "transaction:false)",
                       option));
    }
    options = end == std::string_view::npos ? std::string_view() : TrimLeft(options.substr(end));
  }
  return no_transaction;
}

bool IsBlankOrComment(std::string_view line) {
  line = Trim(line);
  return line.empty() || line.starts_with("--");
}

}  // namespace

bool HasStatements(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!IsBlankOrComment(text.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

DbmateSections SplitDbmateSections(std::string_view content, std::string_view file_name) {
  DbmateSections sections;
  Block current = Block::kNone;
  int line_number = 0;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = content.size();
    const std::string_view line = content.substr(start, end - start);
    const std::string_view with_newline =
        content.substr(start, end - start + (has_newline ? 1 : 0));
    ++line_number;
    start = end + 1;

    if (std::optional<Marker> marker = ParseMarker(line)) {
      DbmateSection& section = marker->block == Block::kUp ? sections.up : sections.down;
      if (section.present) {
        Fail(file_name, line_number,
             fmt::format("a second '-- migrate:{}' block",
                         marker->block == Block::kUp ? "up" : "down"));
      }
      section.present = true;
      section.no_transaction = ParseTransactionOption(marker->options, file_name, line_number);
      current = marker->block;
      // The marker stays in its own block's script (a comment) and is blanked in the other.
      section.script += with_newline;
      DbmateSection& other = marker->block == Block::kUp ? sections.down : sections.up;
      if (has_newline) other.script += '\n';
      continue;
    }
    if (current == Block::kNone && !IsBlankOrComment(line)) {
      Fail(file_name, line_number,
           "a statement before the first '-- migrate:up' or '-- migrate:down' line; dbmate runs "
           "only what is inside the blocks");
    }
    for (Block block : {Block::kUp, Block::kDown}) {
      DbmateSection& section = block == Block::kUp ? sections.up : sections.down;
      if (block == current) {
        section.script += with_newline;
        section.text += with_newline;
      } else if (has_newline) {
        section.script += '\n';
      }
    }
  }
  if (!sections.up.present) {
    Fail(file_name, 1, "no '-- migrate:up' line: a dbmate migration needs an up block");
  }
  return sections;
}

}  // namespace dbshift
