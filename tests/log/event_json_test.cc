#include "dbshift/log/event_json.h"

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dbshift {
namespace {

using nlohmann::json;
using std::chrono::microseconds;

struct Case {
  std::string name;
  Event event;
  json expected;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

Event Make(Event::Type type) {
  Event event;
  event.type = type;
  event.time = "2026-11-21T09:30:00.123Z";
  return event;
}

Event RunStarted() {
  Event event = Make(Event::Type::kRunStarted);
  event.run_id = "0123456789abcdef0123456789abcdef";
  event.command = "up";
  event.target = "postgres://app:***@db/prod";
  event.user = "alice";
  event.host = "build-1";
  event.dry_run = true;
  return event;
}

Event MigrationStarted() {
  Event event = Make(Event::Type::kMigrationStarted);
  event.version = "1.2";
  event.description = "add users";
  event.script = "V1.2__add_users.sql";
  event.kind = "versioned";
  return event;
}

Event StatementFinished() {
  Event event = Make(Event::Type::kStatementFinished);
  event.version = "1.2";
  event.statement_index = 3;
  event.line = 17;
  event.statement = "CREATE TABLE users (id int)";
  event.ddl = true;
  event.duration = microseconds(1234567);
  return event;
}

Event StatementFailed() {
  Event event = Make(Event::Type::kStatementFinished);
  event.statement_index = 1;
  event.line = 1;
  event.statement = "INSERT INTO t VALUES (1)";
  event.ok = false;
  event.error = "duplicate key";
  event.duration = microseconds(5);
  return event;
}

Event MigrationFinished() {
  Event event = Make(Event::Type::kMigrationFinished);
  event.version = "1.2";
  event.description = "add users";
  event.script = "V1.2__add_users.sql";
  event.duration = microseconds(2000);
  return event;
}

Event RunFinishedNothing() {
  Event event = Make(Event::Type::kRunFinished);
  event.run_id = "r";
  return event;
}

Event RunFinished() {
  Event event = Make(Event::Type::kRunFinished);
  event.ok = false;
  event.applied_count = 2;
  event.current_version = "3";
  event.error = "migration 4 failed";
  event.duration = microseconds(1500);
  return event;
}

Event Retry() {
  Event event = Make(Event::Type::kMigrationRetry);
  event.version = "7";
  event.script = "V7__index.sql";
  event.error = "canceling statement due to lock timeout";
  event.attempt = 1;
  event.attempts = 3;
  event.duration = microseconds(250000);
  return event;
}

Event BackupTaken() {
  Event event = Make(Event::Type::kBackupTaken);
  event.backup = "backups/20261121T093000Z-v6";
  event.current_version = "6";
  return event;
}

Event StatementListed() {
  Event event = Make(Event::Type::kStatementFinished);
  event.statement_index = 2;
  event.line = 4;
  event.statement = "CREATE INDEX CONCURRENTLY i ON t (a)";
  event.ddl = true;
  event.executed = false;
  return event;
}

Event Message() {
  Event event = Make(Event::Type::kMessage);
  event.message = "skipping V5: out of order";
  event.ok = false;  // ok does not apply to messages, so it is left out
  return event;
}

const Case kCases[] = {
    {"run_started",
     RunStarted(),
     {{"event", "run_started"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"run_id", "0123456789abcdef0123456789abcdef"},
      {"command", "up"},
      {"target", "postgres://app:***@db/prod"},
      {"user", "alice"},
      {"host", "build-1"},
      {"dry_run", true}}},
    {"migration_started",
     MigrationStarted(),
     {{"event", "migration_started"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"version", "1.2"},
      {"description", "add users"},
      {"script", "V1.2__add_users.sql"},
      {"kind", "versioned"}}},
    {"statement_finished",
     StatementFinished(),
     {{"event", "statement_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"version", "1.2"},
      {"statement_index", 3},
      {"line", 17},
      {"statement", "CREATE TABLE users (id int)"},
      {"ddl", true},
      {"ok", true},
      {"duration_ms", 1234.567}}},
    {"statement_failed",
     StatementFailed(),
     {{"event", "statement_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"statement_index", 1},
      {"line", 1},
      {"statement", "INSERT INTO t VALUES (1)"},
      {"ok", false},
      {"error", "duplicate key"},
      {"duration_ms", 0.005}}},
    {"migration_finished",
     MigrationFinished(),
     {{"event", "migration_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"version", "1.2"},
      {"description", "add users"},
      {"script", "V1.2__add_users.sql"},
      {"ok", true},
      {"duration_ms", 2.0}}},
    {"run_finished_nothing",
     RunFinishedNothing(),
     {{"event", "run_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"run_id", "r"},
      {"ok", true},
      {"duration_ms", 0.0},
      {"applied_count", 0}}},
    {"run_finished",
     RunFinished(),
     {{"event", "run_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"ok", false},
      {"duration_ms", 1.5},
      {"error", "migration 4 failed"},
      {"applied_count", 2},
      {"current_version", "3"}}},
    {"migration_retry",
     Retry(),
     {{"event", "migration_retry"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"version", "7"},
      {"script", "V7__index.sql"},
      {"error", "canceling statement due to lock timeout"},
      {"attempt", 1},
      {"attempts", 3},
      {"duration_ms", 250.0}}},
    {"backup_taken",
     BackupTaken(),
     {{"event", "backup_taken"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"backup", "backups/20261121T093000Z-v6"},
      {"current_version", "6"}}},
    {"statement_listed",
     StatementListed(),
     {{"event", "statement_finished"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"statement_index", 2},
      {"line", 4},
      {"statement", "CREATE INDEX CONCURRENTLY i ON t (a)"},
      {"ddl", true},
      {"executed", false},
      {"ok", true},
      {"duration_ms", 0.0}}},
    {"message",
     Message(),
     {{"event", "message"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"message", "skipping V5: out of order"}}},
};

// What nlohmann::json writes for `value`: the form EventJson promises.
std::string LibraryDump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

class EventJsonTest : public ::testing::TestWithParam<Case> {};

TEST_P(EventJsonTest, HasExactlyTheFieldsThatApply) {
  const std::string line = EventJson(GetParam().event);
  EXPECT_EQ(json::parse(line), GetParam().expected) << line;
}

TEST_P(EventJsonTest, IsTheLibrarysOwnCompactDump) {
  const std::string line = EventJson(GetParam().event);
  EXPECT_EQ(line, LibraryDump(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(Events, EventJsonTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.name;
                         });

TEST(EventJsonTest, DurationIsANumberWithMicrosecondPrecision) {
  Event event = Make(Event::Type::kMigrationFinished);
  event.duration = microseconds(1);
  const json out = json::parse(EventJson(event));
  ASSERT_TRUE(out["duration_ms"].is_number_float());
  EXPECT_DOUBLE_EQ(out["duration_ms"].get<double>(), 0.001);
}

// The duration is written without the library; every form it can take must
// still be the library's.
TEST(EventJsonTest, DurationsAreWrittenAsTheLibraryWritesTheirDouble) {
  std::vector<std::int64_t> micros;
  for (std::int64_t m = 0; m < 200'000; ++m) micros.push_back(m);
  for (std::int64_t m = 1; m < 1'000'000'000'000'000'000 / 7; m = m * 7 + 3) micros.push_back(m);
  micros.insert(micros.end(), {999'999'999'999, 1'000'000'000'000, 1'000'000'000'001,
                               123'456'789'012'345, -1, -1500});
  for (const std::int64_t m : micros) {
    Event event = Make(Event::Type::kRunFinished);
    event.duration = microseconds(m);
    json expected = json::parse(EventJson(Make(Event::Type::kRunFinished)));
    expected["duration_ms"] = static_cast<double>(m) / 1000.0;
    ASSERT_EQ(EventJson(event), LibraryDump(expected)) << m << " microseconds";
  }
}

// Strings are escaped without the library unless they hold bytes above
// ASCII; both paths must give the library's bytes.
TEST(EventJsonTest, StringsAreEscapedAsTheLibraryEscapesThem) {
  std::vector<std::string> texts = {"",
                                    "plain",
                                    "a\"b",
                                    "back\\slash",
                                    "tab\there",
                                    "line\nbreak",
                                    "caf\xc3\xa9",
                                    "\xe2\x82\xac 5",
                                    "bad \xff byte",
                                    "cut \xc3",
                                    "\xed\xa0\x80 surrogate"};
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c) every_ascii.push_back(static_cast<char>(c));
  texts.push_back(every_ascii);
  texts.push_back(std::string("nul\0inside", 10));
  for (const std::string& text : texts) {
    Event event = Make(Event::Type::kMessage);
    event.message = text;
    json expected = json::parse(EventJson(Make(Event::Type::kMessage)));
    if (!text.empty()) expected["message"] = text;
    ASSERT_EQ(EventJson(event), LibraryDump(expected))
        << json(text).dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

TEST(EventJsonTest, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  Event event = Make(Event::Type::kMessage);
  event.message = "bad \xff byte";
  EXPECT_EQ(json::parse(EventJson(event))["message"], "bad \xef\xbf\xbd byte");
}

struct NameCase {
  Event::Type type;
  std::string name;
};

class EventTypeNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(EventTypeNameTest, Name) {
  EXPECT_EQ(std::string(EventTypeName(GetParam().type)), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(
    Types, EventTypeNameTest,
    ::testing::Values(NameCase{Event::Type::kRunStarted, "run_started"},
                      NameCase{Event::Type::kMigrationStarted, "migration_started"},
                      NameCase{Event::Type::kStatementFinished, "statement_finished"},
                      NameCase{Event::Type::kMigrationFinished, "migration_finished"},
                      NameCase{Event::Type::kRunFinished, "run_finished"},
                      NameCase{Event::Type::kMessage, "message"}));

}  // namespace
}  // namespace dbshift
