#include "dbshift/log/event_json.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dbshift {
namespace {

// Appends the members of one JSON object. The caller gives keys in byte
// order, the order nlohmann::json (a std::map) writes them in.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  ~ObjectWriter() { out_.push_back('}'); }

  void String(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(value);
  }
  void StringIfSet(std::string_view key, std::string_view value) {
    if (!value.empty()) String(key, value);
  }
  void Int(std::string_view key, int value) {
    Key(key);
    char digits[16];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
  }
  void IntIfSet(std::string_view key, int value) {
    if (value != 0) Int(key, value);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_.append(value ? "true" : "false");
  }
  void Milliseconds(std::string_view key, std::chrono::microseconds duration) {
    Key(key);
    AppendMilliseconds(duration.count());
  }

 private:
  void Key(std::string_view key) {
    if (out_.back() != '{') out_.push_back(',');
    out_.push_back('"');
    out_.append(key);  // keys are plain ASCII names
    out_.append("\":");
  }

  // Escapes as nlohmann::json does with ensure_ascii off. A string with a
  // byte above 0x7F is left to the library, which checks its UTF-8 and
  // replaces what is not.
  void AppendJsonString(std::string_view value) {
    const std::size_t opening = out_.size();
    out_.push_back('"');
    std::size_t plain_from = 0;  // bytes copied as they are, in one append
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto byte = static_cast<unsigned char>(value[i]);
      if (kPlainAscii[byte]) continue;
      if (byte >= 0x80) {
        out_.resize(opening);
        out_.append(
            nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
      }
      out_.append(value.substr(plain_from, i - plain_from));
      plain_from = i + 1;
      AppendEscaped(value[i]);
    }
    out_.append(value.substr(plain_from));
    out_.push_back('"');
  }

  // True for the bytes a JSON string holds as they are: ASCII from the
  // space up, but the quote and the backslash.
  static constexpr std::array<bool, 256> kPlainAscii = [] {
    std::array<bool, 256> plain{};
    for (int byte = 0x20; byte < 0x80; ++byte) plain[static_cast<std::size_t>(byte)] = true;
    plain['"'] = false;
    plain['\\'] = false;
    return plain;
  }();

  // A byte JSON cannot hold as it is: a quote, a backslash or a control character.
  void AppendEscaped(char c) {
    switch (c) {
      case '"':
        out_.append("\\\"");
        break;
      case '\\':
        out_.append("\\\\");
        break;
      case '\b':
        out_.append("\\b");
        break;
      case '\f':
        out_.append("\\f");
        break;
      case '\n':
        out_.append("\\n");
        break;
      case '\r':
        out_.append("\\r");
        break;
      case '\t':
        out_.append("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out_.append("\\u00");
        out_.push_back(kHex[(c >> 4) & 0xF]);
        out_.push_back(kHex[c & 0xF]);
      }
    }
  }

  // As a double of milliseconds in the library's shortest form ("1.5",
  // "12.0", "0.001"). Below 10^12 microseconds the exact decimal has at most
  // 15 significant digits, so it is that shortest form; longer or negative
  // durations go through the library.
  void AppendMilliseconds(std::int64_t micros) {
    constexpr std::int64_t kExactBelow = 1'000'000'000'000;
    if (micros < 0 || micros >= kExactBelow) {
      out_.append(nlohmann::json(static_cast<double>(micros) / 1000.0).dump());
      return;
    }
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, micros / 1000).ptr;
    out_.append(digits, end);
    out_.push_back('.');
    int fraction = static_cast<int>(micros % 1000);
    if (fraction == 0) {
      out_.push_back('0');
      return;
    }
    char places[3] = {static_cast<char>('0' + fraction / 100),
                      static_cast<char>('0' + fraction / 10 % 10),
                      static_cast<char>('0' + fraction % 10)};
    int kept = 3;
    while (places[kept - 1] == '0') --kept;
    out_.append(places, static_cast<std::size_t>(kept));
  }

  std::string& out_;
};

bool IsFinished(Event::Type type) {
  return type == Event::Type::kStatementFinished || type == Event::Type::kMigrationFinished ||
         type == Event::Type::kRunFinished;
}

}  // namespace

std::string EventJson(const Event& event) {
  std::string line;
  line.reserve(256 + event.statement.size() + event.error.size() + event.message.size());
  {
    ObjectWriter out(line);
    if (event.type == Event::Type::kRunFinished) {
      out.Int("applied_count", event.applied_count);
    } else {
      out.IntIfSet("applied_count", event.applied_count);
    }
    out.IntIfSet("attempt", event.attempt);
    out.IntIfSet("attempts", event.attempts);
    out.StringIfSet("backup", event.backup);
    out.StringIfSet("command", event.command);
    out.StringIfSet("current_version", event.current_version);
    if (event.ddl) out.Bool("ddl", true);
    out.StringIfSet("description", event.description);
    if (event.dry_run) out.Bool("dry_run", true);
    // The outcome and the time it took apply to every finished event, even
    // when they are the zero values: a reader should not have to guess.
    const bool finished = IsFinished(event.type);
    if (finished || event.duration.count() != 0) out.Milliseconds("duration_ms", event.duration);
    out.StringIfSet("error", event.error);
    out.String("event", EventTypeName(event.type));
    if (!event.executed) out.Bool("executed", false);
    out.StringIfSet("host", event.host);
    out.StringIfSet("kind", event.kind);
    out.IntIfSet("line", event.line);
    out.StringIfSet("message", event.message);
    if (finished) out.Bool("ok", event.ok);
    out.StringIfSet("run_id", event.run_id);
    out.StringIfSet("script", event.script);
    out.StringIfSet("statement", event.statement);
    out.IntIfSet("statement_index", event.statement_index);
    out.StringIfSet("target", event.target);
    // Always present, so every line of the run log can be ordered in time.
    out.String("time", event.time);
    out.StringIfSet("user", event.user);
    out.StringIfSet("version", event.version);
  }
  return line;
}

}  // namespace dbshift
