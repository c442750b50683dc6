#include "dbshift/history/foreign_history_driver.h"

namespace dbshift {

ForeignHistoryDriver::ForeignHistoryDriver(std::unique_ptr<Driver> inner, HistoryFormat format,
                                           std::string table)
    : inner_(std::move(inner)), table_(MakeForeignTable(format, std::move(table), facts_)) {
  RequireForeignTableSupport(*inner_, format);
}

}  // namespace dbshift
