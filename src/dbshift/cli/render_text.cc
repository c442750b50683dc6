#include "dbshift/cli/render_text.h"

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace dbshift::cli {
namespace {

std::string Milliseconds(std::chrono::microseconds duration) {
  return fmt::format("{:.1f} ms", static_cast<double>(duration.count()) / 1000.0);
}

}  // namespace

void TerminalSink::OnEvent(const Event& event) {
  switch (event.type) {
    case Event::Type::kMigrationFinished: {
      std::string label = event.version.empty() ? "R" : event.version;
      if (event.ok) {
        context_.Say(fmt::format("  {} {:<8} {:<40} {}",
                                 event.kind == "undo" ? "undone " : "applied", label,
                                 event.description, Milliseconds(event.duration)));
      } else {
        context_.Say(fmt::format("  FAILED  {:<8} {}", label, event.description));
      }
      break;
    }
    case Event::Type::kStatementFinished:
      if (show_statements_) {
        std::string text = event.statement;
        if (text.size() > 2000) text = text.substr(0, 2000) + " ...";
        const char* outcome = !event.executed ? "  (listed, not executed)"
                              : event.ok      ? ""
                                              : "  (FAILED)";
        context_.Say(
            fmt::format("    -- {}:{}{}\n    {};", event.script, event.line, outcome, text));
      }
      break;
    case Event::Type::kMigrationRetry:
      // On stderr with the other notes: it stays visible with --format json.
      context_.Note(fmt::format("  retry   {:<8} {}", event.version.empty() ? "R" : event.version,
                                event.message));
      break;
    case Event::Type::kMessage:
      context_.Note(event.message);
      break;
    case Event::Type::kBackupTaken:
      context_.Say(fmt::format("  backup   {} (version {})", event.backup,
                               event.current_version.empty() ? "none" : event.current_version));
      break;
    default:
      break;
  }
}

namespace {

// The status table's columns. Padded by bytes, not by display width: every
// padded column is ASCII (versions, state names, UTC timestamps). fmt's
// padding measured each field's display width, which took most of the time
// of printing a status of thousands of migrations.
constexpr std::size_t kStateWidth = 12;
constexpr std::size_t kAppliedAtWidth = 24;

void AppendColumn(std::string& text, std::string_view value, std::size_t width) {
  text += value;
  if (value.size() < width) text.append(width - value.size(), ' ');
  text += "  ";
}

}  // namespace

std::string StatusText(const Plan& plan) {
  std::string text = fmt::format("Current version: {}\n\n",
                                 plan.current_version ? plan.current_version->text() : "none");
  if (plan.entries.empty()) return text + "No migrations.\n";
  std::size_t width = 7;
  for (const PlanEntry& entry : plan.entries) {
    if (entry.version) width = std::max(width, entry.version->text().size());
  }
  AppendColumn(text, "Version", width);
  AppendColumn(text, "State", kStateWidth);
  AppendColumn(text, "Applied at", kAppliedAtWidth);
  text += "Description\n";
  for (const PlanEntry& entry : plan.entries) {
    AppendColumn(text, entry.version ? std::string_view(entry.version->text()) : "R", width);
    AppendColumn(text, MigrationStateName(entry.state), kStateWidth);
    const bool applied =
        entry.applied && entry.applied->success && entry.applied->kind != HistoryKind::kUndo;
    AppendColumn(text, applied ? std::string_view(entry.applied->applied_at) : "", kAppliedAtWidth);
    text += entry.description;
    text += '\n';
  }
  std::vector<const PlanEntry*> problems = plan.Problems();
  if (!problems.empty()) {
    text += fmt::format("\n{} problem{}:\n", problems.size(), problems.size() == 1 ? "" : "s");
    for (const PlanEntry* entry : problems) text += "  - " + entry->message + "\n";
  }
  return text;
}

std::string RunSummaryText(const RunResult& result, const std::string& verb) {
  std::string text;
  std::string at = result.current_version ? "version " + *result.current_version : "no version";
  if (result.dry_run && !result.not_verifiable.empty()) {
    // "0 would be applied" would read as "nothing to do" when the listed
    // scripts are exactly what a real run would apply.
    text = fmt::format(
        "Dry run: {} migration{} executed and rolled back, {} listed without executing (a real "
        "run would {} them all). Database remains at {}.",
        result.applied.size(), result.applied.size() == 1 ? "" : "s", result.not_verifiable.size(),
        verb == "applied" ? "apply" : "undo", at);
    for (const std::string& script : result.not_verifiable) {
      text += fmt::format("\n  not verifiable (listed, not executed): {}", script);
    }
  } else if (result.dry_run) {
    text = fmt::format(
        "Dry run: {} migration{} would be {}; everything was rolled back. Database "
        "remains at {}.",
        result.applied.size(), result.applied.size() == 1 ? "" : "s", verb, at);
  } else if (result.applied.empty() && !result.failure) {
    text = fmt::format("Nothing to do. Database is at {}.", at);
  } else {
    text = fmt::format("{} {} migration{}. Database is at {}.",
                       verb == "applied" ? "Applied" : "Undid", result.applied.size(),
                       result.applied.size() == 1 ? "" : "s", at);
  }
  return text;
}

}  // namespace dbshift::cli
