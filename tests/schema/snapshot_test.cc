// Comparing snapshots, describing differences, and the JSON form: pure, no
// database.

#include "dbshift/schema/snapshot.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"

namespace dbshift::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Snapshot Users() {
  return MakeSnapshot({
      {"table", "public.users", ""},
      {"column", "public.users.id", "bigint NOT NULL"},
      {"column", "public.users.name", "text NOT NULL"},
      {"index", "public.users_name_idx",
       "CREATE INDEX users_name_idx ON public.users USING btree (name)"},
  });
}

TEST(CompareSchemasTest, EqualSnapshotsHaveNoDifference) {
  EXPECT_TRUE(CompareSchemas(Users(), Users()).empty());
  EXPECT_TRUE(CompareSchemas(Snapshot{}, Snapshot{}).empty());
}

TEST(CompareSchemasTest, ListsMissingExtraAndChangedObjectsInKindAndNameOrder) {
  Snapshot live = Users();
  live.objects.erase(live.objects.begin() + 2);  // the index
  live.objects[1].definition = "text";           // public.users.name
  live.objects.push_back({"column", "public.users.nickname", "text"});

  EXPECT_THAT(
      CompareSchemas(Users(), live),
      ElementsAre(SchemaDifference{"column", "public.users.name", "text NOT NULL", "text"},
                  SchemaDifference{"column", "public.users.nickname", std::nullopt, "text"},
                  SchemaDifference{"index", "public.users_name_idx",
                                   "CREATE INDEX users_name_idx ON public.users USING btree (name)",
                                   std::nullopt}));
}

TEST(CompareSchemasTest, TheSameNameOfAnotherKindIsAnotherObject) {
  const Snapshot expected = MakeSnapshot({{"view", "public.v", "SELECT 1"}});
  const Snapshot actual = MakeSnapshot({{"materialized view", "public.v", "SELECT 1"}});
  EXPECT_THAT(
      CompareSchemas(expected, actual),
      ElementsAre(SchemaDifference{"materialized view", "public.v", std::nullopt, "SELECT 1"},
                  SchemaDifference{"view", "public.v", "SELECT 1", std::nullopt}));
}

TEST(CompareSchemasTest, InputOrderDoesNotMatter) {
  Snapshot shuffled = Users();
  std::reverse(shuffled.objects.begin(), shuffled.objects.end());
  EXPECT_TRUE(CompareSchemas(Users(), shuffled).empty());
  EXPECT_TRUE(CompareSchemas(shuffled, Users()).empty());
}

TEST(MakeSnapshotTest, SortsByKindThenName) {
  const Snapshot snapshot = Users();
  std::vector<std::string> order;
  for (const SchemaObject& object : snapshot.objects)
    order.push_back(object.kind + " " + object.name);
  EXPECT_THAT(order, ElementsAre("column public.users.id", "column public.users.name",
                                 "index public.users_name_idx", "table public.users"));
}

TEST(MakeSnapshotTest, TwoObjectsOfOneKindAndNameAreABug) {
  EXPECT_THROW(MakeSnapshot({{"table", "t", "a"}, {"table", "t", "b"}}), InternalError);
}

struct DescribeCase {
  SchemaDifference difference;
  std::string line;
};

class DescribeDifferenceTest : public ::testing::TestWithParam<DescribeCase> {};

TEST_P(DescribeDifferenceTest, OneLine) {
  EXPECT_EQ(DescribeDifference(GetParam().difference), GetParam().line);
}

const DescribeCase kDescribeCases[] = {
    {{"column", "public.users.nickname", std::nullopt, "text"},
     "+ column public.users.nickname: text"},
    {{"index", "public.users_email_idx", "CREATE INDEX users_email_idx ON public.users (email)",
      std::nullopt},
     "- index public.users_email_idx: CREATE INDEX users_email_idx ON public.users (email)"},
    {{"column", "public.users.name", "text NOT NULL", "text"},
     "~ column public.users.name: migrations give \"text NOT NULL\", live has \"text\""},
    {{"schema", "app", std::nullopt, ""}, "+ schema app"},
    // Line breaks and quotes stay on one line, readable.
    {{"function", "public.f()", "AS $$\nSELECT \"a\"\n$$", "AS $$\nSELECT 2\n$$"},
     "~ function public.f(): migrations give \"AS $$\\nSELECT \\\"a\\\"\\n$$\", live has "
     "\"AS $$\\nSELECT 2\\n$$\""},
    {{"view", "v", std::nullopt, "SELECT 1\nUNION SELECT 2"},
     "+ view v: SELECT 1\\nUNION SELECT 2"},
};

INSTANTIATE_TEST_SUITE_P(Cases, DescribeDifferenceTest, ::testing::ValuesIn(kDescribeCases));

TEST(SnapshotJsonTest, RoundTrips) {
  Snapshot snapshot = Users();
  snapshot.objects.push_back(
      {"function", "public.f(integer, text)", "CREATE FUNCTION f() AS $$\n\t\"quoted\" \\ é\n$$"});
  snapshot = MakeSnapshot(snapshot.objects);
  const std::string json = SnapshotJson(snapshot);
  EXPECT_EQ(ParseSnapshot(json, "snapshot.json"), snapshot);
  EXPECT_EQ(SnapshotJson(ParseSnapshot(json, "snapshot.json")), json);
}

TEST(SnapshotJsonTest, IsStablePrettyJson) {
  EXPECT_EQ(SnapshotJson(MakeSnapshot({{"table", "t", "STRICT"}})),
            "{\n"
            "  \"format_version\": 1,\n"
            "  \"objects\": [\n"
            "    {\n"
            "      \"kind\": \"table\",\n"
            "      \"name\": \"t\",\n"
            "      \"definition\": \"STRICT\"\n"
            "    }\n"
            "  ]\n"
            "}\n");
  EXPECT_EQ(ParseSnapshot(SnapshotJson(Snapshot{}), "x"), Snapshot{});
}

TEST(SnapshotJsonTest, ParsedObjectsComeSorted) {
  const Snapshot parsed = ParseSnapshot(
      R"({"format_version": 1, "objects": [
           {"kind": "table", "name": "b", "definition": ""},
           {"kind": "table", "name": "a", "definition": ""},
           {"kind": "column", "name": "b.x", "definition": "TEXT"}]})",
      "x");
  EXPECT_EQ(parsed,
            MakeSnapshot({{"table", "a", ""}, {"table", "b", ""}, {"column", "b.x", "TEXT"}}));
}

struct BadSnapshotCase {
  std::string json;
  std::string why;
};

class ParseSnapshotErrorTest : public ::testing::TestWithParam<BadSnapshotCase> {};

TEST_P(ParseSnapshotErrorTest, NamesTheFileAndWhy) {
  try {
    ParseSnapshot(GetParam().json, "schema/prod.json");
    FAIL() << "expected ValidationError for " << GetParam().json;
  } catch (const ValidationError& error) {
    EXPECT_THAT(error.what(), StartsWith("schema/prod.json: "));
    EXPECT_THAT(error.what(), HasSubstr(GetParam().why));
    EXPECT_EQ(error.code(), ExitCode::kValidation);
  }
}

const BadSnapshotCase kBadSnapshots[] = {
    {"", "not valid JSON"},
    {"{\"format_version\": 1, \"objects\": [", "not valid JSON"},
    {"[]", "not a JSON object"},
    {R"({"objects": []})", "format_version"},
    {R"({"format_version": "1", "objects": []})", "format_version"},
    {R"({"format_version": 2, "objects": []})", "format_version 2 is newer"},
    {R"({"format_version": 1})", "no \"objects\" array"},
    {R"({"format_version": 1, "objects": {}})", "no \"objects\" array"},
    {R"({"format_version": 1, "objects": [1]})", "objects[0] is not an object"},
    {R"({"format_version": 1, "objects": [{"name": "t", "definition": ""}]})",
     "objects[0] has no string \"kind\""},
    {R"({"format_version": 1, "objects": [{"kind": "table", "name": 3, "definition": ""}]})",
     "objects[0] has no string \"name\""},
    {R"({"format_version": 1, "objects": [{"kind": "table", "name": "t"}]})",
     "objects[0] has no string \"definition\""},
    {R"({"format_version": 1, "objects": [{"kind": "tabel", "name": "t", "definition": ""}]})",
     "unknown kind \"tabel\""},
    {R"({"format_version": 1, "objects": [{"kind": "table", "name": "", "definition": ""}]})",
     "objects[0] has an empty name"},
    {R"({"format_version": 1, "objects": [{"kind": "table", "name": "t", "definition": "a"},
                                          {"kind": "table", "name": "t", "definition": "b"}]})",
     "table t is listed twice"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ParseSnapshotErrorTest, ::testing::ValuesIn(kBadSnapshots));

}  // namespace
}  // namespace dbshift::schema
