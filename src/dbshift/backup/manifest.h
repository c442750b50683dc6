#pragma once

// The manifest of a backup folder: what the backup holds (schema version,
// applied migrations, tables and their rows) and the size and SHA-256 of
// every data file, so that a restore can refuse a database of another
// version and `backup verify` can catch any changed byte.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbshift::backup {

inline constexpr std::string_view kManifestName = "manifest.json";
/// Hex SHA-256 of manifest.json: written last, so a folder holding it is complete.
inline constexpr std::string_view kManifestChecksumName = "manifest.json.sha256";
inline constexpr int kFormatVersion = 1;
/// The copy of a SQLite database in its backup folder.
inline constexpr std::string_view kSqliteDataFile = "database.sqlite";
/// The source's schema as dbshift reads it (schema/snapshot.h): what a
/// restore must rebuild before the data fits, and what drift compares.
inline constexpr std::string_view kSchemaFile = "schema.json";

struct BackupFile {
  std::string path;  ///< relative to the backup folder, '/'-separated
  std::uint64_t bytes = 0;
  std::string sha256;  ///< lower-case hex
};

struct BackupTable {
  std::string name;
  std::int64_t rows = 0;
  // PostgreSQL only (empty for SQLite, whose data is one file). The `= {}`
  // lets SQLite's code name only the fields above under -Wextra.
  std::string schema = {};
  std::vector<std::string> columns = {};  ///< as copied, in order (generated columns left out)
  std::string file = {};                  ///< the table's zstd-compressed COPY text
};

/// A PostgreSQL sequence's position, set again after a restore.
struct BackupSequence {
  std::string schema;
  std::string name;
  std::string last_value;
  bool is_called = false;
};

/// A PostgreSQL materialized view that held data: refreshed after a restore.
struct BackupRelation {
  std::string schema;
  std::string name;
};

/// One successful, applied row of the history, as restore will need it.
struct BackupMigration {
  std::string version;  ///< empty for a repeatable migration
  std::string description;
  std::string kind;
  std::string script;
  std::string checksum;
  std::string applied_at;
};

struct Manifest {
  int format_version = kFormatVersion;
  std::string engine;  ///< "sqlite", "postgres"
  std::string server_version;
  std::string dbshift_version;
  std::string target;                         ///< the source URL, password removed
  std::string created_at;                     ///< UTC, ISO 8601
  std::optional<std::string> schema_version;  ///< null: no migration applied
  std::string history_table;
  std::vector<BackupMigration> migrations;
  std::vector<BackupTable> tables;
  std::vector<BackupSequence> sequences;
  std::vector<BackupRelation> materialized_views;
  std::vector<BackupFile> files;
};

/// The manifest as pretty-printed JSON.
std::string ManifestText(const Manifest& manifest);

/// Reads manifest JSON. Throws ValidationError naming `where` and the field
/// when it does not parse or a field is missing or of the wrong type.
Manifest ParseManifest(std::string_view text, const std::string& where);

}  // namespace dbshift::backup
