#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dbshift {

/// Whose history table dbshift reads and writes. Native is dbshift's own;
/// the others let dbshift run beside the tool a team is leaving, on that
/// tool's table, and are what `adopt --from` copies.
enum class HistoryFormat {
  kNative,         ///< dbshift_history
  kFlyway,         ///< flyway_schema_history, with Flyway's CRC-32 checksums
  kGolangMigrate,  ///< schema_migrations(version bigint, dirty boolean): one row
  kDbmate,         ///< schema_migrations(version varchar): one row per version
  kPopx,           ///< schema_migration(version, version_self): one row per version
};

/// "native", "flyway", "golang-migrate", "dbmate", "popx".
const char* HistoryFormatName(HistoryFormat format);
std::optional<HistoryFormat> ParseHistoryFormat(std::string_view text);
/// The table each tool uses unless configured otherwise.
const char* DefaultHistoryTable(HistoryFormat format);

}  // namespace dbshift
