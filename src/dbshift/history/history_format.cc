#include "dbshift/history/history_format.h"

namespace dbshift {

namespace {
constexpr HistoryFormat kFormats[] = {HistoryFormat::kNative, HistoryFormat::kFlyway,
                                      HistoryFormat::kGolangMigrate, HistoryFormat::kDbmate,
                                      HistoryFormat::kPopx};
}  // namespace

const char* HistoryFormatName(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kNative:
      return "native";
    case HistoryFormat::kFlyway:
      return "flyway";
    case HistoryFormat::kGolangMigrate:
      return "golang-migrate";
    case HistoryFormat::kDbmate:
      return "dbmate";
    case HistoryFormat::kPopx:
      return "popx";
  }
  return "unknown";
}

std::optional<HistoryFormat> ParseHistoryFormat(std::string_view text) {
  for (HistoryFormat format : kFormats) {
    if (text == HistoryFormatName(format)) return format;
  }
  return std::nullopt;
}

const char* DefaultHistoryTable(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kNative:
      return "dbshift_history";
    case HistoryFormat::kFlyway:
      return "flyway_schema_history";
    case HistoryFormat::kGolangMigrate:
    case HistoryFormat::kDbmate:
      return "schema_migrations";
    case HistoryFormat::kPopx:
      return "schema_migration";
  }
  return "";
}

}  // namespace dbshift
