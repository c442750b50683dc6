// The migration lock of the PostgreSQL driver: a session-level advisory lock
// on a connection of its own, which the server releases when that
// connection ends, including when the process is killed.

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/common/system_info.h"
#include "dbshift/driver/lost_lock.h"
#include "dbshift/driver/postgres/libpq.h"
#include "dbshift/driver/postgres/postgres_driver.h"

namespace dbshift::postgres {
namespace {

constexpr std::string_view kAnnouncePrefix = "dbshift ";
constexpr std::string_view kSinceMarker = " since ";
// The server keeps NAMEDATALEN - 1 bytes of application_name.
constexpr std::size_t kMaxApplicationName = 63;

// "dbshift <user>@<host> pid <pid> since <iso>", fitted into 63 bytes by
// shortening user@host, so the pid and the time survive for LockStatus.
std::string Announcement() {
  std::string who = OsUser() + "@" + HostName();
  // The server turns anything but printable ASCII into '?' (or escapes it,
  // which makes it longer); do it here so the length is known.
  for (char& c : who) {
    if (c < 32 || c > 126) c = '?';
  }
  // Whole seconds are enough for a human and leave user@host 4 more bytes.
  std::string since = NowUtcIso8601();
  if (since.size() == 24 && since[19] == '.') since.erase(19, 4);
  const std::string tail = fmt::format(" pid {}{}{}", ProcessId(), kSinceMarker, since);
  const std::size_t room = kMaxApplicationName - kAnnouncePrefix.size() - tail.size();
  if (who.size() > room) who.resize(room);
  return std::string(kAnnouncePrefix) + who + tail;
}

}  // namespace

int64_t AdvisoryLockKey(std::string_view schema, std::string_view table) {
  // FNV-1a 64: tiny, stable, and defined by its constants, unlike std::hash.
  uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](std::string_view text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix("dbshift:");
  mix(schema);
  mix(".");
  mix(table);
  return static_cast<int64_t>(hash);  // modular since C++20
}

void PostgresDriver::ForgetLockConnectionIfClosed() {
  if (lock_conn_ == nullptr || !lock_conn_->ClosedByServer()) return;
  // The server released whatever this connection held when it died; the
  // next CheckLockStillHeld reports it.
  if (lock_held_) lock_lost_ = true;
  lock_conn_.reset();
  lock_held_ = false;
}

Connection& PostgresDriver::LockConnection() {
  ForgetLockConnectionIfClosed();
  if (lock_conn_ == nullptr) {
    lock_conn_ = std::make_unique<Connection>(url_, options_.connect_timeout);
  }
  return *lock_conn_;
}

bool PostgresDriver::TryLock() {
  Connection& conn = LockConnection();
  // Session advisory locks stack: taking it twice would need two unlocks.
  if (lock_held_) return true;
  // One round trip: the name is set only when the lock was acquired, so the
  // holder announces itself from the moment it holds the lock.
  PgResultPtr result = conn.ExecParams(
      "SELECT CASE WHEN pg_catalog.pg_try_advisory_lock($1::bigint)"
      " THEN pg_catalog.set_config('application_name', $2, false) IS NOT NULL"
      " ELSE false END",
      {std::to_string(lock_key_), Announcement()});
  lock_held_ = std::string_view(Libpq().PQgetvalue(result.get(), 0, 0)) == "t";
  if (lock_held_) lock_lost_ = false;
  return lock_held_;
}

void PostgresDriver::Unlock() noexcept {
  lock_lost_ = false;
  if (!lock_held_) return;
  lock_held_ = false;
  if (lock_conn_ == nullptr || lock_conn_->Broken()) return;
  try {
    // A failure leaves the lock to the server, which drops it with the
    // connection at the latest.
    lock_conn_->ExecParams(
        "SELECT pg_catalog.pg_advisory_unlock($1::bigint),"
        " pg_catalog.set_config('application_name', 'dbshift', false)",
        {std::to_string(lock_key_)});
  } catch (...) {
    lock_conn_.reset();
  }
}

void PostgresDriver::CheckLockStillHeld() {
  if (lock_held_) ForgetLockConnectionIfClosed();
  if (!lock_lost_) return;
  // The server dropped the advisory lock with the connection: another runner
  // may hold it now and be applying the same migrations.
  lock_lost_ = false;
  ThrowLostLock(url_.Redacted(), "idle-session timeout, pg_terminate_backend or a restart");
}

std::optional<LockHolder> PostgresDriver::LockStatus() {
  // A bigint advisory key shows in pg_locks as classid = high 32 bits,
  // objid = low 32 bits, objsubid = 1, in the current database only.
  const auto key = static_cast<uint64_t>(lock_key_);
  PgResultPtr result = LockConnection().ExecParams(
      "SELECT l.pid, a.application_name, host(a.client_addr)"
      " FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
      " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
      " AND l.classid = $1::oid AND l.objid = $2::oid"
      " AND l.database = (SELECT oid FROM pg_catalog.pg_database"
      " WHERE datname = pg_catalog.current_database())"
      " LIMIT 1",
      {std::to_string(key >> 32), std::to_string(key & 0xffffffffULL)});
  if (Libpq().PQntuples(result.get()) == 0) return std::nullopt;

  const std::string pid = Libpq().PQgetvalue(result.get(), 0, 0);
  const std::string_view name = Libpq().PQgetvalue(result.get(), 0, 1);
  LockHolder holder;
  if (name.starts_with(kAnnouncePrefix)) {
    std::string_view rest = name.substr(kAnnouncePrefix.size());
    const std::size_t since = rest.rfind(kSinceMarker);
    if (since != std::string_view::npos) {
      holder.since = std::string(rest.substr(since + kSinceMarker.size()));
      rest = rest.substr(0, since);
    }
    holder.who = std::string(rest);
  } else {
    // Not announced (another tool, or a dbshift that died mid-way through
    // announcing): the server still knows the backend and the client address.
    holder.who = "pid " + pid;
    if (!Libpq().PQgetisnull(result.get(), 0, 2)) {
      holder.who += fmt::format(" from {}", Libpq().PQgetvalue(result.get(), 0, 2));
    }
  }
  holder.who = url_.Scrub(holder.who);
  return holder;
}

}  // namespace dbshift::postgres
