#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dbshift {

/// "sha256:" + hex SHA-256 of `script` with every CRLF folded to LF, so a
/// checkout on Windows does not change it. The algorithm name is stored with
/// the value and never changes meaning.
std::string ScriptChecksum(std::string_view script);

/// Flyway's checksum of a script: CRC-32 over its lines without their line
/// endings (\n, \r\n or \r), a leading UTF-8 BOM dropped, as a signed 32-bit
/// integer. Stored in Flyway's history table; dbshift writes it as
/// "crc32:<integer>" when it keeps one in a HistoryRow.
int32_t FlywayChecksum(std::string_view script);

/// Whether `recorded` (a history row's checksum) matches `script`:
/// "sha256:..." against ScriptChecksum, "crc32:..." against FlywayChecksum.
/// An empty `recorded` matches anything: golang-migrate, dbmate and popx
/// record no checksum, so there is nothing to compare.
bool ChecksumMatches(std::string_view recorded, std::string_view script, std::string_view checksum);

}  // namespace dbshift
