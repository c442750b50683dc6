#pragma once

// Builders for plan tests: MigrationSet and HistoryRow values made in memory,
// so planning is tested without files or a database.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dbshift/common/history_row.h"
#include "dbshift/plan/plan.h"
#include "dbshift/source/migration.h"
#include "dbshift/source/version.h"

namespace dbshift::testing {

/// MigrationSet with defaults, so tests can name only the lists they fill
/// (designated initializers of MigrationSet itself trip -Wmissing-field-initializers).
struct Files {
  std::vector<Migration> versioned = {};
  std::vector<Migration> undo = {};
  std::vector<Migration> repeatable = {};
};

inline MigrationSet Set(Files files) {
  MigrationSet set;
  set.versioned = std::move(files.versioned);
  set.undo = std::move(files.undo);
  set.repeatable = std::move(files.repeatable);
  return set;
}

/// A checksum in the stored format, with a recognisable head: Sum("aa") is
/// "sha256:aaaa...".
inline std::string Sum(std::string_view head) {
  std::string hex;
  while (hex.size() < 64) hex += head;
  return "sha256:" + hex.substr(0, 64);
}

inline Migration Versioned(std::string_view version, std::string_view description,
                           std::string_view head = "aa") {
  Migration migration;
  migration.kind = MigrationKind::kVersioned;
  migration.version = Version::Parse(version);
  migration.description = std::string(description);
  migration.script = "V" + std::string(version) + "__" + std::string(description) + ".sql";
  migration.checksum = Sum(head);
  return migration;
}

inline Migration Undo(std::string_view version, std::string_view description) {
  Migration migration = Versioned(version, description, "ff");
  migration.kind = MigrationKind::kUndo;
  migration.script = "U" + std::string(version) + "__" + std::string(description) + ".sql";
  return migration;
}

inline Migration Repeatable(std::string_view description, std::string_view head = "aa") {
  Migration migration;
  migration.kind = MigrationKind::kRepeatable;
  migration.description = std::string(description);
  migration.script = "R__" + std::string(description) + ".sql";
  migration.checksum = Sum(head);
  return migration;
}

/// A successful row of `kind`; tests change fields for failures.
inline HistoryRow Row(int64_t rank, HistoryKind kind, std::string_view version,
                      std::string_view description, std::string_view head = "aa") {
  HistoryRow row;
  row.installed_rank = rank;
  row.kind = kind;
  row.version = std::string(version);
  row.description = std::string(description);
  row.success = true;
  switch (kind) {
    case HistoryKind::kVersioned:
      row.script = "V" + row.version + "__" + row.description + ".sql";
      row.checksum = Sum(head);
      break;
    case HistoryKind::kUndo:
      row.script = "U" + row.version + "__" + row.description + ".sql";
      row.checksum = Sum("ff");
      break;
    case HistoryKind::kRepeatable:
      row.script = "R__" + row.description + ".sql";
      row.checksum = Sum(head);
      break;
    case HistoryKind::kBaseline:
      row.script = "<< baseline >>";
      break;
  }
  return row;
}

inline HistoryRow Applied(int64_t rank, std::string_view version, std::string_view description,
                          std::string_view head = "aa") {
  return Row(rank, HistoryKind::kVersioned, version, description, head);
}

inline HistoryRow Failed(HistoryRow row, int done, int total, std::string_view error) {
  row.success = false;
  row.statements_done = done;
  row.statements_total = total;
  row.error = std::string(error);
  return row;
}

/// "1=applied 2=pending": one word per entry, for whole-plan assertions.
inline std::string Summary(const Plan& plan) {
  std::string summary;
  for (const PlanEntry& entry : plan.entries) {
    if (!summary.empty()) summary += ' ';
    summary += entry.version ? entry.version->text() : entry.description;
    summary += '=';
    summary += MigrationStateName(entry.state);
  }
  return summary;
}

/// The same for a selection.
inline std::string Names(const std::vector<const PlanEntry*>& entries) {
  std::string names;
  for (const PlanEntry* entry : entries) {
    if (!names.empty()) names += ' ';
    names += entry->version ? entry->version->text() : entry->description;
  }
  return names;
}

}  // namespace dbshift::testing
