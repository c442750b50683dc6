#pragma once

#include <memory>

#include "dbshift/driver/driver.h"
#include "dbshift/history/foreign_table.h"

namespace dbshift {

/// A driver whose history is another tool's table (compat mode): every
/// history call goes to `table`, everything else to `inner`. The migration
/// lock stays dbshift's own.
class ForeignHistoryDriver final : public Driver {
 public:
  /// `facts` is filled later by AttachSource, before the first history call.
  ForeignHistoryDriver(std::unique_ptr<Driver> inner, HistoryFormat format, std::string table);

  /// What the table needs from the migration folder (see SourceFacts).
  void AttachSource(const MigrationSet& source) { facts_ = SourceFacts::Of(source); }
  const ForeignTable& table() const { return *table_; }

  Dialect dialect() const override { return inner_->dialect(); }
  std::string ServerVersion() override { return inner_->ServerVersion(); }
  Capabilities capabilities() const override { return inner_->capabilities(); }
  std::string Target() const override { return inner_->Target(); }
  bool TryLock() override { return inner_->TryLock(); }
  void Unlock() noexcept override { inner_->Unlock(); }
  std::optional<LockHolder> LockStatus() override { return inner_->LockStatus(); }
  void CheckLockStillHeld() override { inner_->CheckLockStillHeld(); }
  void SetLockTimeout(std::chrono::milliseconds timeout) override {
    inner_->SetLockTimeout(timeout);
  }
  void SetStatementTimeout(std::chrono::milliseconds timeout) override {
    inner_->SetStatementTimeout(timeout);
  }
  void Begin() override { inner_->Begin(); }
  void Commit() override { inner_->Commit(); }
  void Rollback() noexcept override { inner_->Rollback(); }
  void Execute(const Statement& statement) override { inner_->Execute(statement); }
  void ExecuteAll(std::span<const Statement> statements,
                  const std::function<void(std::size_t)>& finished) override {
    inner_->ExecuteAll(statements, finished);
  }
  QueryRows Query(const std::string& sql, const QueryParams& params) override {
    return inner_->Query(sql, params);
  }
  std::string QuoteIdentifier(std::string_view name) const override {
    return inner_->QuoteIdentifier(name);
  }

  bool HistoryTableExists() override { return table_->Exists(*inner_); }
  void EnsureHistoryTable() override { table_->Ensure(*inner_); }
  std::vector<HistoryRow> ReadHistory() override { return table_->Read(*inner_); }
  void AppendHistory(HistoryRow& row) override { table_->Append(*inner_, row); }
  void UpdateHistory(const HistoryRow& row) override { table_->Update(*inner_, row); }
  void DeleteHistory(int64_t installed_rank) override { table_->Delete(*inner_, installed_rank); }

 private:
  std::unique_ptr<Driver> inner_;
  SourceFacts facts_;
  std::unique_ptr<ForeignTable> table_;  // after facts_: it keeps a reference to them
};

}  // namespace dbshift
