#include "dbshift/source/loader.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <compare>
#include <cstring>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/source/checksum.h"
#include "dbshift/source/dbmate_sections.h"
#include "dbshift/source/directives.h"
#include "dbshift/source/folder_scan.h"
#include "dbshift/source/layout.h"

namespace fs = std::filesystem;

namespace dbshift {
namespace {

using internal::FileDescriptor;
using internal::SqlFile;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// Below this many files, starting threads costs more than it saves.
constexpr std::size_t kParallelThreshold = 64;
constexpr unsigned kMaxReaderThreads = 4;
// Work is handed out in chunks so that one slow file does not idle the others.
constexpr std::size_t kChunkSize = 32;
// A mixed folder can hold thousands of files; the message names a few.
constexpr std::size_t kMaxNamesPerLayout = 5;
constexpr std::size_t kLayoutCount = 4;

struct Problem {
  std::string message;
  std::string file;
  int line = 0;
};

// Names files the way the user wrote the folder ("migrations/V1__x.sql"), so
// that messages point at something they can open. Built per message only:
// normalising 10,000 paths up front would cost more than reading the files.
class FileNamer {
 public:
  explicit FileNamer(const fs::path& dir) {
    prefix_ = dir.lexically_normal().generic_string();
    if (prefix_ == ".") {
      prefix_.clear();
    } else if (!prefix_.empty() && !prefix_.ends_with('/')) {
      prefix_ += '/';
    }
  }

  std::string Name(std::string_view script) const { return prefix_ + std::string(script); }

 private:
  std::string prefix_;
};

std::size_t Index(Layout layout) { return static_cast<std::size_t>(layout); }

// The layout all recognised files share (native when none is recognised), or
// the text of a problem naming the files of each layout when they are mixed.
struct LayoutVerdict {
  std::optional<Layout> layout;
  std::string mixture;
};

// The layouts one file name fits, one bit per Layout: a vector per file
// would cost an allocation for each of 10,000 files.
using LayoutSet = unsigned;

LayoutSet Bit(std::size_t layout) { return 1u << layout; }

LayoutSet ToSet(const std::vector<Layout>& layouts) {
  LayoutSet set = 0;
  for (Layout layout : layouts) set |= Bit(Index(layout));
  return set;
}

std::string DescribeMixture(const std::vector<SqlFile>& files,
                            const std::vector<LayoutSet>& matches,
                            const std::array<std::size_t, kLayoutCount>& counts,
                            const FileNamer& namer) {
  // Each file is listed under the most widespread layout it fits, so that a
  // dialect-neutral popx file ("1_x.up.sql") appears beside the popx files.
  std::array<std::vector<std::size_t>, kLayoutCount> members;
  for (std::size_t f = 0; f < files.size(); ++f) {
    if (matches[f] == 0) continue;
    std::size_t best = kLayoutCount;
    for (std::size_t l = 0; l < kLayoutCount; ++l) {
      if ((matches[f] & Bit(l)) != 0 && (best == kLayoutCount || counts[l] > counts[best])) {
        best = l;
      }
    }
    members[best].push_back(f);
  }
  std::string text = "files of more than one layout are mixed in one folder:";
  const char* separator = " ";
  for (std::size_t l = 0; l < kLayoutCount; ++l) {
    if (members[l].empty()) continue;
    text += fmt::format("{}{} (", separator, LayoutName(static_cast<Layout>(l)));
    separator = "; ";
    for (std::size_t n = 0; n < members[l].size() && n < kMaxNamesPerLayout; ++n) {
      text += fmt::format("{}{}", n == 0 ? "" : ", ", namer.Name(files[members[l][n]].script));
    }
    if (members[l].size() > kMaxNamesPerLayout) {
      text += fmt::format(" and {} more", members[l].size() - kMaxNamesPerLayout);
    }
    text += ')';
  }
  return text;
}

LayoutVerdict DecideLayout(const std::vector<SqlFile>& files, const std::vector<LayoutSet>& matches,
                           const FileNamer& namer) {
  std::array<std::size_t, kLayoutCount> counts{};
  LayoutSet common = ~0u;
  bool any = false;
  for (LayoutSet layouts : matches) {
    if (layouts == 0) continue;
    any = true;
    common &= layouts;
    for (std::size_t l = 0; l < kLayoutCount; ++l) {
      if ((layouts & Bit(l)) != 0) ++counts[l];
    }
  }
  if (!any) return {Layout::kNative, {}};
  // Several common layouts happen only for dialect-neutral up/down names,
  // which are read as golang-migrate (the first in enum order).
  for (std::size_t l = 0; l < kLayoutCount; ++l) {
    if ((common & Bit(l)) != 0) return {static_cast<Layout>(l), {}};
  }
  return {std::nullopt, DescribeMixture(files, matches, counts, namer)};
}

// The outcome of reading one file, filled by whichever thread reads it.
struct ReadResult {
  int error = 0;  // errno
  std::optional<Problem> problem;
  std::optional<Migration> undo;  // dbmate: the down block of the same file
};

// What every reader thread needs; read-only while they run.
struct ReadContext {
  const FileDescriptor& root;
  const FileNamer& namer;
  Layout layout;
};

// Turns a dbmate file into its up block (the migration itself) and, when
// the down block holds statements, the undo beside it.
void SplitDbmate(const std::string& name, Migration& migration, ReadResult& result) {
  DbmateSections sections = SplitDbmateSections(migration.sql, name);
  if (sections.down.present && HasStatements(sections.down.text)) {
    Migration undo;
    undo.kind = MigrationKind::kUndo;
    undo.version = migration.version;
    undo.description = migration.description;
    undo.script = migration.script;
    undo.file = migration.file;
    undo.checksum = ScriptChecksum(sections.down.text);
    undo.directives = ParseDirectives(sections.down.script, name);
    undo.directives.no_transaction |= sections.down.no_transaction;
    undo.sql = std::move(sections.down.script);
    result.undo = std::move(undo);
  }
  migration.checksum = ScriptChecksum(sections.up.text);
  migration.directives = ParseDirectives(sections.up.script, name);
  migration.directives.no_transaction |= sections.up.no_transaction;
  migration.sql = std::move(sections.up.script);
}

void ReadMigration(const ReadContext& context, Migration& migration, ReadResult& result) {
  result.error = internal::ReadWholeFile(context.root, migration.script, migration.sql);
  if (result.error != 0) return;
  if (std::string_view(migration.sql).starts_with(kUtf8Bom)) {
    migration.sql.erase(0, kUtf8Bom.size());
  }
  // Built here rather than while listing, so the threads share the cost.
  migration.file = context.namer.Name(migration.script);
  try {
    if (context.layout == Layout::kDbmate) {
      SplitDbmate(migration.file, migration, result);
    } else {
      migration.checksum = ScriptChecksum(migration.sql);
      migration.directives = ParseDirectives(migration.sql, migration.file);
    }
  } catch (const ValidationError& error) {
    result.problem = Problem{error.what(), error.context().file, error.context().line};
  }
}

// Results land at each file's own index, so the outcome (and the order of
// problems) does not depend on which thread read what.
void ReadAll(const ReadContext& context, std::vector<Migration>& migrations,
             std::vector<ReadResult>& results) {
  const std::size_t count = migrations.size();
  unsigned threads = 1;
  if (count > kParallelThreshold) {
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxReaderThreads);
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failures(threads);
  // Nothing may escape a thread: failures are kept and rethrown after join.
  auto work = [&](unsigned worker) {
    try {
      for (;;) {
        const std::size_t begin = next.fetch_add(kChunkSize, std::memory_order_relaxed);
        if (begin >= count) return;
        const std::size_t end = std::min(count, begin + kChunkSize);
        for (std::size_t i = begin; i < end; ++i) ReadMigration(context, migrations[i], results[i]);
      }
    } catch (...) {
      failures[worker] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned worker = 1; worker < threads; ++worker) pool.emplace_back(work, worker);
  work(0);
  for (std::thread& thread : pool) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

bool ByVersionThenScript(const Migration& a, const Migration& b) {
  const std::strong_ordering order = *a.version <=> *b.version;
  if (std::is_neq(order)) return std::is_lt(order);
  return a.script < b.script;
}

bool ByDescriptionThenScript(const Migration& a, const Migration& b) {
  if (a.description != b.description) return a.description < b.description;
  return a.script < b.script;
}

// The order of a MigrationSet: versioned, then undo, then repeatable (the
// declaration order of MigrationKind), each kind in its own order.
bool InSetOrder(const Migration& a, const Migration& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.kind == MigrationKind::kRepeatable ? ByDescriptionThenScript(a, b)
                                              : ByVersionThenScript(a, b);
}

// Sorts without a second vector of migrations: the (large) Migration values
// are not swapped by std::sort; indices are sorted, and each cycle of that
// permutation is followed in place, so every migration moves about once. At
// 10,000 files a second vector was ~3 MB of fresh pages, each a page fault,
// on every status.
template <typename Less>
void SortInPlace(std::vector<Migration>& migrations, Less less) {
  std::vector<std::size_t> order(migrations.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return less(migrations[a], migrations[b]); });
  // Position k takes the migration at order[k]; a placed position is marked
  // by order[k] == k.
  for (std::size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    Migration held = std::move(migrations[start]);
    std::size_t k = start;
    while (order[k] != start) {
      const std::size_t from = order[k];
      migrations[k] = std::move(migrations[from]);
      order[k] = k;
      k = from;
    }
    migrations[k] = std::move(held);
    order[k] = k;
  }
}

std::string JoinNames(const std::vector<Migration>& migrations, std::size_t begin, std::size_t end,
                      const FileNamer& namer) {
  std::string joined;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) joined += ", ";
    joined += namer.Name(migrations[i].script);
  }
  return joined;
}

// `sorted` is ordered by ByVersionThenScript, so equal versions are adjacent.
void CheckDuplicateVersions(const std::vector<Migration>& sorted, std::string_view kind,
                            const FileNamer& namer, std::vector<Problem>& problems) {
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && *sorted[j].version == *sorted[i].version) ++j;
    if (j - i > 1) {
      problems.push_back({fmt::format("{} migrations share version {}: {}", kind,
                                      sorted[i].version->text(), JoinNames(sorted, i, j, namer)),
                          {},
                          0});
    }
    i = j;
  }
}

void CheckUndoTwins(const MigrationSet& set, const FileNamer& namer,
                    std::vector<Problem>& problems) {
  for (const Migration& undo : set.undo) {
    if (set.FindVersioned(*undo.version) != nullptr) continue;
    const std::string name = namer.Name(undo.script);
    problems.push_back(
        {fmt::format("{}: undo migration without a versioned migration of version {}", name,
                     undo.version->text()),
         name, 0});
  }
}

// `sorted` is ordered by ByDescriptionThenScript.
void CheckDuplicateDescriptions(const std::vector<Migration>& sorted, const FileNamer& namer,
                                std::vector<Problem>& problems) {
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j].description == sorted[i].description) ++j;
    if (j - i > 1) {
      problems.push_back({fmt::format("repeatable migrations share description \"{}\": {}",
                                      sorted[i].description, JoinNames(sorted, i, j, namer)),
                          {},
                          0});
    }
    i = j;
  }
}

const char* ExpectedNames(Layout layout) {
  switch (layout) {
    case Layout::kNative:
      return "V<version>__<description>.sql, U<version>__<description>.sql or "
             "R__<description>.sql";
    case Layout::kGolangMigrate:
      return "<version>_<name>.up.sql or <version>_<name>.down.sql";
    case Layout::kDbmate:
      return "<version>_<name>.sql";
    case Layout::kPopx:
      return "<version>_<name>[.<dialect>].up.sql or .down.sql";
  }
  return "";
}

Problem NotAName(const FileNamer& namer, const SqlFile& file, Layout layout) {
  const std::string name = namer.Name(file.script);
  const char* which = layout == Layout::kNative ? "" : LayoutName(layout);
  return {fmt::format("{}: not a {}{}migration file name (expected {})", name, which,
                      *which == '\0' ? "" : " ", ExpectedNames(layout)),
          name, 0};
}

// golang-migrate, dbmate and popx files as migrations (dbmate undos come
// from the files' down blocks once read). For popx, files of other engines
// are left out, and a version's file for this engine wins over its
// dialect-neutral one.
std::vector<Migration> ForeignMigrations(std::vector<SqlFile>& files, Layout layout,
                                         std::string_view dialect, const FileNamer& namer,
                                         std::vector<Problem>& problems) {
  std::vector<std::optional<ForeignName>> names(files.size());
  std::map<std::pair<ForeignPart, Version>, bool> has_dialect_file;
  for (std::size_t i = 0; i < files.size(); ++i) {
    names[i] = ParseForeignName(layout, files[i].BaseName());
    if (!names[i]) {
      problems.push_back(NotAName(namer, files[i], layout));
      continue;
    }
    if (layout != Layout::kPopx) continue;
    if (!PopxDialectFits(names[i]->dialect, dialect)) {
      names[i].reset();  // another engine's file: not a problem, not ours
      continue;
    }
    if (!names[i]->dialect.empty()) has_dialect_file[{names[i]->part, names[i]->version}] = true;
  }
  std::vector<Migration> migrations;
  migrations.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!names[i]) continue;
    ForeignName& name = *names[i];
    if (layout == Layout::kPopx && name.dialect.empty() &&
        has_dialect_file.contains({name.part, name.version})) {
      continue;
    }
    Migration migration;
    migration.kind =
        name.part == ForeignPart::kDown ? MigrationKind::kUndo : MigrationKind::kVersioned;
    migration.version = std::move(name.version);
    migration.description = std::move(name.description);
    migration.script = std::move(files[i].script);
    migrations.push_back(std::move(migration));
  }
  return migrations;
}

[[noreturn]] void ThrowProblems(const fs::path& dir, const std::vector<Problem>& problems) {
  if (problems.size() == 1) {
    ErrorContext context;
    context.file = problems.front().file;
    context.line = problems.front().line;
    throw ValidationError(problems.front().message, std::move(context));
  }
  std::string message =
      fmt::format("migration folder {} has {} problems:", dir.string(), problems.size());
  for (const Problem& problem : problems) message += "\n  " + problem.message;
  throw ValidationError(message);
}

}  // namespace

MigrationSet LoadMigrations(const fs::path& dir, const LoadOptions& options) {
  const FileDescriptor root = internal::OpenFolder(dir);
  std::vector<SqlFile> files = internal::ScanSqlFiles(root, dir);
  const FileNamer namer(dir);

  std::vector<std::optional<NativeName>> native_names(files.size());
  std::vector<LayoutSet> matches(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    // A native name starts with a letter, so it matches no other layout.
    native_names[i] = ParseNativeName(files[i].BaseName());
    matches[i] =
        native_names[i] ? Bit(Index(Layout::kNative)) : ToSet(LayoutsMatching(files[i].BaseName()));
  }
  std::optional<Layout> layout = options.layout;
  std::string mixture;
  if (!layout) {
    LayoutVerdict verdict = DecideLayout(files, matches, namer);
    layout = verdict.layout;
    mixture = std::move(verdict.mixture);
  }

  std::vector<Problem> problems;
  std::vector<Migration> migrations;
  migrations.reserve(files.size());
  if (!layout) {
    // Checks of content would only add noise until the folder uses one layout.
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (matches[i] == 0) problems.push_back(NotAName(namer, files[i], Layout::kNative));
    }
    problems.push_back({mixture, {}, 0});
    ThrowProblems(dir, problems);
  }
  if (*layout == Layout::kNative) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!native_names[i]) {
        problems.push_back(NotAName(namer, files[i], Layout::kNative));
        continue;
      }
      Migration migration;
      migration.kind = native_names[i]->kind;
      migration.version = std::move(native_names[i]->version);
      migration.description = std::move(native_names[i]->description);
      migration.script = std::move(files[i].script);
      migrations.push_back(std::move(migration));
    }
  } else {
    migrations = ForeignMigrations(files, *layout, options.dialect, namer, problems);
  }

  std::vector<ReadResult> results(migrations.size());
  ReadAll({root, namer, *layout}, migrations, results);
  const std::size_t read_count = migrations.size();
  for (std::size_t i = 0; i < read_count; ++i) {
    if (results[i].error != 0) {
      throw ConfigError(fmt::format("cannot read migration file {}: {}",
                                    namer.Name(migrations[i].script),
                                    std::strerror(results[i].error)));
    }
    if (results[i].problem) problems.push_back(std::move(*results[i].problem));
    if (results[i].undo) migrations.push_back(std::move(*results[i].undo));
  }

  MigrationSet set;
  set.layout = *layout;
  // Sorted by kind first, the versioned migrations (usually all of them) stay
  // in this vector; the undo and repeatable ones after them move out.
  SortInPlace(migrations, InSetOrder);
  auto kind_is = [](MigrationKind kind) {
    return [kind](const Migration& migration) { return migration.kind == kind; };
  };
  const auto undo_begin = std::partition_point(migrations.begin(), migrations.end(),
                                               kind_is(MigrationKind::kVersioned));
  const auto repeatable_begin = std::partition_point(
      undo_begin, migrations.end(), std::not_fn(kind_is(MigrationKind::kRepeatable)));
  set.undo.assign(std::make_move_iterator(undo_begin), std::make_move_iterator(repeatable_begin));
  set.repeatable.assign(std::make_move_iterator(repeatable_begin),
                        std::make_move_iterator(migrations.end()));
  migrations.erase(undo_begin, migrations.end());
  set.versioned = std::move(migrations);

  CheckDuplicateVersions(set.versioned, "versioned", namer, problems);
  CheckDuplicateVersions(set.undo, "undo", namer, problems);
  CheckUndoTwins(set, namer, problems);
  CheckDuplicateDescriptions(set.repeatable, namer, problems);
  if (!problems.empty()) ThrowProblems(dir, problems);
  return set;
}

}  // namespace dbshift
