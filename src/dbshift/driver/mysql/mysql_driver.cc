#include "dbshift/driver/mysql/mysql_driver.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <climits>
#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {

std::unique_ptr<Driver> OpenMysqlDriver(const Url& url, const DriverOptions& options) {
  return std::make_unique<mysql::MysqlDriver>(url, options);
}

namespace mysql {
namespace {

// The server takes whole seconds for the lock waits: round up, so that a
// limit below a second is not turned into "none".
int64_t WholeSeconds(std::chrono::milliseconds timeout) {
  return std::clamp<int64_t>((timeout.count() + 999) / 1000, 1, INT_MAX);
}

}  // namespace

MysqlDriver::MysqlDriver(const Url& url, const DriverOptions& options)
    : url_(url), options_(options), conn_(url, options.connect_timeout) {
  server_info_ = conn_.ServerInfo();
  mariadb_ = server_info_.find("MariaDB") != std::string::npos;
  lock_name_ = LockName(url_.database(), options_.history_table);
}

MysqlDriver::~MysqlDriver() { Unlock(); }

std::string MysqlDriver::ServerVersion() {
  // Debian's "10.11.19-MariaDB-0+deb12u1": keep up to the engine's name.
  const std::size_t engine = server_info_.find("-MariaDB");
  if (engine != std::string::npos) return server_info_.substr(0, engine + 8);
  return server_info_.substr(0, server_info_.find('-'));
}

Capabilities MysqlDriver::capabilities() const {
  Capabilities capabilities;
  capabilities.transactional_ddl = false;
  capabilities.lock_timeout = true;
  capabilities.statement_timeout = true;
  return capabilities;
}

std::string MysqlDriver::Target() const { return url_.Redacted(); }

void MysqlDriver::SetLockTimeout(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) {
    conn_.Exec("SET SESSION lock_wait_timeout = DEFAULT, innodb_lock_wait_timeout = DEFAULT");
    return;
  }
  const int64_t seconds = WholeSeconds(timeout);
  conn_.Exec(
      fmt::format("SET SESSION lock_wait_timeout = {0}, innodb_lock_wait_timeout = {0}", seconds));
}

void MysqlDriver::SetStatementTimeout(std::chrono::milliseconds timeout) {
  const int64_t ms = std::clamp<int64_t>(timeout.count(), 0, INT_MAX);
  if (mariadb_) {
    // Seconds with a fraction; 0 is no limit.
    conn_.Exec(fmt::format("SET SESSION max_statement_time = {}.{:03}", ms / 1000, ms % 1000));
  } else {
    conn_.Exec(fmt::format("SET SESSION max_execution_time = {}", ms));
  }
}

void MysqlDriver::Begin() { conn_.Exec("START TRANSACTION"); }

void MysqlDriver::Commit() { conn_.Exec("COMMIT"); }

void MysqlDriver::Rollback() noexcept {
  if (conn_.Broken()) return;
  try {
    conn_.Exec("ROLLBACK");
  } catch (...) {
    // Reported by the next call, as the interface promises.
  }
}

void MysqlDriver::Execute(const Statement& statement) { conn_.Exec(statement.text); }

std::string MysqlDriver::QuoteIdentifier(std::string_view name) const {
  std::string quoted = "`";
  for (char c : name) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  quoted += '`';
  return quoted;
}

std::string MysqlDriver::Bind(const std::string& sql, const QueryParams& params) {
  std::string bound;
  bound.reserve(sql.size());
  bool in_string = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') in_string = !in_string;
    if (in_string || c != '$' || i + 1 >= sql.size() ||
        !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      bound += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
    const std::size_t index = std::stoul(sql.substr(i + 1, end - i - 1));
    if (index == 0 || index > params.size()) {
      throw InternalError(fmt::format("query parameter ${} has no value", index));
    }
    const std::optional<std::string>& value = params[index - 1];
    bound += value ? conn_.Literal(*value) : "NULL";
    i = end - 1;
  }
  return bound;
}

QueryRows MysqlDriver::Query(const std::string& sql, const QueryParams& params) {
  return conn_.Query(Bind(sql, params));
}

}  // namespace mysql
}  // namespace dbshift
