// The migration lock of the MySQL driver: GET_LOCK on a connection of its
// own. The server releases a named lock when the connection that holds it
// ends, including when the process is killed.

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/sha256.h"
#include "dbshift/common/system_info.h"
#include "dbshift/driver/lost_lock.h"
#include "dbshift/driver/mysql/mysql_driver.h"

namespace dbshift::mysql {
namespace {

// The server refuses longer lock names.
constexpr std::size_t kMaxLockName = 64;
constexpr std::string_view kLockPrefix = "dbshift:";
constexpr std::string_view kHolderAttribute = "dbshift_holder";

}  // namespace

std::string LockName(std::string_view database, std::string_view table) {
  std::string name = fmt::format("{}{}.{}", kLockPrefix, database, table);
  if (name.size() <= kMaxLockName) return name;
  // Stable across versions and hosts: every runner must compute the same name.
  return std::string(kLockPrefix) + Sha256Hex(name).substr(0, kMaxLockName - kLockPrefix.size());
}

void MysqlDriver::ForgetLockConnectionIfClosed() {
  if (lock_conn_ == nullptr || !lock_conn_->ClosedByServer()) return;
  // The server released whatever this connection held when it died; the
  // next CheckLockStillHeld reports it.
  if (lock_held_) lock_lost_ = true;
  lock_conn_.reset();
  lock_held_ = false;
}

Connection& MysqlDriver::LockConnection() {
  ForgetLockConnectionIfClosed();
  if (lock_conn_ == nullptr) {
    // Announced as a connection attribute: other sessions cannot see a
    // session's variables, but they can read its attributes (when the
    // server runs performance_schema), which name the process.
    const ConnectAttributes attributes = {
        {std::string(kHolderAttribute),
         fmt::format("{}@{} pid {}", OsUser(), HostName(), ProcessId())}};
    lock_conn_ = std::make_unique<Connection>(url_, options_.connect_timeout, attributes);
    // The connection idles for the whole run: the server's wait_timeout
    // (often minutes on managed servers) would end it and drop the lock.
    // 31536000 s is the largest the server accepts.
    lock_conn_->Exec("SET SESSION wait_timeout = 31536000");
  }
  return *lock_conn_;
}

bool MysqlDriver::TryLock() {
  Connection& conn = LockConnection();
  // A session may take the same named lock twice and must then release it
  // twice; holding it once keeps Unlock simple.
  if (lock_held_) return true;
  const QueryRows result =
      conn.Query(fmt::format("SELECT GET_LOCK({}, 0)", conn.Literal(lock_name_)));
  lock_held_ = !result.empty() && result[0][0].value_or("0") == "1";
  if (lock_held_) lock_lost_ = false;
  return lock_held_;
}

void MysqlDriver::Unlock() noexcept {
  lock_lost_ = false;
  if (!lock_held_) return;
  lock_held_ = false;
  if (lock_conn_ == nullptr || lock_conn_->Broken()) return;
  try {
    lock_conn_->Exec(fmt::format("DO RELEASE_LOCK({})", lock_conn_->Literal(lock_name_)));
  } catch (...) {
    // Closing the connection releases it for sure.
    lock_conn_.reset();
  }
}

void MysqlDriver::CheckLockStillHeld() {
  if (lock_held_) ForgetLockConnectionIfClosed();
  if (!lock_lost_) return;
  // The server released GET_LOCK with the connection: another runner may
  // hold it now and be applying the same migrations.
  lock_lost_ = false;
  ThrowLostLock(url_.Redacted(), "wait_timeout, KILL or a restart");
}

std::optional<LockHolder> MysqlDriver::LockStatus() {
  Connection& conn = LockConnection();
  const std::string name = conn.Literal(lock_name_);
  const QueryRows used = conn.Query(fmt::format("SELECT IS_USED_LOCK({})", name));
  if (used.empty() || !used[0][0]) return std::nullopt;
  const std::string& id = *used[0][0];
  // The holder's lock connection runs nothing after GET_LOCK, so the time
  // its PROCESSLIST row has been idle is the time it has held the lock.
  const QueryRows process = conn.Query(
      fmt::format("SELECT user, host, DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL time SECOND,"
                  " '%Y-%m-%dT%H:%i:%sZ') FROM information_schema.processlist WHERE id = {}",
                  id));
  QueryRows announced;
  try {
    announced =
        conn.Query(fmt::format("SELECT attr_value FROM performance_schema.session_connect_attrs"
                               " WHERE processlist_id = {} AND attr_name = {}",
                               id, conn.Literal(kHolderAttribute)));
  } catch (const SqlError&) {
    // No performance_schema, or no right to read it: the processlist must do.
  }
  LockHolder holder;
  if (!announced.empty() && announced[0][0]) {
    holder.who = *announced[0][0];
  } else if (!process.empty()) {
    holder.who = fmt::format("{}@{}", process[0][0].value_or("?"), process[0][1].value_or("?"));
  }
  holder.who += (holder.who.empty() ? "" : ", ") + fmt::format("connection {}", id);
  if (!process.empty()) holder.since = process[0][2].value_or("");
  holder.who = url_.Scrub(holder.who);
  return holder;
}

}  // namespace dbshift::mysql
