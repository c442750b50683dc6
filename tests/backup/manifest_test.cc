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

  std::string future = text;
  future.replace(future.find("\"format_version\": 1"), 19, "\"format_version\": 9");
  ExpectRefused(future, "format version 9");
}

}  // namespace
}  // namespace dbshift::backup
