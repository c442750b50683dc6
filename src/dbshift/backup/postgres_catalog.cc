#include "dbshift/backup/postgres_catalog.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "dbshift/schema/postgres_user_objects.h"

namespace dbshift::backup {
namespace {

std::string Enclose(std::string_view text, char quote) {
  std::string quoted(1, quote);
  for (const char c : text) {
    quoted += c;
    if (c == quote) quoted += quote;
  }
  return quoted + quote;
}

}  // namespace

std::string QuotePostgresName(std::string_view name) { return Enclose(name, '"'); }

std::string QualifiedPostgresName(std::string_view schema, std::string_view name) {
  return QuotePostgresName(schema) + "." + QuotePostgresName(name);
}

std::string PostgresLiteral(std::string_view text) { return Enclose(text, '\''); }

std::string PostgresColumnList(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns)
    list += (list.empty() ? "" : ", ") + QuotePostgresName(column);
  return list;
}

std::vector<std::size_t> BiggestFirst(const std::vector<std::uint64_t>& sizes) {
  std::vector<std::size_t> order(sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
  return order;
}

std::vector<std::string> PostgresUserObjects(Driver& driver) {
  const std::string sql = fmt::format(
      "SELECT n.nspname || '.' || c.relname FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {} "
      "UNION ALL "
      "SELECT n.nspname || '.' || p.proname FROM pg_proc p "
      "JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE {} "
      "ORDER BY 1",
      schema::PostgresUserObject("pg_class", "c.oid"),
      schema::PostgresUserObject("pg_proc", "p.oid"));
  std::vector<std::string> names;
  for (const auto& row : driver.Query(sql)) {
    if (!row.empty() && row[0]) names.push_back(*row[0]);
  }
  return names;
}

}  // namespace dbshift::backup
