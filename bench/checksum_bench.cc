// ScriptChecksum on a typical ~300-byte migration and on a 1 MB script, with
// LF line ends (hashed in place) and CRLF (folded to LF first).
//
//   build-bench/bench/checksum_bench

#include <cstddef>
#include <string>

#include <benchmark/benchmark.h>

#include "dbshift/source/checksum.h"

namespace dbshift {
namespace {

constexpr std::size_t kTypicalBytes = 300;
constexpr std::size_t kLargeBytes = 1 << 20;

// Migration-shaped text of exactly `bytes` bytes, lines ending in `eol`.
std::string Script(std::size_t bytes, const std::string& eol) {
  const std::string lines[] = {
      "CREATE TABLE t_000001 (",
      "  id bigserial PRIMARY KEY,",
      "  name text NOT NULL,",
      "  created_at timestamptz NOT NULL DEFAULT now()",
      ");",
      "CREATE INDEX t_000001_name_idx ON t_000001 (name);",
      "ALTER TABLE t_000001 ADD COLUMN note text;",
  };
  std::string script;
  script.reserve(bytes + 64);
  for (std::size_t i = 0; script.size() < bytes; ++i) script += lines[i % 7] + eol;
  script.resize(bytes);
  return script;
}

void BM_ScriptChecksum(benchmark::State& state, std::size_t bytes, const char* eol) {
  const std::string script = Script(bytes, eol);
  for (auto _ : state) {
    std::string checksum = ScriptChecksum(script);
    benchmark::DoNotOptimize(checksum.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * script.size()));
}

BENCHMARK_CAPTURE(BM_ScriptChecksum, Typical300B_LF, kTypicalBytes, "\n");
BENCHMARK_CAPTURE(BM_ScriptChecksum, Typical300B_CRLF, kTypicalBytes, "\r\n");
BENCHMARK_CAPTURE(BM_ScriptChecksum, Large1MB_LF, kLargeBytes, "\n")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ScriptChecksum, Large1MB_CRLF, kLargeBytes, "\r\n")
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dbshift

BENCHMARK_MAIN();
