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
  ServerDatabase(Driver& server, std::string name) : server_(server), name_(std::move(name)) {
    server_.Query(
        fmt::format("CREATE DATABASE {} TEMPLATE template0", server_.QuoteIdentifier(name_)));
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

class PostgresScratch : public ScratchDatabase {
 public:
  PostgresScratch(Driver& target, const Url& target_url, const DriverOptions& options)
      : database_(target, NewScratchName()),
        driver_(OpenDriver(target_url.WithDatabase(database_.name()), options)) {
    driver_->Query("SELECT pg_catalog.set_config('search_path', $1, false)", {SearchPath(target)});
  }
  ~PostgresScratch() override { Remove(); }

  Driver& driver() override { return *driver_; }
  std::string Remove() noexcept override {
    driver_.reset();
    return database_.Drop();
  }

 private:
  ServerDatabase database_;
  std::unique_ptr<Driver> driver_;
};

}  // namespace

std::unique_ptr<ScratchDatabase> CreateScratchDatabase(Driver& target, const Url& target_url,
                                                       const DriverOptions& options,
                                                       std::string_view command) {
  switch (target.dialect()) {
    case Dialect::kSqlite:
      return std::make_unique<SqliteScratch>(options, command);
    case Dialect::kPostgres:
      RequireCreatedb(target, command);
      return std::make_unique<PostgresScratch>(target, target_url, options);
    case Dialect::kMysql:
      break;
  }
  throw UsageError(
      fmt::format("{}: {} targets are not supported yet", command, DialectName(target.dialect())));
}

}  // namespace dbshift
