#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

void RocksDbStoreImpl::WriteLoop() {
  for (;;) {
    Group* g = nullptr;
    {
      absl::MutexLock lock(&writer_mu_);
      writer_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->writer_mu_) {
            return s->writer_stopping_ || s->to_write_ != nullptr;
          },
          this));
      if (to_write_ == nullptr) return;  // stopping, and the committer has nothing left
      g = std::exchange(to_write_, nullptr);
    }
    absl::Status written;
    // Leading, the commit log refused the group: the store is not failed, only the group.
    bool refused_by_log = false;
    // Held from the append to the publication, so that an entry is applied once whether the
    // writer or ApplyLogEntry gets there (a leader told to follow may still be appending).
    apply_mu_.Lock();
    if (g->batch.Count() > 0 && g->log != nullptr) {
      written = AppendToLog(*g);
      refused_by_log = !written.ok();
    }
    if (g->batch.Count() > 0 && written.ok()) {
      rocksdb::WriteOptions wo;
      // A group appended to the commit log is durable there (SyncLog syncs it here later).
      wo.sync = options_.sync && g->log == nullptr;
      written = FromRocks(db_->Write(wo, &g->batch), "committing");
      // The writes of the failing group carry the same reason as every later one.
      if (!written.ok()) written = WithReason(std::move(written), "STORE_FAILED");
    }
    if (written.ok()) {
      {
        absl::MutexLock lock(&state_mu_);
        last_sequence_ = g->last_sequence;
        audit_size_ = g->audit_size;
        published_time_us_ = g->time_after_us;
        if (g->batch.Count() > 0) node_reader_->SetLowEdge(std::move(g->low_edge));
        if (g->log_index != 0) applied_log_index_ = g->log_index;
        for (auto& [kind, cat] : g->catalogs) catalogs_[kind] = cat;
      }
      if (g->batch.Count() > 0) {
        absl::MutexLock lock(&listeners_mu_);
        for (auto& [id, listener] : listeners_) listener(g->last_sequence);
      }
    } else if (refused_by_log) {
      FailGroup(*g, written);
    } else {
      {
        absl::MutexLock lock(&state_mu_);
        failed_ = WithReason(
            absl::UnavailableError(absl::StrCat(
                "the store failed a write and takes no more until restarted: ", written.message())),
            "STORE_FAILED");
      }
      FailGroup(*g, written);
    }
    apply_mu_.Unlock();
    PostCompletions(std::move(g->ops));
    absl::MutexLock lock(&writer_mu_);
    g->write_status = written;
    g->written = true;  // the committer may free g from here on
  }
}

void RocksDbStoreImpl::FailGroup(Group& g, const absl::Status& status) {
  for (Op& op : g.ops) {
    std::visit(
        [&](auto& o) {
          if (o.result.ok()) o.result = status;
        },
        op);
  }
}

void RocksDbStoreImpl::FailAll(Group& g, const absl::Status& status) {
  for (Op& op : g.ops) {
    std::visit([&](auto& o) { o.result = status; }, op);
  }
}

void RocksDbStoreImpl::PostCompletions(std::vector<Op> ops) {
  absl::MutexLock lock(&done_mu_);
  done_.push_back(std::move(ops));
}

void RocksDbStoreImpl::CompleteLoop() {
  for (;;) {
    std::deque<std::vector<Op>> batches;
    {
      absl::MutexLock lock(&done_mu_);
      done_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->done_mu_) {
            return s->done_stopping_ || !s->done_.empty();
          },
          this));
      if (done_.empty()) return;  // stopping and drained
      batches.swap(done_);
    }
    for (auto& ops : batches) {
      for (Op& op : ops) {
        std::visit(
            [&](auto& o) {
              using T = std::decay_t<decltype(o)>;
              if constexpr (std::is_same_v<T, WriteOp> || std::is_same_v<T, CatalogOp>) {
                o.done(std::move(o.result), std::move(o.violations));
              } else {
                o.done(std::move(o.result));
              }
            },
            op);
      }
    }
  }
}

}  // namespace collectonce::store::internal
