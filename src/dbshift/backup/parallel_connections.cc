#include "dbshift/backup/parallel_connections.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "dbshift/backup/postgres_catalog.h"

namespace dbshift::backup {
void RunOnConnections(const Url& url, const ParallelWork& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished;
  std::exception_ptr failure;
  int running = 0;

  const auto worker = [&] {
    try {
      postgres::Connection connection(url, kPostgresConnectTimeout);
      if (!work.session_sql.empty()) connection.Exec(work.session_sql);
      for (std::size_t item = next++; item < work.items && !stop; item = next++) {
        work.work(connection, item);
      }
    } catch (...) {
      const std::lock_guard<std::mutex> guard(mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
    const std::lock_guard<std::mutex> guard(mutex);
    --running;
    finished.notify_all();
  };

  const int threads = static_cast<int>(std::min<std::size_t>(
      static_cast<std::size_t>(std::max(1, work.jobs)), std::max<std::size_t>(work.items, 1)));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  {
    const std::lock_guard<std::mutex> guard(mutex);
    running = threads;
  }
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (running > 0) {
      if (finished.wait_for(lock, work.tick_interval, [&] { return running == 0; })) break;
      if (work.tick) {
        lock.unlock();
        work.tick();
        lock.lock();
      }
    }
  }
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace dbshift::backup
