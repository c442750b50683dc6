#include "dbshift/backup/manifest.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dbshift/common/error.h"

namespace dbshift::backup {
namespace {

nlohmann::json OptionalText(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

// Reads fields of one JSON object and names the first missing or mistyped
// one, with the path to it, in the error.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string path, const std::string& where)
      : object_(object), path_(std::move(path)), where_(where) {
    if (!object_.is_object()) Fail(path_, "is not an object");
  }
  std::string Text(const char* key) const { return Get(key, nlohmann::json::value_t::string); }
  std::optional<std::string> OptionalText(const char* key) const {
    const auto it = object_.find(key);
    if (it != object_.end() && it->is_null()) return std::nullopt;
    return Text(key);
  }
  template <typename Number>
  Number Integer(const char* key) const {
    const nlohmann::json& value = Find(key);
    if (!value.is_number_integer()) Fail(Path(key), "is not an integer");
    return value.get<Number>();
  }
  const nlohmann::json& Array(const char* key) const {
    const nlohmann::json& value = Find(key);
    if (!value.is_array()) Fail(Path(key), "is not an array");
    return value;
  }
  bool Has(const char* key) const { return object_.contains(key); }
  bool Boolean(const char* key) const {
    const nlohmann::json& value = Find(key);
    if (!value.is_boolean()) Fail(Path(key), "is not true or false");
    return value.get<bool>();
  }
  std::string Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const nlohmann::json& Find(const char* key) const {
    const auto it = object_.find(key);
    if (it == object_.end()) Fail(Path(key), "is missing");
    return *it;
  }
  std::string Get(const char* key, nlohmann::json::value_t type) const {
    const nlohmann::json& value = Find(key);
    if (value.type() != type) Fail(Path(key), "is not a string");
    return value.get<std::string>();
  }
  [[noreturn]] void Fail(const std::string& path, const char* what) const {
    throw ValidationError(fmt::format("{}: field {} {}", where_, path, what));
  }

  const nlohmann::json& object_;
  std::string path_;
  const std::string& where_;
};

}  // namespace

std::string ManifestText(const Manifest& manifest) {
  nlohmann::json migrations = nlohmann::json::array();
  for (const BackupMigration& migration : manifest.migrations) {
    migrations.push_back({{"version", migration.version},
                          {"description", migration.description},
                          {"kind", migration.kind},
                          {"script", migration.script},
                          {"checksum", migration.checksum},
                          {"applied_at", migration.applied_at}});
  }
  nlohmann::json tables = nlohmann::json::array();
  for (const BackupTable& table : manifest.tables) {
    nlohmann::json entry = {{"name", table.name}, {"rows", table.rows}};
    if (!table.file.empty()) {
      entry["schema"] = table.schema;
      entry["columns"] = table.columns;
      entry["file"] = table.file;
    }
    tables.push_back(std::move(entry));
  }
  nlohmann::json sequences = nlohmann::json::array();
  for (const BackupSequence& sequence : manifest.sequences) {
    sequences.push_back({{"schema", sequence.schema},
                         {"name", sequence.name},
                         {"last_value", sequence.last_value},
                         {"is_called", sequence.is_called}});
  }
  nlohmann::json views = nlohmann::json::array();
  for (const BackupRelation& view : manifest.materialized_views) {
    views.push_back({{"schema", view.schema}, {"name", view.name}});
  }
  nlohmann::json files = nlohmann::json::array();
  for (const BackupFile& file : manifest.files) {
    files.push_back({{"path", file.path}, {"bytes", file.bytes}, {"sha256", file.sha256}});
  }
  nlohmann::json document = {{"format", "dbshift-backup"},
                             {"format_version", manifest.format_version},
                             {"engine", manifest.engine},
                             {"server_version", manifest.server_version},
                             {"dbshift_version", manifest.dbshift_version},
                             {"target", manifest.target},
                             {"created_at", manifest.created_at},
                             {"schema_version", OptionalText(manifest.schema_version)},
                             {"history_table", manifest.history_table},
                             {"migrations", std::move(migrations)},
                             {"tables", std::move(tables)},
                             {"files", std::move(files)}};
  // PostgreSQL's extra state; a SQLite manifest has none.
  if (!sequences.empty()) document["sequences"] = std::move(sequences);
  if (!views.empty()) document["materialized_views"] = std::move(views);
  return document.dump(2) + "\n";
}

Manifest ParseManifest(std::string_view text, const std::string& where) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw ValidationError(fmt::format("{}: not valid JSON ({})", where, error.what()));
  }
  const Fields top(document, "", where);
  if (top.Text("format") != "dbshift-backup") {
    throw ValidationError(fmt::format("{}: not a dbshift backup manifest", where));
  }
  Manifest manifest;
  manifest.format_version = top.Integer<int>("format_version");
  if (manifest.format_version != kFormatVersion) {
    throw ValidationError(
        fmt::format("{}: backup format version {} is not one this dbshift reads (it reads {})",
                    where, manifest.format_version, kFormatVersion));
  }
  manifest.engine = top.Text("engine");
  manifest.server_version = top.Text("server_version");
  manifest.dbshift_version = top.Text("dbshift_version");
  manifest.target = top.Text("target");
  manifest.created_at = top.Text("created_at");
  manifest.schema_version = top.OptionalText("schema_version");
  manifest.history_table = top.Text("history_table");
  const nlohmann::json& migrations = top.Array("migrations");
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const Fields fields(migrations[i], fmt::format("migrations[{}]", i), where);
    manifest.migrations.push_back({fields.Text("version"), fields.Text("description"),
                                   fields.Text("kind"), fields.Text("script"),
                                   fields.Text("checksum"), fields.Text("applied_at")});
  }
  const nlohmann::json& tables = top.Array("tables");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const Fields fields(tables[i], fmt::format("tables[{}]", i), where);
    BackupTable table{fields.Text("name"), fields.Integer<std::int64_t>("rows")};
    if (fields.Has("file")) {
      table.schema = fields.Text("schema");
      table.file = fields.Text("file");
      const nlohmann::json& columns = fields.Array("columns");
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if (!columns[c].is_string()) {
          throw ValidationError(
              fmt::format("{}: field tables[{}].columns[{}] is not a string", where, i, c));
        }
        table.columns.push_back(columns[c].get<std::string>());
      }
    }
    manifest.tables.push_back(std::move(table));
  }
  if (top.Has("sequences")) {
    const nlohmann::json& sequences = top.Array("sequences");
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      const Fields fields(sequences[i], fmt::format("sequences[{}]", i), where);
      manifest.sequences.push_back({fields.Text("schema"), fields.Text("name"),
                                    fields.Text("last_value"), fields.Boolean("is_called")});
    }
  }
  if (top.Has("materialized_views")) {
    const nlohmann::json& views = top.Array("materialized_views");
    for (std::size_t i = 0; i < views.size(); ++i) {
      const Fields fields(views[i], fmt::format("materialized_views[{}]", i), where);
      manifest.materialized_views.push_back({fields.Text("schema"), fields.Text("name")});
    }
  }
  const nlohmann::json& files = top.Array("files");
  for (std::size_t i = 0; i < files.size(); ++i) {
    const Fields fields(files[i], fmt::format("files[{}]", i), where);
    manifest.files.push_back(
        {fields.Text("path"), fields.Integer<std::uint64_t>("bytes"), fields.Text("sha256")});
  }
  return manifest;
}

}  // namespace dbshift::backup
