#include "dbshift/source/loader.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"
#include "dbshift/source/checksum.h"

#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using testing::ScopedTempDir;

std::vector<std::string> Scripts(const std::vector<Migration>& migrations) {
  std::vector<std::string> scripts;
  for (const Migration& migration : migrations) scripts.push_back(migration.script);
  return scripts;
}

// Replaces every "{dir}" with the folder as messages show it.
std::string Expand(std::string text, const ScopedTempDir& dir) {
  const std::string folder = dir.path().lexically_normal().generic_string();
  for (std::size_t pos = text.find("{dir}"); pos != std::string::npos;
       pos = text.find("{dir}", pos + folder.size())) {
    text.replace(pos, 5, folder);
  }
  return text;
}

// Scripts are read in pieces of 64 KiB: the whole file must arrive whatever
// its size falls on, an empty one included, read by every reader thread.
TEST(LoadMigrationsTest, ReadsWholeScriptsOfEverySize) {
  constexpr std::size_t kPiece = std::size_t{64} * 1024;
  const std::vector<std::size_t> sizes = {0,          1,          kPiece - 1,    kPiece,
                                          kPiece + 1, 2 * kPiece, 3 * kPiece + 7};
  ScopedTempDir dir;
  std::vector<std::string> contents;
  int version = 0;
  for (int copy = 0; copy < 40; ++copy) {  // enough files for several threads
    for (std::size_t size : sizes) {
      std::string content;
      content.reserve(size);
      // Different bytes at every offset, so a piece out of place shows.
      for (std::size_t i = 0; i < size; ++i) {
        content += static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(version)) % 26);
      }
      dir.Write(fmt::format("V{}__size_{}.sql", ++version, size), content);
      contents.push_back(std::move(content));
    }
  }
  const MigrationSet set = LoadMigrations(dir.path());
  ASSERT_EQ(set.versioned.size(), contents.size());
  for (std::size_t i = 0; i < contents.size(); ++i) {
    SCOPED_TRACE(set.versioned[i].script);
    EXPECT_EQ(set.versioned[i].sql.size(), contents[i].size());
    EXPECT_TRUE(set.versioned[i].sql == contents[i]);
    EXPECT_EQ(set.versioned[i].checksum, ScriptChecksum(contents[i]));
  }
}

TEST(LoadMigrationsTest, GoodFolderIsSortedNumerically) {
  ScopedTempDir dir;
  dir.Write("V10__ten.sql", "SELECT 10;\n");
  dir.Write("V2__two.sql", "SELECT 2;\n");
  dir.Write("V1__create_users.sql", "CREATE TABLE users (id int);\n");
  dir.Write("V1.5__one_and_a_half.sql", "SELECT 1.5;\n");
  dir.Write("sub/V3__in_subfolder.sql", "SELECT 3;\n");
  dir.Write("sub/deeper/V2.1__deep.sql", "SELECT 2.1;\n");
  dir.Write("U10__ten.sql", "SELECT -10;\n");
  dir.Write("U1__create_users.sql", "DROP TABLE users;\n");
  dir.Write("R__views.sql", "CREATE VIEW v AS SELECT 1;\n");
  dir.Write("R__a_function.sql", "SELECT 'a';\n");
  // Ignored: not .sql, hidden files, hidden folders.
  dir.Write("README.md", "# migrations\n");
  dir.Write("notes.txt", "V99__x.sql\n");
  dir.Write("V98__x.sql.bak", "SELECT 98;\n");
  dir.Write(".V97__hidden.sql", "SELECT 97;\n");
  dir.Write(".git/V96__x.sql", "SELECT 96;\n");
  dir.Write("sub/.cache/V95__x.sql", "SELECT 95;\n");
  dir.Write("sub/.hidden.sql", "not sql\n");

  const MigrationSet set = LoadMigrations(dir.path());

  EXPECT_EQ(Scripts(set.versioned),
            (std::vector<std::string>{"V1__create_users.sql", "V1.5__one_and_a_half.sql",
                                      "V2__two.sql", "sub/deeper/V2.1__deep.sql",
                                      "sub/V3__in_subfolder.sql", "V10__ten.sql"}));
  EXPECT_EQ(Scripts(set.undo), (std::vector<std::string>{"U1__create_users.sql", "U10__ten.sql"}));
  EXPECT_EQ(Scripts(set.repeatable),
            (std::vector<std::string>{"R__a_function.sql", "R__views.sql"}));

  const Migration& first = set.versioned[0];
  EXPECT_EQ(first.kind, MigrationKind::kVersioned);
  EXPECT_EQ(first.version->text(), "1");
  EXPECT_EQ(first.description, "create users");
  EXPECT_EQ(first.sql, "CREATE TABLE users (id int);\n");
  EXPECT_EQ(first.checksum, ScriptChecksum("CREATE TABLE users (id int);\n"));
  EXPECT_EQ(first.file, (dir.path() / "V1__create_users.sql").generic_string());
  EXPECT_FALSE(first.directives.no_transaction);

  const Migration& deep = set.versioned[3];
  EXPECT_EQ(deep.version->text(), "2.1");
  EXPECT_EQ(deep.description, "deep");
  EXPECT_EQ(deep.file, (dir.path() / "sub/deeper/V2.1__deep.sql").generic_string());
  EXPECT_EQ(deep.sql, "SELECT 2.1;\n");

  EXPECT_EQ(set.undo[1].kind, MigrationKind::kUndo);
  EXPECT_EQ(set.undo[1].version->text(), "10");
  EXPECT_EQ(set.undo[1].sql, "SELECT -10;\n");
  EXPECT_EQ(set.repeatable[0].kind, MigrationKind::kRepeatable);
  EXPECT_FALSE(set.repeatable[0].version.has_value());
  EXPECT_EQ(set.repeatable[0].description, "a function");
  EXPECT_EQ(set.repeatable[1].description, "views");
}

TEST(LoadMigrationsTest, ReadsDirectivesAndStripsBom) {
  ScopedTempDir dir;
  dir.Write("V1__index.sql",
            "\xEF\xBB\xBF-- dbshift:no-transaction\n-- dbshift:lock-timeout 3s\n"
            "CREATE INDEX CONCURRENTLY i ON t (a);\n");
  dir.Write("V2__crlf.sql", "SELECT 1;\r\nSELECT 2;\r\n");
  dir.Write("V3__empty.sql", "");

  const MigrationSet set = LoadMigrations(dir.path());

  ASSERT_EQ(set.versioned.size(), 3u);
  const Migration& index = set.versioned[0];
  EXPECT_EQ(index.sql,
            "-- dbshift:no-transaction\n-- dbshift:lock-timeout 3s\n"
            "CREATE INDEX CONCURRENTLY i ON t (a);\n");
  EXPECT_EQ(index.checksum, ScriptChecksum(index.sql));
  EXPECT_TRUE(index.directives.no_transaction);
  EXPECT_EQ(index.directives.lock_timeout, std::chrono::milliseconds(3000));
  // The content is kept as read; only the checksum folds CRLF.
  EXPECT_EQ(set.versioned[1].sql, "SELECT 1;\r\nSELECT 2;\r\n");
  EXPECT_EQ(set.versioned[1].checksum, ScriptChecksum("SELECT 1;\nSELECT 2;\n"));
  EXPECT_EQ(set.versioned[2].sql, "");
  EXPECT_EQ(set.versioned[2].checksum, ScriptChecksum(""));
}

TEST(LoadMigrationsTest, EmptyFolder) {
  ScopedTempDir dir;
  dir.Write("README.md", "nothing yet\n");
  const MigrationSet set = LoadMigrations(dir.path());
  EXPECT_TRUE(set.versioned.empty());
  EXPECT_TRUE(set.undo.empty());
  EXPECT_TRUE(set.repeatable.empty());
}

TEST(LoadMigrationsTest, MissingFolderIsAConfigError) {
  ScopedTempDir dir;
  const std::filesystem::path missing = dir.path() / "migrations";
  try {
    LoadMigrations(missing);
    FAIL() << "no exception";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.what(), fmt::format("migration folder {} does not exist", missing.string()));
    EXPECT_EQ(error.code(), ExitCode::kUsage);
  }
}

TEST(LoadMigrationsTest, FileInsteadOfFolderIsAConfigError) {
  ScopedTempDir dir;
  const std::filesystem::path file = dir.Write("migrations", "");
  try {
    LoadMigrations(file);
    FAIL() << "no exception";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.what(), fmt::format("migration folder {} is not a folder", file.string()));
  }
}

TEST(LoadMigrationsTest, RelativeFolderNamesFilesAsGiven) {
  ScopedTempDir dir;
  dir.Write("db/migrations/V1_x.sql", "");
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::string message;
  try {
    LoadMigrations("db/migrations");
  } catch (const ValidationError& error) {
    message = error.what();
  }
  std::filesystem::current_path(previous);
  EXPECT_EQ(message,
            "db/migrations/V1_x.sql: not a migration file name (expected "
            "V<version>__<description>.sql, U<version>__<description>.sql or "
            "R__<description>.sql)");
}

TEST(LoadMigrationsTest, FollowsFileLinksButNotFolderLinks) {
  ScopedTempDir dir;
  ScopedTempDir elsewhere;
  const std::filesystem::path target = elsewhere.Write("shared.sql", "SELECT 'shared';\n");
  elsewhere.Write("V7__outside.sql", "SELECT 7;\n");
  dir.Write("V1__a.sql", "SELECT 1;\n");
  std::filesystem::create_symlink(target, dir.path() / "V2__linked.sql");
  // A link back to the folder itself would loop if followed.
  std::filesystem::create_directory_symlink(dir.path(), dir.path() / "loop");
  std::filesystem::create_directory_symlink(elsewhere.path(), dir.path() / "other");

  const MigrationSet set = LoadMigrations(dir.path());

  EXPECT_EQ(Scripts(set.versioned), (std::vector<std::string>{"V1__a.sql", "V2__linked.sql"}));
  EXPECT_EQ(set.versioned[1].sql, "SELECT 'shared';\n");
}

struct File {
  std::string relative;
  std::string content;
};

struct ErrorCase {
  std::string name;
  std::vector<File> files;
  std::string message;       // "{dir}" stands for the folder
  std::string context_file;  // set only when the error is about one file
  int context_line;
};

const std::string kNotAName =
    ": not a migration file name (expected V<version>__<description>.sql, "
    "U<version>__<description>.sql or R__<description>.sql)";

const ErrorCase kErrorCases[] = {
    {"unparseable name",
     {{"V1_x.sql", ""}, {"V2__ok.sql", ""}},
     "{dir}/V1_x.sql" + kNotAName,
     "{dir}/V1_x.sql",
     0},
    {"lower-case prefix", {{"v1__x.sql", ""}}, "{dir}/v1__x.sql" + kNotAName, "{dir}/v1__x.sql", 0},
    {"unparseable name in a subfolder",
     {{"V1__ok.sql", ""}, {"sub/notes.sql", ""}},
     "{dir}/sub/notes.sql" + kNotAName,
     "{dir}/sub/notes.sql",
     0},
    {"duplicate version",
     {{"V1__a.sql", ""}, {"V1.0__b.sql", ""}},
     "versioned migrations share version 1.0: {dir}/V1.0__b.sql, {dir}/V1__a.sql",
     "",
     0},
    {"duplicate version across folders",
     {{"V1__a.sql", ""}, {"sub/V01__a.sql", ""}, {"V2__b.sql", ""}},
     "versioned migrations share version 1: {dir}/V1__a.sql, {dir}/sub/V01__a.sql",
     "",
     0},
    {"three share a version",
     {{"V2__a.sql", ""}, {"V2_0__b.sql", ""}, {"V2.0.0__c.sql", ""}},
     "versioned migrations share version 2.0.0: {dir}/V2.0.0__c.sql, {dir}/V2_0__b.sql, "
     "{dir}/V2__a.sql",
     "",
     0},
    {"duplicate undo version",
     {{"V1__a.sql", ""}, {"U1__a.sql", ""}, {"U1.0__b.sql", ""}},
     "undo migrations share version 1.0: {dir}/U1.0__b.sql, {dir}/U1__a.sql",
     "",
     0},
    {"undo without versioned twin",
     {{"V1__a.sql", ""}, {"U3__c.sql", ""}},
     "{dir}/U3__c.sql: undo migration without a versioned migration of version 3",
     "{dir}/U3__c.sql",
     0},
    {"duplicate repeatable description",
     {{"R__views.sql", ""}, {"sub/R__views.sql", ""}, {"R__other.sql", ""}},
     "repeatable migrations share description \"views\": {dir}/R__views.sql, "
     "{dir}/sub/R__views.sql",
     "",
     0},
    {"repeatable descriptions equal after '_' becomes ' '",
     {{"R__a_b.sql", ""}, {"R__a b.sql", ""}},
     "repeatable migrations share description \"a b\": {dir}/R__a b.sql, {dir}/R__a_b.sql",
     "",
     0},
    {"unknown directive",
     {{"V1__a.sql", ""}, {"V3__x.sql", "-- keep\n-- dbshift:frobnicate\nSELECT 1;\n"}},
     "{dir}/V3__x.sql:2: unknown directive \"dbshift:frobnicate\"",
     "{dir}/V3__x.sql",
     2},
    {"mixed native and golang-migrate",
     {{"V1__a.sql", ""}, {"2_b.up.sql", ""}, {"2_b.down.sql", ""}},
     "files of more than one layout are mixed in one folder: native ({dir}/V1__a.sql); "
     "golang-migrate ({dir}/2_b.down.sql, {dir}/2_b.up.sql)",
     "",
     0},
    {"mixed native and dbmate",
     {{"V1__a.sql", ""}, {"V2__b.sql", ""}, {"20200101_c.sql", ""}},
     "files of more than one layout are mixed in one folder: native ({dir}/V1__a.sql, "
     "{dir}/V2__b.sql); dbmate ({dir}/20200101_c.sql)",
     "",
     0},
    {"neutral up/down files are listed with popx",
     {{"V1__a.sql", ""}, {"2_b.up.sql", ""}, {"3_c.postgres.up.sql", ""}},
     "files of more than one layout are mixed in one folder: native ({dir}/V1__a.sql); "
     "popx ({dir}/2_b.up.sql, {dir}/3_c.postgres.up.sql)",
     "",
     0},
    {"mixed golang-migrate and dbmate",
     {{"1_a.up.sql", ""}, {"2_b.sql", ""}},
     "files of more than one layout are mixed in one folder: golang-migrate "
     "({dir}/1_a.up.sql); dbmate ({dir}/2_b.sql)",
     "",
     0},
    {"mixed lists at most five files per layout",
     {{"V1__a.sql", ""},
      {"1_a.up.sql", ""},
      {"2_a.up.sql", ""},
      {"3_a.up.sql", ""},
      {"4_a.up.sql", ""},
      {"5_a.up.sql", ""},
      {"6_a.up.sql", ""},
      {"7_a.up.sql", ""}},
     "files of more than one layout are mixed in one folder: native ({dir}/V1__a.sql); "
     "golang-migrate ({dir}/1_a.up.sql, {dir}/2_a.up.sql, {dir}/3_a.up.sql, {dir}/4_a.up.sql, "
     "{dir}/5_a.up.sql and 2 more)",
     "",
     0},
    {"golang-migrate down file without its up file",
     {{"1_a.up.sql", ""}, {"1_a.down.sql", ""}, {"2_b.down.sql", ""}, {"README.md", ""}},
     "{dir}/2_b.down.sql: undo migration without a versioned migration of version 2",
     "{dir}/2_b.down.sql",
     0},
    {"a stray file in a golang-migrate folder",
     {{"1_a.up.sql", ""}, {"x.sql", ""}},
     "{dir}/x.sql: not a golang-migrate migration file name (expected <version>_<name>.up.sql or "
     "<version>_<name>.down.sql)",
     "{dir}/x.sql",
     0},
    {"dbmate file with a statement outside the blocks",
     {{"20200101120000_a.sql", "-- fine\nCREATE TABLE a (id int);\n-- migrate:up\n"}},
     "{dir}/20200101120000_a.sql:2: a statement before the first '-- migrate:up' or "
     "'-- migrate:down' line; dbmate runs only what is inside the blocks",
     "{dir}/20200101120000_a.sql",
     2},
    {"dbmate file without an up block",
     {{"20200101120000_a.sql", "-- migrate:down\nDROP TABLE a;\n"}},
     "{dir}/20200101120000_a.sql:1: no '-- migrate:up' line: a dbmate migration needs an up "
     "block",
     "{dir}/20200101120000_a.sql",
     1},
    {"dbmate option that dbmate does not know",
     {{"20200101120000_a.sql", "-- migrate:up transaction:maybe\n"}},
     "{dir}/20200101120000_a.sql:1: unknown dbmate option 'transaction:maybe' (dbmate knows "
     "transaction:true and transaction:false)",
     "{dir}/20200101120000_a.sql",
     1},
    {"dbmate block twice",
     {{"20200101120000_a.sql", "-- migrate:up\n-- migrate:down\n--migrate:up\n"}},
     "{dir}/20200101120000_a.sql:3: a second '-- migrate:up' block",
     "{dir}/20200101120000_a.sql",
     3},
    {"several problems, one per line",
     {{"V1_x.sql", ""},
      {"V2__a.sql", "-- dbshift:lock-timeout\n"},
      {"V2.0__b.sql", ""},
      {"U9__c.sql", ""},
      {"R__v.sql", ""},
      {"R__v_.sql", ""},
      {"sub/R__v.sql", ""}},
     "migration folder {dir} has 5 problems:\n"
     "  {dir}/V1_x.sql" +
         kNotAName +
         "\n"
         "  {dir}/V2__a.sql:1: directive \"dbshift:lock-timeout\" needs a duration, e.g. 5s\n"
         "  versioned migrations share version 2.0: {dir}/V2.0__b.sql, {dir}/V2__a.sql\n"
         "  {dir}/U9__c.sql: undo migration without a versioned migration of version 9\n"
         "  repeatable migrations share description \"v\": {dir}/R__v.sql, {dir}/sub/R__v.sql",
     "",
     0},
    {"unparseable names are reported with a mixture",
     {{"V1__a.sql", ""}, {"1_a.up.sql", ""}, {"x.sql", ""}},
     "migration folder {dir} has 2 problems:\n"
     "  {dir}/x.sql" +
         kNotAName +
         "\n"
         "  files of more than one layout are mixed in one folder: native ({dir}/V1__a.sql); "
         "golang-migrate ({dir}/1_a.up.sql)",
     "",
     0},
};

TEST(LoadMigrationsTest, Errors) {
  for (const ErrorCase& c : kErrorCases) {
    SCOPED_TRACE(c.name);
    ScopedTempDir dir;
    for (const File& file : c.files) dir.Write(file.relative, file.content);
    try {
      LoadMigrations(dir.path());
      ADD_FAILURE() << "no exception";
    } catch (const ValidationError& error) {
      EXPECT_EQ(error.what(), Expand(c.message, dir));
      EXPECT_EQ(error.code(), ExitCode::kValidation);
      EXPECT_EQ(error.context().file, Expand(c.context_file, dir));
      EXPECT_EQ(error.context().line, c.context_line);
    }
  }
}

std::string VersionedName(int i) { return fmt::format("V{}__migration_{}.sql", i, i); }

// Above the threshold files are read by several threads; the result must be
// the same as a sequential read.
TEST(LoadMigrationsTest, ManyFilesLoadInOrder) {
  constexpr int kCount = 500;
  ScopedTempDir dir;
  for (int i = kCount; i >= 1; --i) {
    dir.Write((i % 3 == 0 ? "a/" : "") + VersionedName(i), fmt::format("SELECT {};\n", i));
  }
  const MigrationSet set = LoadMigrations(dir.path());
  ASSERT_EQ(set.versioned.size(), static_cast<std::size_t>(kCount));
  for (int i = 1; i <= kCount; ++i) {
    const Migration& migration = set.versioned[static_cast<std::size_t>(i - 1)];
    ASSERT_EQ(migration.version->text(), std::to_string(i));
    ASSERT_EQ(migration.script, (i % 3 == 0 ? "a/" : "") + VersionedName(i));
    ASSERT_EQ(migration.sql, fmt::format("SELECT {};\n", i));
    ASSERT_EQ(migration.checksum, ScriptChecksum(migration.sql));
  }
}

// A folder of repeatables alone is sorted in place by description; files in
// a subfolder are listed first, so the listing order is not the result's.
TEST(LoadMigrationsTest, ManyRepeatablesAloneLoadInDescriptionOrder) {
  constexpr int kCount = 300;
  ScopedTempDir dir;
  for (int i = 1; i <= kCount; ++i) {
    dir.Write(fmt::format("{}R__view_{:03}.sql", i % 7 == 0 ? "a/" : "", i),
              fmt::format("SELECT {};\n", i));
  }
  const MigrationSet set = LoadMigrations(dir.path());
  ASSERT_TRUE(set.versioned.empty());
  ASSERT_EQ(set.repeatable.size(), static_cast<std::size_t>(kCount));
  for (int i = 1; i <= kCount; ++i) {
    const Migration& migration = set.repeatable[static_cast<std::size_t>(i - 1)];
    ASSERT_EQ(migration.description, fmt::format("view {:03}", i));
    ASSERT_EQ(migration.sql, fmt::format("SELECT {};\n", i));
    ASSERT_EQ(migration.checksum, ScriptChecksum(migration.sql));
  }
}

TEST(LoadMigrationsTest, ManyProblemsComeInFileOrder) {
  constexpr int kCount = 300;
  ScopedTempDir dir;
  std::vector<std::string> bad_names;
  for (int i = 1; i <= kCount; ++i) {
    const bool bad = i % 7 == 0;
    dir.Write(VersionedName(i), bad ? "-- dbshift:frobnicate\n" : "SELECT 1;\n");
    if (bad) bad_names.push_back(VersionedName(i));
  }
  std::sort(bad_names.begin(), bad_names.end());
  std::string expected =
      fmt::format("migration folder {} has {} problems:", dir.path().string(), bad_names.size());
  for (const std::string& name : bad_names) {
    expected += Expand("\n  {dir}/" + name + ":1: unknown directive \"dbshift:frobnicate\"", dir);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      LoadMigrations(dir.path());
      FAIL() << "no exception";
    } catch (const ValidationError& error) {
      EXPECT_EQ(error.what(), expected);
    }
  }
}

}  // namespace
}  // namespace dbshift
