#include "dbshift/config/config.h"

#include <filesystem>
#include <optional>
#include <ostream>
#include <stdlib.h>
#include <string>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbshift/common/error.h"

#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// Sets (or unsets, for nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Changes the working folder for one scope.
class ScopedChdir {
 public:
  explicit ScopedChdir(const fs::path& to) : old_(fs::current_path()) { fs::current_path(to); }
  ~ScopedChdir() { fs::current_path(old_); }
  ScopedChdir(const ScopedChdir&) = delete;
  ScopedChdir& operator=(const ScopedChdir&) = delete;

 private:
  fs::path old_;
};

TEST(LoadConfigTest, ReadsEveryKey) {
  testing::ScopedTempDir temp;
  const fs::path file = temp.Write("project/dbshift.toml", R"(
dir = "db/migrations"
history_table = "schema_history"
log_dir = "/var/log/dbshift"
lock_timeout = "1m30s"

[env.dev]
url = "sqlite:./dev.db"

[env.prod]
url_env = "PROD_DATABASE_URL"
)");
  const Config config = LoadConfig(file);
  EXPECT_EQ(config.file, file);
  EXPECT_EQ(config.dir, temp.path() / "project" / "db/migrations");
  EXPECT_EQ(config.history_table, "schema_history");
  EXPECT_EQ(config.log_dir, fs::path("/var/log/dbshift"));
  EXPECT_EQ(config.lock_timeout, std::chrono::milliseconds(90000));
  ASSERT_EQ(config.environments.size(), 2u);
  EXPECT_EQ(config.environments.at("dev").url, "sqlite:./dev.db");
  EXPECT_EQ(config.environments.at("dev").url_env, "");
  EXPECT_EQ(config.environments.at("prod").url, "");
  EXPECT_EQ(config.environments.at("prod").url_env, "PROD_DATABASE_URL");
}

TEST(LoadConfigTest, EmptyFileGivesDefaultsBesideTheFile) {
  testing::ScopedTempDir temp;
  const fs::path file = temp.Write("dbshift.toml", "# nothing set\n");
  const Config config = LoadConfig(file);
  EXPECT_EQ(config.dir, temp.path() / "migrations");
  EXPECT_EQ(config.log_dir, temp.path() / ".dbshift/log");
  EXPECT_EQ(config.history_table, "dbshift_history");
  EXPECT_EQ(config.lock_timeout, std::chrono::milliseconds(30000));
  EXPECT_TRUE(config.environments.empty());
}

TEST(LoadConfigTest, BackupDirAndRequireBackup) {
  testing::ScopedTempDir temp;
  const fs::path file = temp.Write("project/dbshift.toml", R"(
backup_dir = "var/backups"
[env.dev]
url = "sqlite:./dev.db"
[env.prod]
url = "sqlite:./prod.db"
require_backup = true
)");
  const Config config = LoadConfig(file);
  EXPECT_EQ(config.backup_dir, temp.path() / "project" / "var/backups");
  EXPECT_FALSE(config.environments.at("dev").require_backup);
  EXPECT_TRUE(config.environments.at("prod").require_backup);
  EXPECT_EQ(LoadConfig(temp.Write("dbshift.toml", "")).backup_dir, temp.path() / "backups");
}

TEST(LoadConfigTest, IntegerLockTimeoutIsSeconds) {
  testing::ScopedTempDir temp;
  EXPECT_EQ(LoadConfig(temp.Write("dbshift.toml", "lock_timeout = 45\n")).lock_timeout,
            std::chrono::milliseconds(45000));
}

TEST(LoadConfigTest, StatementLimitsAreUnsetByDefault) {
  const Config config = Config{};
  EXPECT_FALSE(config.statements.lock_timeout);
  EXPECT_FALSE(config.statements.statement_timeout);
  EXPECT_FALSE(config.statements.lock_timeout_tries);
  EXPECT_FALSE(config.statements.lock_timeout_backoff);
}

TEST(LoadConfigTest, EnvironmentStatementLimitsOverrideTheTopLevelOnesFieldByField) {
  testing::ScopedTempDir temp;
  const Config config = LoadConfig(temp.Write("dbshift.toml", R"(
lock_timeout = "2m"
[statements]
lock_timeout = "3s"
statement_timeout = "off"
lock_timeout_tries = 7
lock_timeout_backoff = "250ms"
[env.prod]
url = "sqlite:./prod.db"
[env.prod.statements]
lock_timeout = 2
statement_timeout = "15m"
[env.dev]
url = "sqlite:./dev.db"
)"));
  EXPECT_EQ(config.lock_timeout, std::chrono::minutes(2));  // the migration lock's, apart
  const StatementLimits top = ResolveStatementLimits(config, std::nullopt);
  EXPECT_EQ(top.lock_timeout, std::chrono::seconds(3));
  EXPECT_EQ(top.statement_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(top.lock_timeout_tries, 7);
  EXPECT_EQ(top.lock_timeout_backoff, std::chrono::milliseconds(250));

  const StatementLimits prod = ResolveStatementLimits(config, std::string("prod"));
  EXPECT_EQ(prod.lock_timeout, std::chrono::seconds(2));
  EXPECT_EQ(prod.statement_timeout, std::chrono::minutes(15));
  EXPECT_EQ(prod.lock_timeout_tries, 7);
  EXPECT_EQ(prod.lock_timeout_backoff, std::chrono::milliseconds(250));

  EXPECT_EQ(ResolveStatementLimits(config, std::string("dev")).lock_timeout,
            std::chrono::seconds(3));
}

TEST(LoadConfigTest, DottedEnvKeysWork) {
  testing::ScopedTempDir temp;
  const Config config =
      LoadConfig(temp.Write("dbshift.toml", "env.ci.url = \"postgres://ci@localhost/ci\"\n"));
  EXPECT_EQ(config.environments.at("ci").url, "postgres://ci@localhost/ci");
}

TEST(LoadConfigTest, ReadsPlaceholdersWithLowerCaseNames) {
  testing::ScopedTempDir temp;
  const Config config = LoadConfig(temp.Write("dbshift.toml", R"(
[placeholders]
schema = "app"
Owner = "app_owner"
empty = ""

[env.prod]
url = "sqlite:./prod.db"
[env.prod.placeholders]
OWNER = "prod_owner"
)"));
  EXPECT_EQ(config.placeholders,
            (PlaceholderValues{{"schema", "app"}, {"owner", "app_owner"}, {"empty", ""}}));
  EXPECT_EQ(config.environments.at("prod").placeholders,
            (PlaceholderValues{{"owner", "prod_owner"}}));
}

TEST(LoadConfigTest, NoPlaceholdersByDefault) {
  testing::ScopedTempDir temp;
  const Config config =
      LoadConfig(temp.Write("dbshift.toml", "[env.dev]\nurl = \"sqlite:./dev.db\"\n"));
  EXPECT_TRUE(config.placeholders.empty());
  EXPECT_TRUE(config.environments.at("dev").placeholders.empty());
}

struct BadCase {
  std::string name;
  std::string content;
  int line;
  std::string message;  // expected substring, after "dbshift.toml:"
};

void PrintTo(const BadCase& c, std::ostream* out) { *out << c.name; }

class LoadConfigBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoadConfigBadTest, NamesFileLineAndKey) {
  const BadCase& c = GetParam();
  testing::ScopedTempDir temp;
  const fs::path file = temp.Write("dbshift.toml", c.content);
  try {
    LoadConfig(file);
    FAIL() << "loaded:\n" << c.content;
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr(file.string() + ":" + c.message));
    EXPECT_EQ(error.context().file, file.string());
    EXPECT_EQ(error.context().line, c.line);
    EXPECT_EQ(error.code(), ExitCode::kUsage);
  }
}

const BadCase kBadCases[] = {
    {"syntax", "dir = \"m\"\nhistory_table = \n", 2, "2:"},
    {"unterminated", "dir = \"m\nx = 1\n", 1, "1:"},
    {"unknown_key", "dir = \"m\"\n\nhistroy_table = \"h\"\n", 3,
     "3:1: unknown key \"histroy_table\" (did you mean \"history_table\"?)"},
    {"unknown_far", "colour = \"red\"\n", 1, "1:1: unknown key \"colour\""},
    {"dir_type", "dir = 5\n", 1, "1:7: \"dir\" must be a string, not an integer"},
    {"history_type", "history_table = [\"a\"]\n", 1,
     "1:17: \"history_table\" must be a string, not an array"},
    {"history_empty", "history_table = \"\"\n", 1, "1:17: history_table is empty"},
    {"log_dir_type", "log_dir = true\n", 1, "1:11: \"log_dir\" must be a string, not a boolean"},
    {"statements_unknown", "[statements]\nlock_timeout_trys = 3\n", 2,
     "2:1: unknown key \"lock_timeout_trys\" in [statements] (did you mean "
     "\"lock_timeout_tries\"?)"},
    {"statements_tries_zero", "[statements]\nlock_timeout_tries = 0\n", 2,
     "2:22: \"statements.lock_timeout_tries\" must be a whole number of tries from 1 to 100"},
    {"statements_bad_duration",
     "[env.ci]\nurl = \"sqlite:x\"\n[env.ci.statements]\n"
     "statement_timeout = \"soon\"\n",
     4, "4:21: \"env.ci.statements.statement_timeout\": \"soon\" is not a duration"},
    {"statements_backoff_off", "[statements]\nlock_timeout_backoff = \"off\"\n", 2,
     "2:24: \"statements.lock_timeout_backoff\": \"off\" is not a duration"},
    {"lock_bad", "lock_timeout = \"5x\"\n", 1,
     "1:16: \"lock_timeout\": \"5x\" is not a duration (use e.g. 500ms, 30s, 5m, 1h)"},
    {"lock_negative", "lock_timeout = -3\n", 1, "1:16: \"lock_timeout\": -3 is not a duration"},
    {"lock_float", "lock_timeout = 1.5\n", 1,
     "1:16: \"lock_timeout\" must be a string, not a floating-point number"},
    {"env_not_table", "env = \"dev\"\n", 1, "1:7: \"env\" must be a table, not a string"},
    {"require_backup_type", "[env.prod]\nurl = \"sqlite:x\"\nrequire_backup = \"yes\"\n", 3,
     "3:18: \"env.prod.require_backup\" must be true or false, not a string"},
    {"backup_dir_empty", "backup_dir = \"\"\n", 1, "1:14: backup_dir is empty"},
    {"env_entry_not_table", "[env]\ndev = \"sqlite:x\"\n", 2,
     "2:7: \"env.dev\" must be a table, not a string"},
    {"env_unknown_key", "[env.dev]\nurl = \"sqlite:x\"\nurl_evn = \"X\"\n", 3,
     "3:1: unknown key \"url_evn\" in [env.dev] (did you mean \"url_env\"?)"},
    {"env_both", "[env.dev]\nurl = \"sqlite:x\"\nurl_env = \"X\"\n", 1,
     "1:1: [env.dev] sets both url and url_env; keep one of them"},
    {"env_neither", "[env.dev]\n", 1, "1:1: [env.dev] needs url or url_env"},
    {"env_url_type", "[env.dev]\nurl = 3\n", 2,
     "2:7: \"env.dev.url\" must be a string, not an integer"},
    {"env_bad_url", "[env.dev]\nurl = \"postgress://u:hunter22@h/d\"\n", 2,
     "2:7: [env.dev] url: \"postgress://u:***@h/d\" is not a database URL"},
    {"env_empty_url_env", "[env.dev]\nurl_env = \"\"\n", 2, "2:11: [env.dev] url_env is empty"},
    {"placeholders_not_table", "placeholders = \"x\"\n", 1,
     "1:16: \"placeholders\" must be a table, not a string"},
    {"placeholder_integer", "[placeholders]\nschema = \"app\"\nowner = 5\n", 3,
     "3:9: \"placeholders.owner\" must be a string, not an integer"},
    {"placeholder_table", "[placeholders.owner]\nname = \"x\"\n", 1,
     "1:1: \"placeholders.owner\" must be a string, not a table"},
    {"placeholder_bad_name", "[placeholders]\n\"app-owner\" = \"x\"\n", 2,
     "2:1: [placeholders]: \"app-owner\" is not a placeholder name (letters, digits and _)"},
    {"placeholder_twice", "[placeholders]\nOwner = \"a\"\nowner = \"b\"\n", 3,
     "3:1: [placeholders]: \"owner\" is given twice (names ignore case)"},
    {"placeholders_typo", "[placeholder]\nowner = \"a\"\n", 1,
     "1:2: unknown key \"placeholder\" (did you mean \"placeholders\"?)"},
    {"env_placeholder_boolean",
     "[env.dev]\nurl = \"sqlite:x\"\n[env.dev.placeholders]\nowner = true\n", 4,
     "4:9: \"env.dev.placeholders.owner\" must be a string, not a boolean"},
    {"env_placeholder_bad_name",
     "[env.dev]\nurl = \"sqlite:x\"\n[env.dev.placeholders]\n\"a.b\" = \"x\"\n", 4,
     "4:1: [env.dev.placeholders]: \"a.b\" is not a placeholder name"},
    {"env_placeholders_typo", "[env.dev]\nurl = \"sqlite:x\"\nplaceholder = {}\n", 3,
     "3:1: unknown key \"placeholder\" in [env.dev] (did you mean \"placeholders\"?); expected "
     "url, url_env, placeholders, statements or require_backup"},
};

INSTANTIATE_TEST_SUITE_P(Cases, LoadConfigBadTest, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& param_info) {
                           return param_info.param.name;
                         });

TEST(LoadConfigTest, BadUrlMessageHidesPassword) {
  testing::ScopedTempDir temp;
  const fs::path file =
      temp.Write("dbshift.toml", "[env.prod]\nurl = \"postgres://app:hunter22@db:99999/x\"\n");
  try {
    LoadConfig(file);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("port"));
    EXPECT_THAT(error.what(), Not(HasSubstr("hunter22")));
  }
}

TEST(LoadConfigTest, MissingFile) {
  testing::ScopedTempDir temp;
  EXPECT_THROW(LoadConfig(temp.path() / "nope.toml"), ConfigError);
  EXPECT_THROW(LoadConfig(temp.path()), ConfigError);  // a folder, not a file
}

TEST(LoadConfigOrDefaultTest, ExplicitPathMustExist) {
  testing::ScopedTempDir temp;
  EXPECT_THROW(LoadConfigOrDefault(temp.path() / "missing.toml"), ConfigError);
  const fs::path file = temp.Write("custom.toml", "history_table = \"h\"\n");
  EXPECT_EQ(LoadConfigOrDefault(file).history_table, "h");
}

TEST(LoadConfigOrDefaultTest, FindsDbshiftTomlInWorkingFolder) {
  testing::ScopedTempDir temp;
  temp.Write("dbshift.toml", "history_table = \"found\"\n");
  const ScopedChdir chdir(temp.path());
  const Config config = LoadConfigOrDefault(std::nullopt);
  EXPECT_EQ(config.history_table, "found");
  EXPECT_EQ(config.file, fs::path("dbshift.toml"));
  EXPECT_EQ(config.dir, fs::path("migrations"));
}

TEST(LoadConfigOrDefaultTest, DefaultsWithoutFile) {
  testing::ScopedTempDir temp;
  const ScopedChdir chdir(temp.path());
  const Config config = LoadConfigOrDefault(std::nullopt);
  EXPECT_TRUE(config.file.empty());
  EXPECT_EQ(config.dir, fs::path("migrations"));
  EXPECT_EQ(config.history_table, "dbshift_history");
}

struct ResolveCase {
  std::string name;
  std::optional<std::string> url_flag;
  std::optional<std::string> env_flag;
  std::optional<std::string> database_url;
  std::optional<std::string> prod_url;
  std::string url;
  std::string origin;
};

void PrintTo(const ResolveCase& c, std::ostream* out) { *out << c.name; }

class ResolveUrlTest : public ::testing::TestWithParam<ResolveCase> {
 protected:
  static Config MakeConfig() {
    Config config;
    config.environments["dev"] = {"sqlite:./dev.db", ""};
    config.environments["prod"] = {"", "DBSHIFT_TEST_PROD_URL"};
    return config;
  }
};

TEST_P(ResolveUrlTest, FollowsResolutionOrder) {
  const ResolveCase& c = GetParam();
  const ScopedEnv database_url("DATABASE_URL", c.database_url);
  const ScopedEnv prod_url("DBSHIFT_TEST_PROD_URL", c.prod_url);
  const ResolvedUrl resolved = ResolveUrl(MakeConfig(), c.url_flag, c.env_flag);
  EXPECT_EQ(resolved.url, c.url);
  EXPECT_EQ(resolved.origin, c.origin);
}

const ResolveCase kResolveCases[] = {
    {"flag_wins", "sqlite:flag.db", "dev", "sqlite:env.db", std::nullopt, "sqlite:flag.db",
     "--url"},
    {"env_url", std::nullopt, "dev", "sqlite:env.db", std::nullopt, "sqlite:./dev.db", "--env dev"},
    {"env_var", std::nullopt, "prod", "sqlite:env.db", "postgres://p@h/d", "postgres://p@h/d",
     "--env prod"},
    {"database_url", std::nullopt, std::nullopt, "mysql://u@h/d", "ignored", "mysql://u@h/d",
     "DATABASE_URL"},
    {"empty_database_url", std::nullopt, std::nullopt, "", std::nullopt, "sqlite:./dbshift.db",
     "default"},
    {"default", std::nullopt, std::nullopt, std::nullopt, std::nullopt, "sqlite:./dbshift.db",
     "default"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ResolveUrlTest, ::testing::ValuesIn(kResolveCases),
                         [](const ::testing::TestParamInfo<ResolveCase>& param_info) {
                           return param_info.param.name;
                         });

TEST(ResolveUrlErrorTest, UnknownEnvironment) {
  Config config;
  config.file = "conf/dbshift.toml";
  config.environments["staging"] = {"sqlite:s.db", ""};
  config.environments["prod"] = {"sqlite:p.db", ""};
  try {
    ResolveUrl(config, std::nullopt, std::string("stagin"));
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("unknown environment \"stagin\" (did you mean \"staging\"?)"));
    EXPECT_THAT(error.what(), HasSubstr("conf/dbshift.toml defines prod, staging"));
  }
  EXPECT_THROW(ResolveUrl(Config{}, std::nullopt, std::string("dev")), ConfigError);
}

TEST(ResolveUrlErrorTest, UnsetVariableNamesEnvAndVariable) {
  const ScopedEnv unset("DBSHIFT_TEST_UNSET_URL", std::nullopt);
  Config config;
  config.environments["prod"] = {"", "DBSHIFT_TEST_UNSET_URL"};
  try {
    ResolveUrl(config, std::nullopt, std::string("prod"));
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("\"prod\""));
    EXPECT_THAT(error.what(), HasSubstr("DBSHIFT_TEST_UNSET_URL"));
  }
}

Config PlaceholderConfig() {
  Config config;
  config.placeholders = {{"schema", "app"}, {"owner", "app_owner"}, {"region", "eu"}};
  config.environments["prod"] = {"sqlite:p.db", "", {{"owner", "prod_owner"}}};
  config.environments["dev"] = {"sqlite:d.db", "", {}};
  return config;
}

TEST(ResolvePlaceholdersTest, FileValuesWithoutEnv) {
  const ScopedEnv owner("DBSHIFT_PLACEHOLDER_OWNER", std::nullopt);
  EXPECT_EQ(ResolvePlaceholders(PlaceholderConfig(), std::nullopt),
            (PlaceholderValues{{"schema", "app"}, {"owner", "app_owner"}, {"region", "eu"}}));
  EXPECT_EQ(ResolvePlaceholders(PlaceholderConfig(), std::string("dev")),
            ResolvePlaceholders(PlaceholderConfig(), std::nullopt));
}

TEST(ResolvePlaceholdersTest, EnvironmentTableOverridesTopLevel) {
  const ScopedEnv owner("DBSHIFT_PLACEHOLDER_OWNER", std::nullopt);
  EXPECT_EQ(ResolvePlaceholders(PlaceholderConfig(), std::string("prod")),
            (PlaceholderValues{{"schema", "app"}, {"owner", "prod_owner"}, {"region", "eu"}}));
}

TEST(ResolvePlaceholdersTest, VariablesWinOverTheFile) {
  const ScopedEnv owner("DBSHIFT_PLACEHOLDER_OWNER", "from_variable");
  const ScopedEnv extra("DBSHIFT_PLACEHOLDER_Extra_Name", "x");
  const PlaceholderValues values = ResolvePlaceholders(PlaceholderConfig(), std::string("prod"));
  EXPECT_EQ(values.at("owner"), "from_variable");
  EXPECT_EQ(values.at("extra_name"), "x");
  EXPECT_EQ(values.at("schema"), "app");
}

TEST(ResolvePlaceholdersTest, BadVariableNameIsAConfigError) {
  const ScopedEnv bad("DBSHIFT_PLACEHOLDER_A-B", "x");
  try {
    ResolvePlaceholders(PlaceholderConfig(), std::nullopt);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("DBSHIFT_PLACEHOLDER_A-B"));
  }
}

}  // namespace
}  // namespace dbshift

namespace dbshift {
namespace {

TEST(NamespaceConfigTest, ListedInOrderWithDefaults) {
  testing::ScopedTempDir dir;
  const auto path =
      dir.Write("dbshift.toml",
                "[[namespace]]\nname = \"zeta\"\n\n"
                "[[namespace]]\nname = \"alpha\"\ndir = \"sql/alpha\"\n"
                "history_table = \"alpha_history\"\nschema = \"alpha\"\nlayout = \"dbmate\"\n");
  const Config config = LoadConfig(path);
  ASSERT_EQ(config.namespaces.size(), 2u);
  EXPECT_EQ(config.namespaces[0].name, "zeta");
  EXPECT_EQ(config.namespaces[0].dir, dir.path() / "migrations" / "zeta");
  EXPECT_EQ(config.namespaces[0].history_table, "dbshift_history_zeta");
  EXPECT_FALSE(config.namespaces[0].layout.has_value());
  EXPECT_EQ(config.namespaces[1].name, "alpha");
  EXPECT_EQ(config.namespaces[1].dir, dir.path() / "sql" / "alpha");
  EXPECT_EQ(config.namespaces[1].history_table, "alpha_history");
  EXPECT_EQ(config.namespaces[1].schema, "alpha");
  EXPECT_EQ(config.namespaces[1].layout, Layout::kDbmate);
}

TEST(NamespaceConfigTest, MistakesNameTheLine) {
  const struct {
    std::string text;
    std::string message;
  } cases[] = {
      {"[[namespace]]\ndir = \"x\"\n", "[[namespace]] needs a name"},
      {"[[namespace]]\nname = \"Bad Name\"\n", "use a-z, 0-9, _ and -"},
      {"[[namespace]]\nname = \"a\"\n[[namespace]]\nname = \"a\"\n",
       "namespace \"a\" is listed twice"},
      {"[[namespace]]\nname = \"a\"\nhistory_table = \"h\"\n[[namespace]]\nname = \"b\"\n"
       "history_table = \"h\"\n",
       "share the history table h"},
      {"[[namespace]]\nname = \"a\"\nhistroy_table = \"h\"\n", "did you mean"},
      {"[namespace]\nname = \"a\"\n", "must be written as [[namespace]] tables"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    testing::ScopedTempDir dir;
    const auto path = dir.Write("dbshift.toml", c.text);
    try {
      LoadConfig(path);
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(c.message), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("dbshift.toml:"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace dbshift
