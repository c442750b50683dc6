// ReadSchema on real SQLite and PostgreSQL databases: the same SQL gives the
// same snapshot, the path that built a table does not matter, every object
// kind is read, and neither the history table nor an extension's objects
// are part of the user schema.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/common/url.h"
#include "dbshift/driver/driver.h"
#include "dbshift/schema/snapshot.h"
#include "dbshift/sql/statement.h"

#include "testing/target_database.h"

namespace dbshift::schema {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string EngineName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

std::unique_ptr<Driver> Open(const testing::TargetDatabase& db,
                             const std::string& history_table = "dbshift_history") {
  DriverOptions options;
  options.history_table = history_table;
  return OpenDriver(Url::Parse(db.url()), options);
}

void RunScript(Driver& driver, const std::string& script) {
  for (const Statement& statement : SplitStatements(script, driver.dialect())) {
    driver.Execute(statement);
  }
}

// "kind name" of every object, for messages that show what was read.
std::vector<std::string> Names(const Snapshot& snapshot) {
  std::vector<std::string> names;
  for (const SchemaObject& object : snapshot.objects)
    names.push_back(object.kind + " " + object.name);
  return names;
}

const SchemaObject* Find(const Snapshot& snapshot, const std::string& kind,
                         const std::string& name) {
  for (const SchemaObject& object : snapshot.objects) {
    if (object.kind == kind && object.name == name) return &object;
  }
  return nullptr;
}

class ReadSchemaTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool postgres() const { return GetParam() == "postgres"; }
  // Users, orders with a foreign key, an index, a view and a trigger, in
  // the engine's dialect.
  std::string Script() const {
    if (postgres()) {
      return "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE,\n"
             "  name text DEFAULT 'x' CHECK (name <> ''));\n"
             "CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint REFERENCES users);\n"
             "CREATE INDEX orders_user ON orders (user_id);\n"
             "CREATE VIEW named AS SELECT id, name FROM users;\n"
             "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
             "BEGIN RETURN NEW; END $$;\n"
             "CREATE TRIGGER users_touch BEFORE UPDATE ON users\n"
             "  FOR EACH ROW EXECUTE FUNCTION touch();\n";
    }
    return "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,\n"
           "  name TEXT DEFAULT 'x' CHECK (name <> ''));\n"
           "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
           "  user_id INTEGER REFERENCES users (id) ON DELETE CASCADE);\n"
           "CREATE INDEX orders_user ON orders (user_id);\n"
           "CREATE VIEW named AS SELECT id, name FROM users;\n"
           "CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;\n";
  }
};

TEST_P(ReadSchemaTest, TheSameSqlGivesTheSameSnapshot) {
  DBSHIFT_TARGET_OR_SKIP(first_db, GetParam());
  DBSHIFT_TARGET_OR_SKIP(second_db, GetParam());
  const std::unique_ptr<Driver> first = Open(first_db);
  const std::unique_ptr<Driver> second = Open(second_db);
  RunScript(*first, Script());
  RunScript(*second, Script());

  const Snapshot snapshot = ReadSchema(*first, "dbshift_history");
  EXPECT_EQ(snapshot, ReadSchema(*second, "dbshift_history"));
  EXPECT_EQ(snapshot, ReadSchema(*first, "dbshift_history")) << "reading changes nothing";
  const std::string prefix = postgres() ? "public." : "";
  for (const auto& [kind, name] :
       std::vector<std::pair<std::string, std::string>>{{"table", "users"},
                                                        {"table", "orders"},
                                                        {"column", "users.email"},
                                                        {"column", "orders.user_id"},
                                                        {"index", "orders_user"},
                                                        {"view", "named"},
                                                        {"trigger", "users.users_touch"}}) {
    EXPECT_NE(Find(snapshot, kind, prefix + name), nullptr)
        << kind << " " << prefix << name << " in " << ::testing::PrintToString(Names(snapshot));
  }
}

TEST_P(ReadSchemaTest, ColumnsAddedLaterEqualColumnsWrittenIntoCreateTable) {
  DBSHIFT_TARGET_OR_SKIP(whole_db, GetParam());
  DBSHIFT_TARGET_OR_SKIP(stepwise_db, GetParam());
  const std::unique_ptr<Driver> whole = Open(whole_db);
  const std::unique_ptr<Driver> stepwise = Open(stepwise_db);
  RunScript(*whole, "CREATE TABLE t (a INTEGER NOT NULL, b TEXT DEFAULT 'x');");
  RunScript(*stepwise,
            "CREATE TABLE t (a INTEGER NOT NULL);\n"
            "/* added in a later release */\n"
            "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';");
  EXPECT_THAT(CompareSchemas(ReadSchema(*whole, "dbshift_history"),
                             ReadSchema(*stepwise, "dbshift_history")),
              IsEmpty());
}

TEST_P(ReadSchemaTest, ReportsWhatDiffers) {
  DBSHIFT_TARGET_OR_SKIP(expected_db, GetParam());
  DBSHIFT_TARGET_OR_SKIP(actual_db, GetParam());
  const std::unique_ptr<Driver> expected = Open(expected_db);
  const std::unique_ptr<Driver> actual = Open(actual_db);
  RunScript(*expected, Script());
  RunScript(*actual, Script());
  RunScript(*actual,
            "ALTER TABLE users ADD COLUMN nickname TEXT;\n"
            "DROP INDEX orders_user;\n");
  const std::string prefix = postgres() ? "public." : "";
  const std::vector<SchemaDifference> differences = CompareSchemas(
      ReadSchema(*expected, "dbshift_history"), ReadSchema(*actual, "dbshift_history"));
  ASSERT_EQ(differences.size(), 2U) << ::testing::PrintToString(differences.size());
  EXPECT_EQ(differences[0].name, prefix + "users.nickname");
  EXPECT_FALSE(differences[0].expected);
  EXPECT_EQ(differences[1].name, prefix + "orders_user");
  EXPECT_FALSE(differences[1].actual);
}

TEST_P(ReadSchemaTest, LeavesOutTheHistoryTable) {
  DBSHIFT_TARGET_OR_SKIP(db, GetParam());
  for (const std::string table : {"dbshift_history", "app_history"}) {
    const std::unique_ptr<Driver> driver = Open(db, table);
    driver->EnsureHistoryTable();
    RunScript(*driver, "CREATE TABLE kept (id INTEGER);");
    const Snapshot snapshot = ReadSchema(*driver, table);
    for (const SchemaObject& object : snapshot.objects) {
      EXPECT_THAT(object.name, Not(HasSubstr(table))) << object.kind;
    }
    EXPECT_THAT(Names(snapshot),
                Contains(HasSubstr("table " + std::string(postgres() ? "public." : "") + "kept")));
    RunScript(*driver, "DROP TABLE kept;");
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ReadSchemaTest, ::testing::Values("sqlite", "postgres"),
                         EngineName);

class ReadSqliteSchemaTest : public ::testing::TestWithParam<std::string> {};

// SQLite keeps the statements as written: line breaks and comments must not
// make two equal schemas differ, and what the statement says must count.
TEST_P(ReadSqliteSchemaTest, ReadsTablesAsTheirPartsAndNormalisesStatements) {
  DBSHIFT_TARGET_OR_SKIP(tidy_db, GetParam());
  DBSHIFT_TARGET_OR_SKIP(messy_db, GetParam());
  const std::unique_ptr<Driver> tidy = Open(tidy_db);
  const std::unique_ptr<Driver> messy = Open(messy_db);
  RunScript(*tidy,
            "CREATE TABLE p (a INTEGER, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;\n"
            "CREATE TABLE c (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, x TEXT UNIQUE,\n"
            "  FOREIGN KEY (a, b) REFERENCES p (a, b), CHECK (id > 0));\n"
            "CREATE INDEX c_x ON c (x) WHERE x IS NOT NULL;\n");
  RunScript(*messy,
            "CREATE TABLE p (a INTEGER,   -- the first half\n b TEXT,\n PRIMARY KEY (a, b))\n"
            "WITHOUT ROWID;\n"
            "CREATE TABLE c (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, x TEXT UNIQUE,\n"
            "  FOREIGN KEY (a, b) REFERENCES p (a, b), CHECK (id > 0));\n"
            "CREATE INDEX c_x\n  ON c (x)\n  WHERE x IS NOT NULL;\n");
  const Snapshot snapshot = ReadSchema(*tidy, "dbshift_history");
  EXPECT_EQ(snapshot, ReadSchema(*messy, "dbshift_history"));

  ASSERT_NE(Find(snapshot, "table", "p"), nullptr);
  EXPECT_EQ(Find(snapshot, "table", "p")->definition, "PRIMARY KEY (a, b) WITHOUT ROWID");
  ASSERT_NE(Find(snapshot, "table", "c"), nullptr);
  EXPECT_EQ(Find(snapshot, "table", "c")->definition,
            "PRIMARY KEY (id), UNIQUE (x), FOREIGN KEY (a, b) REFERENCES p (a, b) ON UPDATE "
            "NO ACTION ON DELETE NO ACTION, CHECK (id > 0)");
  ASSERT_NE(Find(snapshot, "index", "c_x"), nullptr);
  EXPECT_EQ(Find(snapshot, "index", "c_x")->definition,
            "CREATE INDEX c_x ON c (x) WHERE x IS NOT NULL");
  EXPECT_EQ(Find(snapshot, "index", "sqlite_autoindex_c_1"), nullptr)
      << "the UNIQUE constraint is the table's";

  RunScript(*messy,
            "DROP TABLE c;\nCREATE TABLE c (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, x TEXT,\n"
            "  CHECK (id > 1));\nCREATE INDEX c_x ON c (x) WHERE x IS NOT NULL;\n");
  const std::vector<SchemaDifference> differences =
      CompareSchemas(snapshot, ReadSchema(*messy, "dbshift_history"));
  ASSERT_EQ(differences.size(), 1U);
  EXPECT_EQ(differences[0].actual, "PRIMARY KEY (id), CHECK (id > 1)");
}

TEST_P(ReadSqliteSchemaTest, ColumnsCarryTypeNullabilityDefaultAndGeneration) {
  DBSHIFT_TARGET_OR_SKIP(db, GetParam());
  const std::unique_ptr<Driver> driver = Open(db);
  RunScript(*driver,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT ( 'a'  || 'b' ),\n"
            "  loud TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL, plain);");
  const Snapshot snapshot = ReadSchema(*driver, "dbshift_history");
  ASSERT_NE(Find(snapshot, "column", "t.name"), nullptr);
  EXPECT_EQ(Find(snapshot, "column", "t.name")->definition, "TEXT NOT NULL DEFAULT 'a' || 'b'");
  ASSERT_NE(Find(snapshot, "column", "t.loud"), nullptr);
  EXPECT_EQ(Find(snapshot, "column", "t.loud")->definition, "TEXT GENERATED VIRTUAL");
  ASSERT_NE(Find(snapshot, "column", "t.plain"), nullptr);
  EXPECT_EQ(Find(snapshot, "column", "t.plain")->definition, "");
  EXPECT_EQ(Find(snapshot, "column", "t.id")->definition, "INTEGER");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ReadSqliteSchemaTest, ::testing::Values("sqlite"), EngineName);

class ReadPostgresSchemaTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadPostgresSchemaTest, ReadsEveryKindOfObject) {
  DBSHIFT_TARGET_OR_SKIP(db, GetParam());
  const std::unique_ptr<Driver> driver = Open(db);
  RunScript(
      *driver,
      "CREATE SCHEMA app;\n"
      "CREATE EXTENSION pgcrypto SCHEMA app;\n"
      "CREATE TYPE app.mood AS ENUM ('sad', 'ok');\n"
      "CREATE TYPE app.pair AS (a integer, b text);\n"
      "CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK "
      "(VALUE > 0);\n"
      "CREATE SEQUENCE app.ticket START 10 INCREMENT 5;\n"
      "CREATE TABLE app.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
      "  email text COLLATE \"C\" NOT NULL, mood app.mood, n app.posint,\n"
      "  twice integer GENERATED ALWAYS AS (n * 2) STORED,\n"
      "  CONSTRAINT users_email_key UNIQUE (email));\n"
      "CREATE INDEX users_mood_idx ON app.users (mood);\n"
      "CREATE VIEW app.sad AS SELECT id FROM app.users WHERE mood = 'sad';\n"
      "CREATE MATERIALIZED VIEW app.counts AS SELECT count(*) AS n FROM app.users;\n"
      "CREATE FUNCTION app.f(a integer, b text) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;\n"
      "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "BEGIN RETURN NEW; END $$;\n"
      "CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION "
      "app.touch();\n"
      "CREATE UNLOGGED TABLE app.events (at date NOT NULL) PARTITION BY RANGE (at);\n");
  const Snapshot snapshot = ReadSchema(*driver, "dbshift_history");
  const auto definition = [&](const std::string& kind, const std::string& name) {
    const SchemaObject* object = Find(snapshot, kind, name);
    EXPECT_NE(object, nullptr) << kind << " " << name << " in "
                               << ::testing::PrintToString(Names(snapshot));
    return object == nullptr ? std::string("(missing)") : object->definition;
  };
  EXPECT_EQ(definition("schema", "app"), "");
  EXPECT_EQ(definition("extension", "pgcrypto"), "SCHEMA app");
  EXPECT_EQ(definition("type", "app.mood"), "ENUM ('sad', 'ok')");
  EXPECT_EQ(definition("type", "app.pair"), "(a integer, b text)");
  EXPECT_EQ(definition("domain", "app.posint"),
            "integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK ((VALUE > 0))");
  EXPECT_EQ(definition("sequence", "app.ticket"),
            "AS bigint START 10 INCREMENT 5 MINVALUE 1 MAXVALUE 9223372036854775807 NO CYCLE");
  EXPECT_EQ(definition("table", "app.users"), "");
  EXPECT_EQ(definition("table", "app.events"), "UNLOGGED PARTITION BY RANGE (at)");
  EXPECT_EQ(definition("column", "app.users.id"),
            "bigint NOT NULL GENERATED ALWAYS AS IDENTITY (AS bigint START 1 INCREMENT 1 MINVALUE "
            "1 MAXVALUE 9223372036854775807 NO CYCLE)");
  EXPECT_EQ(definition("column", "app.users.email"), "text COLLATE pg_catalog.\"C\" NOT NULL");
  EXPECT_EQ(definition("column", "app.users.mood"), "app.mood");
  EXPECT_EQ(definition("column", "app.users.twice"),
            "integer GENERATED ALWAYS AS (((n)::integer * 2)) STORED");
  EXPECT_EQ(definition("constraint", "app.users.users_email_key"), "UNIQUE (email)");
  EXPECT_EQ(definition("constraint", "app.users.users_pkey"), "PRIMARY KEY (id)");
  EXPECT_EQ(definition("index", "app.users_mood_idx"),
            "CREATE INDEX users_mood_idx ON app.users USING btree (mood)");
  EXPECT_THAT(definition("view", "app.sad"), HasSubstr("FROM app.users"));
  EXPECT_THAT(definition("materialized view", "app.counts"), HasSubstr("count(*)"));
  EXPECT_THAT(definition("function", "app.f(a integer, b text)"),
              HasSubstr("CREATE OR REPLACE FUNCTION app.f(a integer, b text)"));
  EXPECT_THAT(definition("trigger", "app.users.users_touch"),
              HasSubstr("EXECUTE FUNCTION app.touch()"));

  // Constraint indexes belong to their constraint, identity sequences to
  // their column, and pgcrypto's functions to pgcrypto.
  EXPECT_EQ(Find(snapshot, "index", "app.users_email_key"), nullptr);
  EXPECT_EQ(Find(snapshot, "sequence", "app.users_id_seq"), nullptr);
  for (const SchemaObject& object : snapshot.objects) {
    EXPECT_THAT(object.name, Not(HasSubstr("digest"))) << object.kind;
  }
}

TEST_P(ReadPostgresSchemaTest, LeavesTheSessionSearchPathAsItWas) {
  DBSHIFT_TARGET_OR_SKIP(db, GetParam());
  const std::unique_ptr<Driver> driver = Open(db);
  RunScript(*driver, "CREATE SCHEMA app;\nSET search_path = app, public;");
  ReadSchema(*driver, "dbshift_history");
  EXPECT_EQ(driver->Query("SHOW search_path").at(0).at(0), "app, public");
}

INSTANTIATE_TEST_SUITE_P(Postgres, ReadPostgresSchemaTest, ::testing::Values("postgres"),
                         EngineName);

class ReadMysqlSchemaTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadMysqlSchemaTest, IsNotSupportedYet) {
  DBSHIFT_TARGET_OR_SKIP(db, GetParam());
  const std::unique_ptr<Driver> driver = Open(db);
  EXPECT_THROW(ReadSchema(*driver, "dbshift_history"), UsageError);
}

INSTANTIATE_TEST_SUITE_P(Mysql, ReadMysqlSchemaTest, ::testing::Values("mysql"), EngineName);

}  // namespace
}  // namespace dbshift::schema
