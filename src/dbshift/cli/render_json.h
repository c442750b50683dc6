#pragma once

#include <nlohmann/json.hpp>

#include "dbshift/common/error.h"
#include "dbshift/exec/executor.h"
#include "dbshift/plan/plan.h"

namespace dbshift::cli {

// The JSON documents of DESIGN.md ("JSON output"). Fields may be added,
// never renamed or removed: scripts and CI depend on them.

/// status: {"current_version", "migrations": [{"version", "description",
/// "kind", "state", "checksum", "applied_at", "execution_ms"}]}
nlohmann::json StatusJson(const Plan& plan);

/// up / down: {"applied": [{"version", "description", "execution_ms"}],
/// "current_version", "dry_run"}, plus "error" on failure.
nlohmann::json RunJson(const RunResult& result);

/// The "error" of a migration that failed on a copy or scratch database
/// (rehearse, drift): {"version", "file", "line", "message"}.
nlohmann::json FailureJson(const RunFailure& failure);

/// validate: {"ok", "problems": [{"version", "state", "message"}]}
nlohmann::json ValidateJson(const Plan& plan);

/// Any command that ended with an error: {"error": {"message", "exit_code",
/// "file", "line", "version"}}.
nlohmann::json ErrorJson(const Error& error);

/// Writes the document and a newline to stdout.
void PrintJson(const nlohmann::json& document);

/// PrintJson for a document already written out (as dump(2) writes it).
void PrintJsonText(const std::string& text);

/// With several namespaces, stdout must still carry one JSON document: while
/// a collector lives, PrintJson adds each document to it, tagged with the
/// namespace, and Print() writes {"namespaces": [...]} once.
class JsonCollector {
 public:
  JsonCollector();
  ~JsonCollector();
  JsonCollector(const JsonCollector&) = delete;
  JsonCollector& operator=(const JsonCollector&) = delete;

  void SetNamespace(std::string name) { namespace_ = std::move(name); }
  void Add(nlohmann::json document);
  void Print() const;

 private:
  std::string namespace_;
  nlohmann::json documents_ = nlohmann::json::array();
};

}  // namespace dbshift::cli
