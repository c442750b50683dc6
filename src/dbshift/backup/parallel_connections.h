#pragma once

// Tables are copied in and out of PostgreSQL several at a time, each
// connection of its own moving one table: the server spends one process
// per connection, so N connections use N cores where pg_dump -j does.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "dbshift/common/url.h"
#include "dbshift/driver/postgres/connection.h"

namespace dbshift::backup {

struct ParallelWork {
  int jobs = 1;  ///< connections (at most `items` are opened)
  std::size_t items = 0;
  /// Run once on each connection when it is opened (a snapshot to join).
  std::string session_sql;
  /// Called for each item exactly once, from a worker thread; items start
  /// in index order, so put the biggest first.
  std::function<void(postgres::Connection&, std::size_t item)> work;
  /// Called on the calling thread about every `tick_interval` while the
  /// work runs (progress reports). May be empty; must not throw.
  std::function<void()> tick;
  std::chrono::milliseconds tick_interval{200};
};

/// Runs `work` on `jobs` connections to `url`. When an item throws, the
/// others stop after their current item and the first exception is thrown
/// here, after every thread has ended.
void RunOnConnections(const Url& url, const ParallelWork& work);

}  // namespace dbshift::backup
