// The manifest round-trips through its JSON, and a damaged one is refused
// with the field named.

#include "dbshift/backup/manifest.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"

namespace dbshift::backup {
namespace {

using ::testing::HasSubstr;

Manifest Sample() {
  Manifest manifest;
  manifest.engine = "sqlite";
  manifest.server_version = "3.40.1";
  manifest.dbshift_version = "0.1.0";
  manifest.target = "sqlite:/srv/app.db";
  manifest.created_at = "2026-11-21T09:30:00.123Z";
  manifest.schema_version = "1.2";
  manifest.migrations = {
      {"1", "create users", "versioned", "V1__create_users.sql", "sha256:ab",
       "2026-11-20T10:00:00.000Z"},
      {"", "views", "repeatable", "R__views.sql", "sha256:cd", "2026-11-20T10:00:01.000Z"}};
  manifest.tables = {{"users", 3}, {"orders", 0}};
  manifest.files = {{"database.sqlite", 8192, "0123abcd"}};
  return manifest;
}

TEST(ManifestTest, RoundTrips) {
  const Manifest manifest = Sample();
  const Manifest read = ParseManifest(ManifestText(manifest), "m.json");
  EXPECT_EQ(read.engine, "sqlite");
  EXPECT_EQ(read.schema_version, "1.2");
  ASSERT_EQ(read.migrations.size(), 2U);
  EXPECT_EQ(read.migrations[1].kind, "repeatable");
  EXPECT_EQ(read.migrations[0].checksum, "sha256:ab");
  ASSERT_EQ(read.tables.size(), 2U);
  EXPECT_EQ(read.tables[0].rows, 3);
  ASSERT_EQ(read.files.size(), 1U);
  EXPECT_EQ(read.files[0].bytes, 8192U);
  EXPECT_EQ(read.files[0].sha256, "0123abcd");
  EXPECT_EQ(ManifestText(read), ManifestText(manifest));
}

TEST(ManifestTest, NoVersionIsNull) {
  Manifest manifest = Sample();
  manifest.schema_version.reset();
  const std::string text = ManifestText(manifest);
  EXPECT_THAT(text, HasSubstr("\"schema_version\": null"));
  EXPECT_FALSE(ParseManifest(text, "m.json").schema_version.has_value());
}

// PostgreSQL's extra state: each table's schema, columns and file, the
// sequences and the materialized views to refresh.
Manifest PostgresSample() {
  Manifest manifest = Sample();
  manifest.engine = "postgres";
  manifest.tables = {{"users", 3, "public", {"id", "name"}, "table-0001.copy.zst"},
                     {"odd \"name\"", 0, "app", {"a b"}, "table-0002.copy.zst"}};
  manifest.sequences = {{"public", "users_id_seq", "3", true}, {"app", "s", "1", false}};
  manifest.materialized_views = {{"public", "totals"}};
  manifest.files = {{"table-0001.copy.zst", 120, "aa"}, {"table-0002.copy.zst", 13, "bb"}};
  return manifest;
}

TEST(ManifestTest, PostgresStateRoundTrips) {
  const Manifest manifest = PostgresSample();
  const Manifest read = ParseManifest(ManifestText(manifest), "m.json");
  ASSERT_EQ(read.tables.size(), 2U);
  EXPECT_EQ(read.tables[1].schema, "app");
  EXPECT_EQ(read.tables[1].name, "odd \"name\"");
  EXPECT_EQ(read.tables[0].columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(read.tables[0].file, "table-0001.copy.zst");
  ASSERT_EQ(read.sequences.size(), 2U);
  EXPECT_EQ(read.sequences[0].last_value, "3");
  EXPECT_TRUE(read.sequences[0].is_called);
  EXPECT_FALSE(read.sequences[1].is_called);
  ASSERT_EQ(read.materialized_views.size(), 1U);
  EXPECT_EQ(read.materialized_views[0].name, "totals");
  EXPECT_EQ(ManifestText(read), ManifestText(manifest));
  // A SQLite manifest carries none of it.
  const std::string sqlite = ManifestText(Sample());
  EXPECT_THAT(sqlite, ::testing::Not(HasSubstr("sequences")));
  EXPECT_THAT(sqlite, ::testing::Not(HasSubstr("\"file\"")));
}

void ExpectRefused(const std::string& text, const std::string& expected) {
  try {
    ParseManifest(text, "backups/x/manifest.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("backups/x/manifest.json")) << error.what();
    EXPECT_THAT(error.what(), HasSubstr(expected)) << error.what();
  }
}

TEST(ManifestTest, DamagedManifestsNameTheField) {
  std::string text = ManifestText(Sample());
  ExpectRefused("{", "not valid JSON");
  ExpectRefused("[]", "is not an object");
  ExpectRefused(R"({"format": "other"})", "not a dbshift backup manifest");

  std::string no_engine = text;
  no_engine.replace(no_engine.find("\"engine\""), 8, "\"engime\"");
  ExpectRefused(no_engine, "field engine is missing");

  std::string bad_rows = text;
  bad_rows.replace(bad_rows.find("\"rows\": 3"), 9, "\"rows\": \"3\"");
  ExpectRefused(bad_rows, "field tables[0].rows is not an integer");

  std::string postgres = ManifestText(PostgresSample());
  std::string bad_called = postgres;
  bad_called.replace(bad_called.find("\"is_called\": true"), 17, "\"is_called\": 1");
  ExpectRefused(bad_called, "field sequences[0].is_called is not true or false");
  std::string bad_column = postgres;
  bad_column.replace(bad_column.find("\"id\","), 5, "7,");
  ExpectRefused(bad_column, "field tables[0].columns[0] is not a string");
  std::string no_schema = postgres;
  no_schema.replace(no_schema.find("\"schema\"", no_schema.find("\"tables\"")), 8, "\"schemo\"");
  ExpectRefused(no_schema, "field tables[0].schema is missing");

  std::string future = text;
  future.replace(future.find("\"format_version\": 1"), 19, "\"format_version\": 9");
  ExpectRefused(future, "format version 9");
}

}  // namespace
}  // namespace dbshift::backup
