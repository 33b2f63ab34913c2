#include "services/registry/rocksdb_replicated_store.h"

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::registry {

uint64_t RocksDbReplicatedStore::durable_log_index() {
  auto index = store_->SyncLog();
  return index.ok() ? *index : 0;
}

uint64_t RocksDbReplicatedStore::applied_log_index() const {
  return store_->Stats().applied_log_index;
}

int64_t RocksDbReplicatedStore::applied_commit_sequence() const {
  return store_->Stats().last_commit_sequence;
}

absl::Status RocksDbReplicatedStore::ApplyLogEntry(uint64_t index, absl::string_view bytes) {
  auto entry = store::CommitEntry::Decode(bytes);
  if (!entry.ok()) return entry.status();
  if (entry->log_index != index) {
    return WithReason(absl::DataLossError(absl::StrCat("log entry ", index, " holds the group of ",
                                                       "index ", entry->log_index)),
                      "LOG_CORRUPT");
  }
  const uint64_t before = store_->Stats().applied_log_index;
  absl::Status s = store_->ApplyLogEntry(*entry);
  if (s.ok() && index > before && on_applied_) on_applied_();
  return s;
}

void RocksDbReplicatedStore::Follow(absl::Status why) { store_->Follow(std::move(why)); }

absl::Status RocksDbReplicatedStore::Lead(replication::LogAppender* log,
                                          std::function<void(absl::Status)> on_step_down) {
  store::CommitLog* appender;
  {
    absl::MutexLock lock(&mu_);
    appenders_.push_back(std::make_unique<Appender>(log));
    appender = appenders_.back().get();
  }
  if (before_lead_) before_lead_();
  return store_->Lead(appender, std::move(on_step_down));
}

}  // namespace collectonce::registry
