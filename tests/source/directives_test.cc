#include "dbshift/source/directives.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

using std::chrono::milliseconds;

struct GoodCase {
  std::string name;
  std::string script;
  bool no_transaction = false;
  std::optional<milliseconds> lock_timeout;
  std::optional<milliseconds> statement_timeout;
  std::vector<std::string> allowed;
  bool placeholders = true;
};

const GoodCase kGoodCases[] = {
    // name, script, no_transaction, lock_timeout, statement_timeout, allowed
    {"none", "CREATE TABLE t (id int);\n", false, {}, {}, {}},
    {"empty script", "", false, {}, {}, {}},
    {"no-transaction",
     "-- dbshift:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n",
     true,
     {},
     {},
     {}},
    {"lock-timeout", "-- dbshift:lock-timeout 5s\nSELECT 1;", false, milliseconds(5000), {}, {}},
    {"statement-timeout",
     "-- dbshift:statement-timeout 10m\nSELECT 1;",
     false,
     {},
     milliseconds(600000),
     {}},
    {"compound duration", "-- dbshift:lock-timeout 1m30s\n", false, milliseconds(90000), {}, {}},
    {"milliseconds", "-- dbshift:lock-timeout 250ms\n", false, milliseconds(250), {}, {}},
    {"allow one", "-- dbshift:allow rule-a\nSELECT 1;", false, {}, {}, {"rule-a"}},
    {"allow list", "-- dbshift:allow rule-a, rule-b\n", false, {}, {}, {"rule-a", "rule-b"}},
    {"allow without spaces",
     "-- dbshift:allow rule-a,rule-b\n",
     false,
     {},
     {},
     {"rule-a", "rule-b"}},
    {"allow accumulates",
     "-- dbshift:allow rule-a\n-- dbshift:allow rule-b, rule-c\n",
     false,
     {},
     {},
     {"rule-a", "rule-b", "rule-c"}},
    {"all together with comments and blank lines",
     "-- Adds the orders index without blocking writes.\n"
     "\n"
     "-- dbshift:no-transaction\n"
     "   -- dbshift:lock-timeout 2s\n"
     "--dbshift:statement-timeout 1h\n"
     "-- dbshift:allow require-concurrent-index-creation\n"
     "\n"
     "CREATE INDEX CONCURRENTLY i ON orders (customer_id);\n",
     true,
     milliseconds(2000),
     milliseconds(3600000),
     {"require-concurrent-index-creation"}},
    {"CRLF line endings",
     "-- dbshift:no-transaction\r\n-- dbshift:lock-timeout 5s\r\nSELECT 1;\r\n",
     true,
     milliseconds(5000),
     {},
     {}},
    {"trailing blanks", "-- dbshift:no-transaction  \t\nSELECT 1;", true, {}, {}, {}},
    {"BOM", "\xEF\xBB\xBF-- dbshift:no-transaction\nSELECT 1;", true, {}, {}, {}},
    // After the first statement a directive is an ordinary comment, even an
    // unknown one.
    {"after first statement",
     "SELECT 1;\n-- dbshift:no-transaction\n-- dbshift:frobnicate\n",
     false,
     {},
     {},
     {}},
    {"statement on the first line", "SELECT 1; -- dbshift:no-transaction\n", false, {}, {}, {}},
    {"after a block comment", "/* header */\n-- dbshift:no-transaction\n", false, {}, {}, {}},
    {"other comments mentioning dbshift",
     "-- see dbshift:allow docs\n-- migrate:up\n",
     false,
     {},
     {},
     {}},
    {"case matters", "-- DBSHIFT:frobnicate\nSELECT 1;", false, {}, {}, {}},
    {"placeholders off", "-- dbshift:placeholders off\nSELECT '${x}';", false, {}, {}, {}, false},
    {"placeholders on", "-- dbshift:placeholders on\nSELECT '${x}';", false, {}, {}, {}, true},
    {"placeholders off with others",
     "-- dbshift:no-transaction\n-- dbshift:placeholders off\n",
     true,
     {},
     {},
     {},
     false},
    {"placeholders off after first statement",
     "SELECT 1;\n-- dbshift:placeholders off\n",
     false,
     {},
     {},
     {},
     true},
};

TEST(ParseDirectivesTest, Good) {
  for (const GoodCase& c : kGoodCases) {
    SCOPED_TRACE(c.name);
    const Directives directives = ParseDirectives(c.script, "V1__x.sql");
    EXPECT_EQ(directives.no_transaction, c.no_transaction);
    EXPECT_EQ(directives.lock_timeout, c.lock_timeout);
    EXPECT_EQ(directives.statement_timeout, c.statement_timeout);
    EXPECT_EQ(directives.allowed_lint_rules, c.allowed);
    EXPECT_EQ(directives.placeholders, c.placeholders);
  }
}

struct BadCase {
  std::string name;
  std::string script;
  int line;
  std::string message;  // exact when it does not start with '~'; else a substring
};

const BadCase kBadCases[] = {
    {"unknown", "-- dbshift:frobnicate\nSELECT 1;", 1,
     "migrations/V3__x.sql:1: unknown directive \"dbshift:frobnicate\""},
    {"unknown on line 2", "-- header\n-- dbshift:frobnicate now\nSELECT 1;", 2,
     "migrations/V3__x.sql:2: unknown directive \"dbshift:frobnicate\""},
    {"unknown after blank lines", "\n\n-- dbshift:no-transactions\n", 3,
     "migrations/V3__x.sql:3: unknown directive \"dbshift:no-transactions\""},
    {"empty name", "-- dbshift: no-transaction\n", 1,
     "migrations/V3__x.sql:1: unknown directive \"dbshift:\""},
    {"value on no-transaction", "-- dbshift:no-transaction yes\n", 1,
     "migrations/V3__x.sql:1: directive \"dbshift:no-transaction\" takes no value"},
    {"missing duration", "-- dbshift:lock-timeout\n", 1,
     "migrations/V3__x.sql:1: directive \"dbshift:lock-timeout\" needs a duration, e.g. 5s"},
    {"bad duration", "-- x\n-- dbshift:lock-timeout soon\n", 2,
     "~migrations/V3__x.sql:2: dbshift:lock-timeout"},
    {"bad statement duration", "-- dbshift:statement-timeout 5 parsecs\n", 1,
     "~migrations/V3__x.sql:1: dbshift:statement-timeout"},
    {"repeated timeout", "-- dbshift:lock-timeout 1s\n-- dbshift:lock-timeout 2s\n", 2,
     "migrations/V3__x.sql:2: directive \"dbshift:lock-timeout\" is given twice"},
    {"empty allow", "-- dbshift:allow\n", 1,
     "migrations/V3__x.sql:1: directive \"dbshift:allow\" needs at least one lint rule"},
    {"allow of commas only", "-- dbshift:allow , ,\n", 1,
     "migrations/V3__x.sql:1: directive \"dbshift:allow\" needs at least one lint rule"},
    {"placeholders without value", "-- dbshift:placeholders\n", 1,
     "migrations/V3__x.sql:1: directive \"dbshift:placeholders\" takes on or off, not \"\""},
    {"placeholders bad value", "-- x\n-- dbshift:placeholders disabled\n", 2,
     "migrations/V3__x.sql:2: directive \"dbshift:placeholders\" takes on or off, not "
     "\"disabled\""},
};

TEST(ParseDirectivesTest, Bad) {
  for (const BadCase& c : kBadCases) {
    SCOPED_TRACE(c.name);
    try {
      ParseDirectives(c.script, "migrations/V3__x.sql");
      ADD_FAILURE() << "no exception";
    } catch (const ValidationError& error) {
      if (c.message.starts_with('~')) {
        EXPECT_EQ(std::string(error.what()).find(c.message.substr(1)), 0u) << error.what();
      } else {
        EXPECT_EQ(error.what(), c.message);
      }
      EXPECT_EQ(error.code(), ExitCode::kValidation);
      EXPECT_EQ(error.context().file, "migrations/V3__x.sql");
      EXPECT_EQ(error.context().line, c.line);
    }
  }
}

TEST(ParseDirectivesTest, BadDurationNamesTheText) {
  try {
    ParseDirectives("-- dbshift:lock-timeout soon\n", "V1__x.sql");
    FAIL() << "no exception";
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("soon"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dbshift
