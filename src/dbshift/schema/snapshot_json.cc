// Snapshots as JSON: written by SnapshotJson, read back by ParseSnapshot.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dbshift/common/error.h"
#include "dbshift/schema/internal.h"
#include "dbshift/schema/snapshot.h"

namespace dbshift::schema {
namespace {

// Raised when a reader learns a kind or a definition changes meaning, so
// that an older dbshift refuses a snapshot it would misread.
constexpr int kFormatVersion = 1;

constexpr std::array<std::string_view, 13> kKinds = {
    "schema", "extension",         "table",    "column",  "index",    "constraint",
    "view",   "materialized view", "function", "trigger", "sequence", "type",
    "domain"};

[[noreturn]] void Reject(const std::string& where, const std::string& why) {
  throw ValidationError(fmt::format("{}: not a dbshift schema snapshot: {}", where, why));
}

std::string StringField(const nlohmann::json& object, const char* key, std::size_t index,
                        const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) {
    Reject(where, fmt::format("objects[{}] has no string \"{}\"", index, key));
  }
  return found->get<std::string>();
}

}  // namespace

std::string SnapshotJson(const Snapshot& snapshot) {
  nlohmann::ordered_json objects = nlohmann::ordered_json::array();
  for (const SchemaObject& object : snapshot.objects) {
    objects.push_back(
        {{"kind", object.kind}, {"name", object.name}, {"definition", object.definition}});
  }
  const nlohmann::ordered_json document = {{"format_version", kFormatVersion},
                                           {"objects", std::move(objects)}};
  return document.dump(2) + "\n";
}

Snapshot ParseSnapshot(std::string_view json, const std::string& where) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded()) Reject(where, "the text is not valid JSON");
  if (!document.is_object()) Reject(where, "the document is not a JSON object");
  const auto version = document.find("format_version");
  if (version == document.end() || !version->is_number_integer()) {
    Reject(where, "no integer \"format_version\"");
  }
  if (version->get<int>() > kFormatVersion) {
    Reject(where, fmt::format("format_version {} is newer than this dbshift reads ({})",
                              version->get<int>(), kFormatVersion));
  }
  const auto objects = document.find("objects");
  if (objects == document.end() || !objects->is_array()) Reject(where, "no \"objects\" array");

  std::vector<SchemaObject> read;
  for (std::size_t i = 0; i < objects->size(); ++i) {
    const nlohmann::json& object = (*objects)[i];
    if (!object.is_object()) Reject(where, fmt::format("objects[{}] is not an object", i));
    SchemaObject parsed{StringField(object, "kind", i, where),
                        StringField(object, "name", i, where),
                        StringField(object, "definition", i, where)};
    if (std::find(kKinds.begin(), kKinds.end(), parsed.kind) == kKinds.end()) {
      Reject(where, fmt::format("objects[{}] has the unknown kind \"{}\"", i, parsed.kind));
    }
    if (parsed.name.empty()) Reject(where, fmt::format("objects[{}] has an empty name", i));
    read.push_back(std::move(parsed));
  }
  if (const SchemaObject* twin = internal::SortAndFindTwin(read)) {
    Reject(where, fmt::format("{} {} is listed twice", twin->kind, twin->name));
  }
  return Snapshot{std::move(read)};
}

}  // namespace dbshift::schema
