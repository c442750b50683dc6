#include "dbshift/source/placeholders.h"

#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/source/directives.h"
#include "dbshift/source/version.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PlaceholderNameTest, LettersDigitsAndUnderscore) {
  EXPECT_TRUE(IsPlaceholderName("owner"));
  EXPECT_TRUE(IsPlaceholderName("Schema_2"));
  EXPECT_TRUE(IsPlaceholderName("_"));
  EXPECT_TRUE(IsPlaceholderName("1"));
  EXPECT_FALSE(IsPlaceholderName(""));
  EXPECT_FALSE(IsPlaceholderName("a-b"));
  EXPECT_FALSE(IsPlaceholderName("a.b"));
  EXPECT_FALSE(IsPlaceholderName("a b"));
  EXPECT_FALSE(IsPlaceholderName("flyway:user"));
  EXPECT_FALSE(IsPlaceholderName("\xC3\xA9t\xC3\xA9"));  // only ASCII
}

TEST(PlaceholderNameTest, KeyIsLowerCase) {
  EXPECT_EQ(PlaceholderKey("Owner_ID"), "owner_id");
  EXPECT_EQ(PlaceholderKey("schema"), "schema");
}

TEST(PlaceholderNameTest, SecretNames) {
  for (std::string_view name : {"password", "db_password", "AppPassword", "SECRET",
                                "api_secret_key", "token", "Refresh_Token_2"}) {
    EXPECT_TRUE(IsSecretPlaceholderName(name)) << name;
  }
  for (std::string_view name : {"owner", "schema", "pass", "tok", "secre"}) {
    EXPECT_FALSE(IsSecretPlaceholderName(name)) << name;
  }
}

struct FindCase {
  std::string name;
  std::string sql;
  std::vector<std::string> names;
  std::vector<int> lines;
};

const FindCase kFindCases[] = {
    {"none", "CREATE TABLE t (id int);", {}, {}},
    {"one", "CREATE TABLE ${schema}.t (id int);", {"schema"}, {1}},
    {"two on one line", "GRANT ${privs} ON t TO ${owner};", {"privs", "owner"}, {1, 1}},
    {"line numbers",
     "-- header\n\nCREATE TABLE ${schema}.t ();\n\nGRANT ALL ON t TO ${Owner};\n",
     {"schema", "Owner"},
     {3, 5}},
    {"CRLF", "SELECT 1;\r\nSELECT '${x}';\r\n", {"x"}, {2}},
    {"in comments and strings too", "-- for ${who}\nSELECT '${what}';", {"who", "what"}, {1, 2}},
    {"adjacent", "${a}${b}", {"a", "b"}, {1, 1}},
    {"after a dollar", "SELECT $${x}", {"x"}, {1}},
    {"not names", "${} ${a.b} ${ a } ${a-b} ${flyway:user} $ {a} $a {a}", {}, {}},
    {"unterminated", "SELECT '${abc", {}, {}},
    {"dollar quotes are not placeholders", "DO $body$ BEGIN NULL; END $body$;", {}, {}},
    {"nested looking", "${${a}}", {"a"}, {1}},
};

TEST(FindPlaceholdersTest, Cases) {
  for (const FindCase& c : kFindCases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> names;
    std::vector<int> lines;
    for (const PlaceholderUse& use : FindPlaceholders(c.sql)) {
      names.push_back(use.name);
      lines.push_back(use.line);
      EXPECT_EQ(c.sql.substr(use.offset, use.length), "${" + use.name + "}");
    }
    EXPECT_EQ(names, c.names);
    EXPECT_EQ(lines, c.lines);
  }
}

struct SubstituteCase {
  std::string name;
  std::string sql;
  std::string expected;
};

const PlaceholderValues kValues = {
    {"schema", "app"}, {"owner", "app_owner"}, {"empty", ""}, {"loop", "${schema}"}};

const SubstituteCase kSubstituteCases[] = {
    {"none", "SELECT 1;", "SELECT 1;"},
    {"one", "CREATE TABLE ${schema}.t ();", "CREATE TABLE app.t ();"},
    {"several", "GRANT ALL ON ${schema}.t TO ${owner};", "GRANT ALL ON app.t TO app_owner;"},
    {"case-insensitive", "${SCHEMA} ${Schema} ${schema}", "app app app"},
    {"empty value", "a${empty}b", "ab"},
    {"undefined stays", "SELECT '${nope}', ${schema};", "SELECT '${nope}', app;"},
    {"not a name stays", "${a.b} ${ schema }", "${a.b} ${ schema }"},
    {"values are not substituted again", "${loop}", "${schema}"},
    {"adjacent", "${schema}${owner}", "appapp_owner"},
    {"multi-line keeps lines", "-- ${owner}\nSELECT 1;\nSELECT '${schema}';\n",
     "-- app_owner\nSELECT 1;\nSELECT 'app';\n"},
};

TEST(SubstitutePlaceholdersTest, Cases) {
  for (const SubstituteCase& c : kSubstituteCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SubstitutePlaceholders(c.sql, kValues), c.expected);
  }
}

TEST(FindUndefinedPlaceholdersTest, ListsOnlyUndefinedWithLines) {
  const std::vector<PlaceholderUse> undefined =
      FindUndefinedPlaceholders("SELECT ${schema};\nSELECT ${nope};\nSELECT ${Other};\n", kValues);
  ASSERT_EQ(undefined.size(), 2u);
  EXPECT_EQ(undefined[0].name, "nope");
  EXPECT_EQ(undefined[0].line, 2);
  EXPECT_EQ(undefined[1].name, "Other");
  EXPECT_EQ(undefined[1].line, 3);
  EXPECT_TRUE(FindUndefinedPlaceholders("SELECT ${SCHEMA}, ${empty};", kValues).empty());
}

TEST(MaskSecretValuesTest, MasksSecretValuesOnly) {
  const PlaceholderValues values = {{"owner", "app_owner"},
                                    {"db_password", "hunter2"},
                                    {"api_token", "tok-123"},
                                    {"my_secret", ""}};
  EXPECT_EQ(MaskSecretValues("ALTER ROLE app_owner PASSWORD 'hunter2'; -- hunter2", values),
            "ALTER ROLE app_owner PASSWORD '***'; -- ***");
  EXPECT_EQ(MaskSecretValues("SELECT 'tok-123tok-123'", values), "SELECT '******'");
  EXPECT_EQ(MaskSecretValues("nothing secret here", values), "nothing secret here");
  EXPECT_EQ(MaskSecretValues("", values), "");
}

TEST(MaskSecretValuesTest, LongerSecretWinsOverOneItContains) {
  const PlaceholderValues values = {{"password", "abc"}, {"secret", "xabcx"}};
  EXPECT_EQ(MaskSecretValues("'xabcx' 'abc'", values), "'***' '***'");
}

TEST(MaskSecretValuesTest, MaskedTextDoesNotRevealTheValueAgain) {
  // Replacing with *** must not create a new occurrence of the secret.
  const PlaceholderValues values = {{"password", "*"}};
  EXPECT_EQ(MaskSecretValues("a*b", values), "a***b");
}

TEST(PlaceholdersFromEnvironmentTest, ReadsPrefixedVariables) {
  const PlaceholderValues values = PlaceholdersFromEnvironment({
      "PATH=/usr/bin",
      "DBSHIFT_PLACEHOLDER_OWNER=app_owner",
      "DBSHIFT_PLACEHOLDER_Schema_2=s2",
      "DBSHIFT_PLACEHOLDER_EMPTY=",
      "DBSHIFT_PLACEHOLDER_WITH_EQUALS=a=b",
      "DBSHIFT_URL=sqlite:x",
  });
  EXPECT_EQ(
      values,
      (PlaceholderValues{
          {"owner", "app_owner"}, {"schema_2", "s2"}, {"empty", ""}, {"with_equals", "a=b"}}));
}

TEST(PlaceholdersFromEnvironmentTest, BadNameIsAConfigError) {
  for (std::string_view entry : {"DBSHIFT_PLACEHOLDER_=x", "DBSHIFT_PLACEHOLDER_A-B=x"}) {
    SCOPED_TRACE(entry);
    try {
      PlaceholdersFromEnvironment({entry});
      ADD_FAILURE() << "no exception";
    } catch (const ConfigError& error) {
      EXPECT_THAT(error.what(), HasSubstr(std::string(entry.substr(0, entry.find('=')))));
      EXPECT_EQ(error.code(), ExitCode::kUsage);
    }
  }
}

Migration MakeMigration(std::string_view file, std::string_view sql) {
  Migration migration;
  migration.script = std::string(file);
  migration.file = "migrations/" + std::string(file);
  migration.version = Version::Parse("2");
  migration.sql = std::string(sql);
  migration.checksum = "sha256:as-written";
  migration.directives = ParseDirectives(sql, file);
  return migration;
}

TEST(SqlToRunTest, SubstitutesUnlessTheDirectiveTurnsItOff) {
  const Migration on = MakeMigration("V2__on.sql", "CREATE TABLE ${schema}.t ();");
  EXPECT_EQ(SqlToRun(on, kValues), "CREATE TABLE app.t ();");

  const std::string literal = "-- dbshift:placeholders off\nSELECT '${schema}', '${nope}';";
  const Migration off = MakeMigration("V2__off.sql", literal);
  EXPECT_EQ(SqlToRun(off, kValues), literal);
}

TEST(CheckPlaceholdersDefinedTest, PassesWhenAllAreDefined) {
  const Migration a = MakeMigration("V1__a.sql", "CREATE TABLE ${Schema}.t ();");
  const Migration off = MakeMigration("V2__b.sql", "-- dbshift:placeholders off\nSELECT '${x}';");
  EXPECT_NO_THROW(CheckPlaceholdersDefined({&a, &off}, kValues));
  EXPECT_NO_THROW(CheckPlaceholdersDefined({}, {}));
}

TEST(CheckPlaceholdersDefinedTest, ListsEveryUndefinedPlaceholderOfEveryScript) {
  const Migration a = MakeMigration("V1__a.sql", "SELECT 1;");
  const Migration b =
      MakeMigration("V2__b.sql", "-- uses two\nSELECT ${schema};\nSELECT ${Tenant};");
  const Migration c = MakeMigration("V3__c.sql", "GRANT ALL ON t TO ${role_name};");
  try {
    CheckPlaceholdersDefined({&a, &b, &c}, kValues);
    FAIL() << "no exception";
  } catch (const ValidationError& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("2 undefined placeholders"));
    EXPECT_THAT(message, HasSubstr("migrations/V2__b.sql:3: ${Tenant}: define tenant under "
                                   "[placeholders] in dbshift.toml or set "
                                   "DBSHIFT_PLACEHOLDER_TENANT"));
    EXPECT_THAT(message, HasSubstr("migrations/V3__c.sql:1: ${role_name}"));
    EXPECT_THAT(message, HasSubstr("DBSHIFT_PLACEHOLDER_ROLE_NAME"));
    EXPECT_THAT(message, HasSubstr("-- dbshift:placeholders off"));
    EXPECT_THAT(message, Not(HasSubstr("${schema}")));
    EXPECT_EQ(error.code(), ExitCode::kValidation);
    EXPECT_EQ(error.context().file, "migrations/V2__b.sql");
    EXPECT_EQ(error.context().line, 3);
    EXPECT_EQ(error.context().version, "2");
  }
}

}  // namespace
}  // namespace dbshift
