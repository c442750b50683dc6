#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbshift/lint/linter.h"

namespace dbshift::cli {

/// One finding: {"rule", "severity", "file", "line", "column", "message",
/// "breaking"}.
nlohmann::json FindingJson(const lint::Finding& finding);

/// DESIGN.md's lint document: {"findings": [{"rule", "severity", "file",
/// "line", "column", "message", "breaking"}], "files": N}.
nlohmann::json LintJson(const std::vector<lint::Finding>& findings, std::size_t files);

/// LintJson(findings, files).dump(2), written directly: a long script has
/// tens of thousands of findings, and a document of them costs more than
/// the lint itself. Bytes that are not UTF-8 become U+FFFD.
std::string LintJsonText(const std::vector<lint::Finding>& findings, std::size_t files);

/// SARIF 2.1.0, one run of the tool "dbshift", with every rule in its
/// driver and every finding as a result (columns in Unicode code points).
nlohmann::json LintSarif(const std::vector<lint::Finding>& findings, const std::string& version);

/// "file:line:column: severity [rule] message", one finding per line, then a
/// summary line.
std::string LintText(const std::vector<lint::Finding>& findings, std::size_t files);

}  // namespace dbshift::cli
