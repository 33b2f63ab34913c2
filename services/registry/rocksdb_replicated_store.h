// The registry's RocksDbStore as the replica controller sees it (libs/replication/
// replicated_store.h), over the store's commit-log seam (libs/store/commit_log.h): entries
// travel as storage.v1.LogEntry bytes (CommitEntry::Encode), and the store's CommitLog is
// the controller's LogAppender.
#ifndef COLLECTONCE_SERVICES_REGISTRY_ROCKSDB_REPLICATED_STORE_H_
#define COLLECTONCE_SERVICES_REGISTRY_ROCKSDB_REPLICATED_STORE_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/replication/replicated_store.h"
#include "libs/store/commit_log.h"
#include "libs/store/rocksdb_store.h"

namespace collectonce::registry {

class RocksDbReplicatedStore final : public replication::ReplicatedStore {
 public:
  // `store` was opened with start_following and outlives this object. `on_applied` runs
  // after each entry applied (quick: the caller's thread applies the log); `before_lead`
  // runs before the store takes writes again (the registry reloads its access policy there,
  // so that a new leader decides by the governance objects it has just applied).
  RocksDbReplicatedStore(store::RocksDbStore* store, std::function<void()> on_applied,
                         std::function<void()> before_lead)
      : store_(store), on_applied_(std::move(on_applied)), before_lead_(std::move(before_lead)) {}

  uint64_t applied_log_index() const override;
  int64_t applied_commit_sequence() const override;
  // Syncs the store's WAL (RocksDbStore::SyncLog); 0 if that fails, which holds trimming back.
  uint64_t durable_log_index() override;
  absl::Status ApplyLogEntry(uint64_t index, absl::string_view bytes) override;
  void Follow(absl::Status why) override;
  absl::Status Lead(replication::LogAppender* log,
                    std::function<void(absl::Status)> on_step_down) override;

 private:
  // The store's CommitLog over the controller's appender.
  class Appender final : public store::CommitLog {
   public:
    explicit Appender(replication::LogAppender* log) : log_(log) {}
    absl::Status Append(const store::CommitEntry& entry) override {
      return log_->Append(entry.log_index, entry.Encode());
    }

   private:
    replication::LogAppender* const log_;
  };

  store::RocksDbStore* const store_;
  const std::function<void()> on_applied_;
  const std::function<void()> before_lead_;
  absl::Mutex mu_;
  // One per term; kept, since the store's writer may still use an earlier one.
  std::vector<std::unique_ptr<Appender>> appenders_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_ROCKSDB_REPLICATED_STORE_H_
