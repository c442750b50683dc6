#include "dbshift/exec/scratch_database.h"

#include <optional>
#include <random>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/exec/scratch_folder.h"

namespace dbshift {
namespace {

class SqliteScratch : public ScratchDatabase {
 public:
  SqliteScratch(const DriverOptions& options, std::string_view command)
      : folder_(std::in_place, command) {
    const std::filesystem::path file = folder_->path() / "scratch.db";
    driver_ = OpenDriver(Url::Parse("sqlite:" + file.string()), options);
  }
  ~SqliteScratch() override { Remove(); }

  Driver& driver() override { return *driver_; }
  std::string Remove() noexcept override {
    driver_.reset();
    folder_.reset();
    return "";
  }

 private:
  std::optional<ScratchFolder> folder_;
  std::unique_ptr<Driver> driver_;
};

// The database on the server: created in the constructor, dropped by Drop()
// or the destructor. A member of its own so that it is dropped even when
// the constructor of the object holding it fails after creating it.
class ServerDatabase {
 public:
  ServerDatabase(Driver& server, std::string name, std::string_view template_database)
      : server_(server), name_(std::move(name)) {
    server_.Query(fmt::format("CREATE DATABASE {} TEMPLATE {}", server_.QuoteIdentifier(name_),
                              server_.QuoteIdentifier(template_database)));
  }
  ~ServerDatabase() { Drop(); }
  ServerDatabase(const ServerDatabase&) = delete;
  ServerDatabase& operator=(const ServerDatabase&) = delete;

  const std::string& name() const { return name_; }

  std::string Drop() noexcept {
    if (dropped_) return "";
    dropped_ = true;
    try {
      // FORCE: a session left connected to it (the lock connection of a
      // driver that failed half-way) must not keep it alive.
      server_.Query(
          fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", server_.QuoteIdentifier(name_)));
      return "";
    } catch (const Error& error) {
      return fmt::format("the scratch database {} could not be dropped ({}); drop it by hand",
                         name_, error.what());
    }
  }

 private:
  Driver& server_;
  std::string name_;
  bool dropped_ = false;
};

std::string NewScratchName() {
  std::random_device random;
  return fmt::format("dbshift_scratch_{}_{:08x}", ::getpid(), random());
}

void RequireCreatedb(Driver& target, std::string_view command) {
  const QueryRows rows = target.Query(
      "SELECT r.rolcreatedb OR r.rolsuper, current_user FROM pg_catalog.pg_roles r"
      " WHERE r.rolname = current_user");
  if (!rows.empty() && rows.front().at(0) == "t") return;
  const std::string role = rows.empty() ? "the current role" : rows.front().at(1).value_or("");
  throw UsageError(fmt::format(
      "{}: the role {} may not create databases, and {} builds the migrations' schema in a "
      "scratch database on the target's server; grant it CREATEDB (ALTER ROLE {} CREATEDB) or "
      "connect as a role that has it",
      command, role, command, role));
}

std::string SearchPath(Driver& driver) {
  const QueryRows rows = driver.Query("SELECT pg_catalog.current_setting('search_path')");
  return rows.empty() ? "" : rows.front().at(0).value_or("");
}

// `server` runs CREATE and DROP DATABASE; `owned_server` is it when the
// scratch database owns that session (a copy of the target, made from
// another database on the server), null when the caller's is used.
class PostgresScratch : public ScratchDatabase {
 public:
  PostgresScratch(std::unique_ptr<Driver> owned_server, Driver& server,
                  std::string_view template_database, const Url& target_url,
                  const DriverOptions& options, const std::string& search_path)
      : owned_server_(std::move(owned_server)),
        database_(server, NewScratchName(), template_database),
        driver_(OpenDriver(target_url.WithDatabase(database_.name()), options)) {
    driver_->Query("SELECT pg_catalog.set_config('search_path', $1, false)", {search_path});
  }
  ~PostgresScratch() override { Remove(); }

  Driver& driver() override { return *driver_; }
  std::string Remove() noexcept override {
    driver_.reset();
    return database_.Drop();
  }

 private:
  std::unique_ptr<Driver> owned_server_;  // first: it outlives the database
  ServerDatabase database_;
  std::unique_ptr<Driver> driver_;
};

// A session on the target's server that is not on the target (whose
// database is `target_database`): on the database every cluster has
// ("postgres"), else on template1.
std::unique_ptr<Driver> ConnectBesideTarget(const Url& target_url, const DriverOptions& options,
                                            const std::string& target_database) {
  if (target_database != "postgres") {
    try {
      return OpenDriver(target_url.WithDatabase("postgres"), options);
    } catch (const ConnectError&) {
      // No "postgres" database, or not ours to connect to.
    }
  }
  return OpenDriver(target_url.WithDatabase("template1"), options);
}

// Sessions on the target's database other than this one. Autovacuum
// workers do not count: CREATE DATABASE stops them itself.
int64_t OtherSessions(Driver& target) {
  const QueryRows rows = target.Query(
      "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
      "AND pid <> pg_catalog.pg_backend_pid() AND backend_type <> 'autovacuum worker'");
  return rows.empty() ? 0 : std::stoll(rows.front().at(0).value_or("0"));
}

bool IsInUseOrNotAllowed(const SqlError& error) {
  // 55006: "source database is being accessed by other users";
  // 42501: the role may not create databases or copy this one.
  return error.context().sqlstate == "55006" || error.context().sqlstate == "42501";
}

}  // namespace

std::unique_ptr<ScratchDatabase> CreateScratchDatabase(Driver& target, const Url& target_url,
                                                       const DriverOptions& options,
                                                       std::string_view command) {
  switch (target.dialect()) {
    case Dialect::kSqlite:
      return std::make_unique<SqliteScratch>(options, command);
    case Dialect::kPostgres:
      RequireCreatedb(target, command);
      return std::make_unique<PostgresScratch>(nullptr, target, "template0", target_url, options,
                                               SearchPath(target));
    case Dialect::kMysql:
      break;
  }
  throw UsageError(
      fmt::format("{}: {} targets are not supported yet", command, DialectName(target.dialect())));
}

TemplateCopy CopyByTemplate(std::unique_ptr<Driver>& target, const Url& target_url,
                            const DriverOptions& options, const Reconnect& reconnect) {
  TemplateCopy copy;
  if (const int64_t others = OtherSessions(*target); others > 0) {
    copy.why_not = fmt::format("{} other session{} connected to the target", others,
                               others == 1 ? " is" : "s are");
    copy.target_in_use = true;
    return copy;
  }
  const std::string database = target->Query("SELECT current_database()").at(0).at(0).value_or("");
  const std::string search_path = SearchPath(*target);
  std::unique_ptr<Driver> server;
  try {
    server = ConnectBesideTarget(target_url, options, database);
  } catch (const ConnectError& error) {
    copy.why_not = fmt::format("no session could be opened beside the target ({})", error.what());
    return copy;
  }
  target.reset();  // the server copies a database no session is connected to
  try {
    Driver& session = *server;
    copy.copy = std::make_unique<PostgresScratch>(std::move(server), session, database, target_url,
                                                  options, search_path);
  } catch (const SqlError& error) {
    target = reconnect();
    if (!IsInUseOrNotAllowed(error)) throw;
    copy.target_in_use = error.context().sqlstate == "55006";
    copy.why_not = fmt::format("the server would not copy the target ({})", error.what());
  } catch (...) {
    target = reconnect();
    throw;
  }
  return copy;
}

}  // namespace dbshift
