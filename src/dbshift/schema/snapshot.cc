#include "dbshift/schema/snapshot.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "dbshift/common/error.h"
#include "dbshift/schema/internal.h"

namespace dbshift::schema {
namespace {

bool ByKindAndName(const SchemaObject& a, const SchemaObject& b) {
  return std::tie(a.kind, a.name) < std::tie(b.kind, b.name);
}

// A definition on one line, as a terminal or a CI log shows one: line
// breaks as \n; in quotes, also '"' and '\' escaped so the quotes delimit.
std::string OneLine(std::string_view text, bool quoted) {
  std::string out = quoted ? "\"" : "";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += ' ';
    } else {
      if (quoted && (c == '"' || c == '\\')) out += '\\';
      out += c;
    }
  }
  return quoted ? out + "\"" : out;
}

}  // namespace

const SchemaObject* internal::SortAndFindTwin(std::vector<SchemaObject>& objects) {
  std::sort(objects.begin(), objects.end(), ByKindAndName);
  const auto twin = std::adjacent_find(
      objects.begin(), objects.end(),
      [](const auto& a, const auto& b) { return a.kind == b.kind && a.name == b.name; });
  return twin == objects.end() ? nullptr : &*twin;
}

Snapshot MakeSnapshot(std::vector<SchemaObject> objects) {
  if (const SchemaObject* twin = internal::SortAndFindTwin(objects)) {
    throw InternalError(fmt::format("two schema objects are both {} {}", twin->kind, twin->name));
  }
  return Snapshot{std::move(objects)};
}

std::vector<SchemaDifference> CompareSchemas(const Snapshot& expected, const Snapshot& actual) {
  // Sorted copies: a snapshot built by hand or read from a file may come in
  // any order.
  std::vector<SchemaObject> left = expected.objects;
  std::vector<SchemaObject> right = actual.objects;
  std::stable_sort(left.begin(), left.end(), ByKindAndName);
  std::stable_sort(right.begin(), right.end(), ByKindAndName);

  std::vector<SchemaDifference> differences;
  auto l = left.begin();
  auto r = right.begin();
  while (l != left.end() || r != right.end()) {
    if (r == right.end() || (l != left.end() && ByKindAndName(*l, *r))) {
      differences.push_back({l->kind, l->name, l->definition, std::nullopt});
      ++l;
    } else if (l == left.end() || ByKindAndName(*r, *l)) {
      differences.push_back({r->kind, r->name, std::nullopt, r->definition});
      ++r;
    } else {
      if (l->definition != r->definition) {
        differences.push_back({l->kind, l->name, l->definition, r->definition});
      }
      ++l;
      ++r;
    }
  }
  return differences;
}

std::string DescribeDifference(const SchemaDifference& difference) {
  const std::string object = difference.kind + " " + difference.name;
  if (difference.expected && difference.actual) {
    return fmt::format("~ {}: migrations give {}, live has {}", object,
                       OneLine(*difference.expected, true), OneLine(*difference.actual, true));
  }
  const char sign = difference.actual ? '+' : '-';
  const std::string& definition =
      difference.actual ? *difference.actual : difference.expected.value_or("");
  if (definition.empty()) return fmt::format("{} {}", sign, object);
  return fmt::format("{} {}: {}", sign, object, OneLine(definition, false));
}

}  // namespace dbshift::schema
