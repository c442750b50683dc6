#include "dbshift/log/run_log.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dbshift/common/error.h"

#include "testing/temp_dir.h"

namespace dbshift {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kRunId[] = "0123456789abcdef0123456789abcdef";

std::string UtcDateFolder() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return fmt::format("{:04}/{:02}/{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

TEST(RunLogTest, PathLayoutIsDateFoldersAndTimestampedFile) {
  testing::ScopedTempDir temp;
  const std::string before = UtcDateFolder();
  const RunLog log(temp.path() / "logs", kRunId);
  const std::string after = UtcDateFolder();

  const fs::path relative = fs::relative(log.path(), temp.path() / "logs");
  const std::regex layout(R"((\d{4})/(\d{2})/(\d{2})/(\d{4})(\d{2})(\d{2})T\d{6}Z-)" +
                          std::string(kRunId) + R"(\.jsonl)");
  std::smatch match;
  const std::string text = relative.string();
  ASSERT_TRUE(std::regex_match(text, match, layout)) << text;
  // The folder date and the file name's date are the same UTC day.
  EXPECT_EQ(match[1], match[4]);
  EXPECT_EQ(match[2], match[5]);
  EXPECT_EQ(match[3], match[6]);
  const std::string folder =
      fmt::format("{}/{}/{}", match[1].str(), match[2].str(), match[3].str());
  EXPECT_TRUE(folder == before || folder == after) << folder;
  EXPECT_TRUE(fs::is_regular_file(log.path()));
  EXPECT_EQ(testing::ReadFile(log.path()), "");

  struct stat info {};
  ASSERT_EQ(stat(log.path().c_str(), &info), 0);
  // 0640 at most (the umask may remove more), never readable by others.
  EXPECT_EQ(info.st_mode & 0777 & ~0640, 0u);
}

TEST(RunLogTest, OneValidJsonLinePerEventAndNothingElse) {
  testing::ScopedTempDir temp;
  RunLog log(temp.path(), kRunId);

  std::vector<Event> events(4);
  events[0].type = Event::Type::kRunStarted;
  events[0].run_id = kRunId;
  events[0].target = "sqlite:./app.db";
  events[1].type = Event::Type::kStatementFinished;
  events[1].statement = "CREATE TABLE t (\n  id int\n)";  // newlines stay inside the line
  events[1].ddl = true;
  events[1].duration = std::chrono::microseconds(2500);
  events[2].type = Event::Type::kMessage;
  events[2].message = "not UTF-8: \xff\xfe";
  events[3].type = Event::Type::kRunFinished;
  events[3].applied_count = 1;
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].time = fmt::format("2026-11-21T09:30:0{}.000Z", i);
    log.OnEvent(events[i]);
    // Flushed as written: a reader sees the line while the log is open.
    EXPECT_EQ(Lines(testing::ReadFile(log.path())).size(), i + 1);
  }

  const std::string content = testing::ReadFile(log.path());
  ASSERT_FALSE(content.empty());
  EXPECT_EQ(content.back(), '\n');
  const std::vector<std::string> lines = Lines(content);
  ASSERT_EQ(lines.size(), events.size());
  const char* names[] = {"run_started", "statement_finished", "message", "run_finished"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    ASSERT_FALSE(lines[i].empty());
    const nlohmann::json parsed = nlohmann::json::parse(lines[i]);  // throws if not valid
    EXPECT_EQ(parsed["event"], names[i]);
    EXPECT_EQ(parsed["time"], events[i].time);
  }
  const nlohmann::json statement = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(statement["statement"], "CREATE TABLE t (\n  id int\n)");
  EXPECT_EQ(statement["ddl"], true);
  EXPECT_EQ(statement["duration_ms"], 2.5);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["target"], "sqlite:./app.db");
  EXPECT_THAT(nlohmann::json::parse(lines[2])["message"].get<std::string>(),
              HasSubstr("not UTF-8: "));
  EXPECT_EQ(nlohmann::json::parse(lines[3])["applied_count"], 1);
}

TEST(RunLogTest, NeverReusesAnExistingFile) {
  testing::ScopedTempDir temp;
  const RunLog first(temp.path(), kRunId);
  const std::string before = testing::ReadFile(first.path());
  // Same run id: within the same second the name collides and O_EXCL refuses.
  try {
    const RunLog second(temp.path(), kRunId);
    // The clock ticked over to the next second: a different file.
    EXPECT_NE(second.path(), first.path());
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr(first.path().string()));
  }
  EXPECT_EQ(testing::ReadFile(first.path()), before);
}

TEST(RunLogTest, UncreatableFolderNamesThePath) {
  testing::ScopedTempDir temp;
  const fs::path blocker = temp.Write("not-a-folder", "x");
  try {
    const RunLog log(blocker / "logs", kRunId);
    FAIL() << "created " << log.path();
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr((blocker / "logs").string()));
    EXPECT_EQ(error.code(), ExitCode::kUsage);
  }
}

}  // namespace
}  // namespace dbshift
