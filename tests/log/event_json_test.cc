#include "dbshift/log/event_json.h"

#include <chrono>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

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
    {"message",
     Message(),
     {{"event", "message"},
      {"time", "2026-11-21T09:30:00.123Z"},
      {"message", "skipping V5: out of order"}}},
};

class EventToJsonTest : public ::testing::TestWithParam<Case> {};

TEST_P(EventToJsonTest, HasExactlyTheFieldsThatApply) {
  EXPECT_EQ(EventToJson(GetParam().event), GetParam().expected)
      << EventToJson(GetParam().event).dump();
}

INSTANTIATE_TEST_SUITE_P(Events, EventToJsonTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.name;
                         });

TEST(EventToJsonTest, DurationIsANumberWithMicrosecondPrecision) {
  Event event = Make(Event::Type::kMigrationFinished);
  event.duration = microseconds(1);
  const json out = EventToJson(event);
  ASSERT_TRUE(out["duration_ms"].is_number_float());
  EXPECT_DOUBLE_EQ(out["duration_ms"].get<double>(), 0.001);
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
