// LoadMigrations on N generated native-layout files (V<i>__create_t_<i>.sql,
// ~300 bytes each, as bench/peers/run.sh writes them) in a temporary folder:
// listing, name parsing, reading, checksumming, directive parsing, sorting.
// The files are written once per N and stay in the page cache, so this is
// the warm-cache cost that `status` and `up` pay at every start.
//
//   build-bench/bench/loader_bench

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "dbshift/source/loader.h"
#include "dbshift/source/migration.h"

namespace dbshift {
namespace {

namespace fs = std::filesystem;

// One temporary folder per file count, removed at exit.
class Folders {
 public:
  ~Folders() {
    std::error_code ignored;
    if (!root_.empty()) fs::remove_all(root_, ignored);
  }

  const fs::path& Get(int count) {
    auto found = by_count_.find(count);
    if (found != by_count_.end()) return found->second;
    if (root_.empty()) {
      std::string pattern = (fs::temp_directory_path() / "dbshift-loader-bench-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) std::abort();
      root_ = pattern;
    }
    fs::path dir = root_ / std::to_string(count);
    fs::create_directories(dir);
    for (int i = 1; i <= count; ++i) {
      std::string name = fmt::format("V{}__create_t_{:06}.sql", i, i);
      std::FILE* file = std::fopen((dir / name).c_str(), "wb");
      if (file == nullptr) std::abort();
      fmt::print(file,
                 "CREATE TABLE t_{0:06} (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n"
                 "  created_at timestamptz NOT NULL DEFAULT now()\n);\n"
                 "CREATE INDEX t_{0:06}_name_idx ON t_{0:06} (name);\n"
                 "ALTER TABLE t_{0:06} ADD COLUMN note text;\n",
                 i);
      std::fclose(file);
    }
    return by_count_.emplace(count, dir).first->second;
  }

 private:
  fs::path root_;
  std::map<int, fs::path> by_count_;
};

Folders& TheFolders() {
  static Folders folders;
  return folders;
}

void BM_LoadMigrations(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const fs::path& dir = TheFolders().Get(count);
  for (auto _ : state) {
    MigrationSet set = LoadMigrations(dir);
    if (set.versioned.size() != static_cast<std::size_t>(count)) {
      state.SkipWithError("wrong number of migrations");
      break;
    }
    benchmark::DoNotOptimize(set.versioned.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_LoadMigrations)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace dbshift

BENCHMARK_MAIN();
