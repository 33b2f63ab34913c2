// Replicated mode: a store follows (applies commit log entries, refuses writes) or leads
// (appends each group to a commit log before writing and acknowledging it). Local mode never
// reaches this file's paths beyond a role check.
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

namespace {

absl::Status NotLeader(absl::string_view why) {
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "this registry replica does not lead and takes no writes; send them to the leader (", why,
          ")")),
      "NOT_LEADER");
}

}  // namespace

absl::Status RocksDbStoreImpl::NotLeaderLocked() const {
  return NotLeader(following_because_.message());
}

absl::Status RocksDbStoreImpl::AdmitGroup(Group& g) {
  absl::MutexLock lock(&state_mu_);
  if (!failed_.ok()) return failed_;
  if (role_ == Role::kFollowing) return NotLeaderLocked();
  if (role_ == Role::kLeading) {
    g.log = log_;
    g.term = term_;
  }
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::BecomeLeader(const LeadRequest& request) {
  absl::MutexLock apply(&apply_mu_);  // no entry is being applied while the state loads
  {
    absl::MutexLock lock(&state_mu_);
    if (!failed_.ok()) return failed_;
    if (role_ != Role::kFollowing) {
      return absl::FailedPreconditionError("only a following store can start leading");
    }
  }
  ASSIGN_OR_RETURN(sv1::StoreMeta meta, ReadMeta());
  RETURN_IF_ERROR(RecoverCommitter(meta));
  absl::MutexLock lock(&state_mu_);
  if (role_ != Role::kFollowing) {
    return absl::FailedPreconditionError("only a following store can start leading");
  }
  role_ = Role::kLeading;
  log_ = request.log;
  on_step_down_ = request.on_step_down;
  ++term_;
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::AppendToLog(const Group& g) {
  {
    absl::MutexLock lock(&state_mu_);
    // Followed (or led again) since the group was prepared: not this leadership's to append.
    if (role_ != Role::kLeading || term_ != g.term) {
      return role_ == Role::kFollowing ? NotLeaderLocked()
                                       : NotLeader("leadership changed while committing");
    }
  }
  CommitEntry entry;
  entry.log_index = g.log_index;
  entry.batch = g.batch.Data();
  entry.last_commit_sequence = g.last_sequence;
  entry.audit_size = g.audit_size;
  entry.commit_time_us = g.time_after_us;
  absl::Status appended = g.log->Append(entry);
  if (appended.ok()) return appended;
  switch (appended.code()) {
    case absl::StatusCode::kAborted:
      StepDown(g.term, appended);
      return NotLeader(absl::StrCat("another replica leads: ", appended.message()));
    case absl::StatusCode::kUnknown:
      StepDown(g.term, appended);
      return WithReason(
          absl::UnavailableError(absl::StrCat(
              "the write may or may not have been committed; retry it with the same request id "
              "to learn which (",
              appended.message(), ")")),
          "COMMIT_OUTCOME_UNKNOWN");
    default:
      return WithReason(absl::UnavailableError(absl::StrCat("the commit log took nothing; retry (",
                                                            appended.message(), ")")),
                        "COMMIT_LOG_UNAVAILABLE");
  }
}

void RocksDbStoreImpl::StepDown(uint64_t term, const absl::Status& why) {
  std::function<void(absl::Status)> tell;
  {
    absl::MutexLock lock(&state_mu_);
    if (role_ != Role::kLeading || term_ != term) return;
    role_ = Role::kFollowing;
    log_ = nullptr;
    ++term_;
    following_because_ = why;
    tell = std::exchange(on_step_down_, nullptr);
  }
  if (tell) tell(why);
}

void RocksDbStoreImpl::Follow(absl::Status why) {
  absl::MutexLock lock(&state_mu_);
  if (role_ == Role::kFollowing) return;
  role_ = Role::kFollowing;
  log_ = nullptr;
  on_step_down_ = nullptr;
  ++term_;
  following_because_ = std::move(why);
}

absl::Status RocksDbStoreImpl::Lead(CommitLog* log,
                                    std::function<void(absl::Status)> on_step_down) {
  if (log == nullptr) return absl::InvalidArgumentError("leading needs a commit log");
  if (!canonical_cf_ids_) {
    return absl::FailedPreconditionError(
        "this store's column families do not have the ids every replica's have; it cannot be "
        "replicated (restore it from a replica's backup)");
  }
  LeadRequest request;
  request.log = log;
  request.on_step_down = std::move(on_step_down);
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) return absl::UnavailableError("the store is shutting down");
  if (lead_request_ != nullptr) {
    return absl::FailedPreconditionError("the store is already starting to lead");
  }
  lead_request_ = &request;
  queue_mu_.Await(absl::Condition(&request.done));
  return request.result;
}

absl::Status RocksDbStoreImpl::ApplyLogEntry(const CommitEntry& entry) {
  absl::MutexLock apply(&apply_mu_);
  uint64_t applied = 0;
  {
    absl::MutexLock lock(&state_mu_);
    if (!failed_.ok()) return failed_;
    if (role_ != Role::kFollowing) {
      return WithReason(absl::FailedPreconditionError(
                            "the store does not follow a commit log: it applies no entries"),
                        "NOT_FOLLOWING");
    }
    applied = applied_log_index_;
  }
  if (entry.log_index <= applied) return absl::OkStatus();  // applied already
  if (entry.log_index != applied + 1) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "commit log entry ", entry.log_index, " cannot follow entry ", applied,
                          "; apply ", applied + 1, " first")),
                      "LOG_GAP");
  }
  if (!canonical_cf_ids_) {
    return absl::FailedPreconditionError(
        "this store's column families do not have the ids every replica's have; it cannot "
        "apply another replica's entries (restore it from a replica's backup)");
  }
  // A batch's header is 12 bytes (sequence, count); RocksDB checks the rest as it writes.
  if (entry.batch.size() <= 12) {
    return absl::DataLossError(absl::StrCat("commit log entry ", entry.log_index, " is empty"));
  }
  rocksdb::WriteBatch batch(entry.batch);
  rocksdb::WriteOptions wo;
  wo.sync = false;  // the log holds it; SyncLog makes it this disk's
  rocksdb::Status s = db_->Write(wo, &batch);
  if (s.IsCorruption() || s.IsInvalidArgument()) {
    return absl::DataLossError(
        absl::StrCat("commit log entry ", entry.log_index,
                     " is not a batch this store can apply: ", s.ToString()));
  }
  absl::Status reloaded = FromRocks(s, "applying a commit log entry");
  absl::StatusOr<sv1::StoreMeta> meta = sv1::StoreMeta();
  if (reloaded.ok()) meta = ReadMeta();
  if (reloaded.ok()) reloaded = meta.status();
  if (reloaded.ok() && meta->last_log_index() != entry.log_index) {
    reloaded = absl::DataLossError(absl::StrCat(
        "commit log entry ", entry.log_index, " wrote the meta of entry ", meta->last_log_index()));
  }
  if (reloaded.ok()) reloaded = RecoverPublished(*meta);
  if (!reloaded.ok()) {
    // Written, or perhaps written: the in-memory state may not match the disk any more.
    absl::MutexLock lock(&state_mu_);
    failed_ = WithReason(
        absl::UnavailableError(absl::StrCat(
            "the store failed to apply a commit log entry and takes no more until restarted: ",
            reloaded.message())),
        "STORE_FAILED");
    return reloaded;
  }
  absl::MutexLock lock(&listeners_mu_);
  for (auto& [id, listener] : listeners_) listener(meta->last_commit_sequence());
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RocksDbStoreImpl::SyncLog() {
  uint64_t index;
  {
    absl::MutexLock lock(&state_mu_);
    index = applied_log_index_;  // everything up to it is in the WAL already
  }
  RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "syncing the write-ahead log"));
  return index;
}

}  // namespace collectonce::store::internal
