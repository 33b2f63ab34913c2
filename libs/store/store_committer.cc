#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/store/audit_value.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

void RocksDbStoreImpl::Write(WriteRequest request, WriteCallback done) {
  WriteOp op;
  auto cat = GetCatalog(request.subject ? request.subject->kind : request.kind);
  if (!cat.ok()) {
    done(WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG"), {});
    return;
  }
  if (!request.subject && request.kind != v1::PERSON) {
    done(absl::InvalidArgumentError("a write names its subject (only a person may be found by "
                                    "ID number)"),
         {});
    return;
  }
  // Value checks need no stored state: run them here, on the caller's thread.
  CheckRequestValues(**cat, Today(NowMicros()), &request, &op.violations);
  op.catalog_version = (*cat)->version();
  if (!op.violations.empty()) {
    absl::Status st = catalog::ViolationsToStatus(op.violations, "the write");
    done(st, std::move(op.violations));
    return;
  }
  if (!request.subject) {
    const std::string& lookup = (*cat)->proto().lookup_field();
    for (const auto& c : request.changes) {
      if (c.field == lookup && c.value) {
        op.lookup_value = c.value->string_value();
        op.lookup_hash = options_.index_hash.Hash(op.lookup_value);
      }
    }
    if (op.lookup_hash.empty()) {
      done(absl::InvalidArgumentError(absl::StrCat("a write without a person's name must give ",
                                                   lookup, " to find the person")),
           {{lookup, "REQUIRED", "needed to find or create the person"}});
      return;
    }
  }
  if (request.request_id.size() > 128) {
    done(absl::InvalidArgumentError("a request id is at most 128 characters"),
         {{"request_id", "LENGTH", "at most 128 characters"}});
    return;
  }
  if (!request.request_id.empty()) op.digest = RequestDigest(request);
  op.request = std::move(request);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::RecordAccess(AccessRecord access, std::function<void(absl::Status)> done) {
  RecordAccessIndexed(std::move(access), [done = std::move(done)](absl::StatusOr<uint64_t> index) {
    done(index.status());
  });
}

void RocksDbStoreImpl::RecordAccessIndexed(AccessRecord access,
                                           std::function<void(absl::StatusOr<uint64_t>)> done) {
  AccessOp op;
  op.access = std::move(access);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::ApplyCatalogAsync(
    v1::Catalog proto, const std::string& principal, bool dry_run,
    std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done) {
  catalog::Violations v;
  proto.clear_version();
  proto.clear_update_time();
  proto.clear_etag();
  auto compiled = catalog::Catalog::Compile(proto, &v);
  if (!compiled.ok()) return done(compiled.status(), std::move(v));
  auto existing = GetCatalog(proto.kind());
  if (existing.ok()) {
    (*compiled)->CheckEvolutionFrom(**existing, &v);
    if (!v.empty()) {
      absl::Status st = catalog::ViolationsToStatus(v, "the catalog change");
      return done(st, std::move(v));
    }
    v1::Catalog old = (*existing)->proto();
    old.clear_version();
    old.clear_update_time();
    old.clear_etag();
    if (old.SerializeAsString() == (*compiled)->proto().SerializeAsString()) {
      return done((*existing)->proto(), {});  // identical: not a new version
    }
  }
  if (dry_run) {
    v1::Catalog out = (*compiled)->proto();
    out.set_version(existing.ok() ? (*existing)->version() + 1 : 1);
    return done(out, {});
  }
  CatalogOp op;
  op.catalog = (*compiled)->proto();
  op.principal = principal;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::Enqueue(Op op) {
  absl::Status refused;
  {
    absl::MutexLock lock(&state_mu_);
    refused = failed_;
    if (refused.ok() && role_ == Role::kFollowing) refused = NotLeaderLocked();
  }
  if (refused.ok()) {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(op));
      return;
    }
    refused = absl::UnavailableError("the store is shutting down");
  }
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, WriteOp> || std::is_same_v<T, CatalogOp>) {
          o.done(refused, {});
        } else {
          o.done(refused);
        }
      },
      op);
}

void RocksDbStoreImpl::CommitLoop() {
  std::unique_ptr<Group> previous;  // handed to the writer, perhaps still being written
  for (;;) {
    auto g = std::make_unique<Group>();
    LeadRequest* lead = nullptr;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->queue_mu_) {
            return s->stopping_ || !s->queue_.empty() || s->lead_request_ != nullptr;
          },
          this));
      lead = std::exchange(lead_request_, nullptr);
      if (lead == nullptr && queue_.empty()) break;  // stopping and drained
      size_t n = std::min<size_t>(queue_.size(), options_.max_group_size);
      g->ops.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        g->ops.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (lead != nullptr) {
      // The committer's state is reloaded with nothing in the writer's hands.
      if (previous != nullptr) AwaitWritten(*previous).IgnoreError();
      previous.reset();
      absl::Status result = BecomeLeader(*lead);
      absl::MutexLock lock(&queue_mu_);
      lead->result = std::move(result);
      lead->done = true;  // Lead may free it from here on
      continue;
    }
    absl::Status refused = AdmitGroup(*g);
    // Whether the group's operations hold results of their own (a validation error stands
    // even when the group is refused afterwards); unprepared ones all get the refusal.
    bool prepared = false;
    if (refused.ok()) {
      g->earlier = previous.get();
      PrepareGroup(*g);
      prepared = true;
    }
    // Where the counters go back to if this group cannot be written.
    const Group* restore = refused.ok() ? g.get() : nullptr;
    absl::Status earlier;
    if (previous != nullptr) {
      earlier = AwaitWritten(*previous);
      if (!earlier.ok()) restore = previous.get();  // g was built on it
    }
    if (refused.ok()) refused = Health();
    if (refused.ok() && !earlier.ok()) {
      // The commit log refused the group before, which this one was built on, and the store
      // is sound: nothing of either was written or acknowledged, so this one is prepared
      // again on the state before that group (unless the store stepped down meanwhile).
      RestoreCounters(*previous);
      restore = nullptr;
      previous.reset();
      refused = AdmitGroup(*g);
      ClearGroup(*g);
      ResetResults(*g);
      prepared = false;
      if (refused.ok()) {
        g->earlier = nullptr;
        PrepareGroup(*g);
        prepared = true;
      }
    }
    if (!refused.ok()) {
      // Nothing of the group is acknowledged. After a failed write the store stops taking
      // writes: its in-memory counters may no longer match the disk, and failing loudly
      // beats guessing.
      if (restore != nullptr) RestoreCounters(*restore);
      previous.reset();
      if (prepared) {
        FailGroup(*g, refused);
      } else {
        FailAll(*g, refused);
      }
      PostCompletions(std::move(g->ops));
      continue;
    }
    previous.reset();
    g->earlier = nullptr;
    HandToWriter(g.get());
    previous = std::move(g);
  }
  if (previous != nullptr) AwaitWritten(*previous).IgnoreError();  // its callbacks are posted
}

void RocksDbStoreImpl::HandToWriter(Group* g) {
  absl::MutexLock lock(&writer_mu_);
  to_write_ = g;  // the slot is free: the committer waited for the previous group
}

absl::Status RocksDbStoreImpl::AwaitWritten(const Group& g) {
  absl::MutexLock lock(&writer_mu_);
  writer_mu_.Await(absl::Condition(
      +[](const Group* x) { return x->written; }, &g));
  return g.write_status;
}

std::shared_ptr<const catalog::Catalog> RocksDbStoreImpl::LatestCatalog(const Group& g,
                                                                        v1::SubjectKind kind) {
  std::shared_ptr<const catalog::Catalog> cat;
  {
    absl::MutexLock lock(&state_mu_);
    auto it = catalogs_.find(kind);
    if (it != catalogs_.end()) cat = it->second;
  }
  for (const Group* x : {g.earlier, &g}) {
    if (x == nullptr) continue;
    for (const auto& [k, c] : x->catalogs) {
      if (k == kind) cat = c;
    }
  }
  return cat;
}

int64_t RocksDbStoreImpl::NextCommitTime() {
  // Strictly increasing, so that commit time orders change sets as the sequence does even
  // if the wall clock steps back.
  last_time_us_ = std::max(NowMicros(), last_time_us_ + 1);
  return last_time_us_;
}

void RocksDbStoreImpl::AppendAudit(Group& g, v1::AuditEntry entry) {
  if (options_.benchmark_without_audit_log) return;
  entry.set_format_version(1);
  entry.set_index(appender_.size());
  if (!entry.has_time()) *entry.mutable_time() = MicrosToTimestamp(last_time_us_);
  std::string bytes;
  entry.SerializeToString(&bytes);
  std::vector<audit::NodeWrite> nodes;
  const audit::Hash leaf = audit::LeafHash(bytes);
  appender_.Append(leaf, &nodes);
  g.batch.Put(handles_[kAudit], keys::AuditIndex(entry.index()), EncodeAuditValue(leaf, bytes));
  for (const auto& n : nodes) {
    if (n.level < kLowestStoredAuditLevel) continue;
    g.batch.Put(handles_[kAuditNodes], keys::AuditNode(n.level, n.index),
                rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
  }
}

void RocksDbStoreImpl::PrepareGroup(Group& g) {
  g.first_sequence = next_sequence_;
  g.appender_before = appender_;
  g.time_before_us = last_time_us_;
  g.log_index_before = next_log_index_;
  // A group appended to a commit log stays within one entry: it is closed before the
  // operation that would overflow it, which goes to the next group; an operation that
  // overflows an empty group fails. (The meta put at the end stays far below the slack.)
  constexpr size_t kMetaSlack = 1024;
  const bool bounded = g.log != nullptr && options_.max_entry_bytes > 0;
  const size_t limit =
      options_.max_entry_bytes > kMetaSlack ? options_.max_entry_bytes - kMetaSlack : 0;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    ApplyOp(g, g.ops[i]);
    if (!bounded || g.batch.GetDataSize() <= limit) continue;
    const size_t bytes = g.batch.GetDataSize();
    // Everything from this operation on waits for the next group, and the operations
    // before it are prepared again without it (what they decided is not written yet).
    const size_t keep = i == 0 ? 1 : i;
    Requeue(std::vector<Op>(std::make_move_iterator(g.ops.begin() + keep),
                            std::make_move_iterator(g.ops.end())));
    g.ops.resize(keep);
    ResetGroup(g);
    if (i == 0) {
      std::visit(
          [&](auto& o) {
            o.result = WithReason(absl::InvalidArgumentError(absl::StrCat(
                                      "the change would write ", bytes,
                                      " bytes; a replicated commit holds at most ", limit)),
                                  "TOO_LARGE");
          },
          g.ops[0]);
      break;
    }
    ResetResults(g);
    for (Op& op : g.ops) ApplyOp(g, op);
    break;
  }
  FinishGroup(g);
}

void RocksDbStoreImpl::ApplyOp(Group& g, Op& op) {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        // Every Apply* checks everything before it assigns a sequence, appends to the audit
        // log or puts anything, so a failed operation only needs its puts rolled back (and
        // has none in practice); the Merkle frontier is never copied per operation.
        g.batch.SetSavePoint();
        if constexpr (std::is_same_v<T, WriteOp>) {
          ApplyWrite(g, o);
          if (!o.result.ok()) g.batch.RollbackToSavePoint();
        } else if constexpr (std::is_same_v<T, AccessOp>) {
          ApplyAccess(g, o);
        } else if constexpr (std::is_same_v<T, ReuseOp>) {
          sv1::ReuseEvent e;
          e.set_forms_served(static_cast<int32_t>(o.counts.forms_served));
          e.set_fields_requested(static_cast<int32_t>(o.counts.fields_requested));
          e.set_fields_prefilled(static_cast<int32_t>(o.counts.fields_prefilled));
          e.set_fields_collected(static_cast<int32_t>(o.counts.fields_collected));
          g.batch.Put(handles_[kReuse], keys::Reuse(o.form, NextCommitTime()),
                      e.SerializeAsString());
        } else if constexpr (std::is_same_v<T, ObjectOp>) {
          ApplyObjectOp(g, o);
          if (!o.result.ok()) g.batch.RollbackToSavePoint();
        } else {
          ApplyCatalogOp(g, o);
          if (!o.result.ok()) g.batch.RollbackToSavePoint();
        }
      },
      op);
}

void RocksDbStoreImpl::RestoreCounters(const Group& g) {
  next_sequence_ = g.first_sequence;
  appender_ = g.appender_before;
  last_time_us_ = g.time_before_us;
  next_log_index_ = g.log_index_before;
}

void RocksDbStoreImpl::ResetResults(Group& g) {
  for (Op& op : g.ops) {
    std::visit(
        [](auto& o) {
          using T = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<T, WriteOp> || std::is_same_v<T, CatalogOp>) {
            o.result = absl::UnknownError("not committed");
            o.violations.clear();
          } else if constexpr (std::is_same_v<T, ReuseOp>) {
            o.result = absl::OkStatus();
          } else {
            o.result = absl::UnknownError("not committed");
          }
        },
        op);
  }
}

void RocksDbStoreImpl::ResetGroup(Group& g) {
  RestoreCounters(g);
  ClearGroup(g);
}

void RocksDbStoreImpl::ClearGroup(Group& g) {
  g.batch.Clear();
  g.states.clear();
  g.superseded.clear();
  g.person_index.clear();
  g.requests.clear();
  g.objects.clear();
  g.catalogs.clear();
  g.evidence.clear();
  g.evidence_invalidated.clear();
}

void RocksDbStoreImpl::Requeue(std::vector<Op> ops) {
  absl::MutexLock lock(&queue_mu_);
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) queue_.push_front(std::move(*it));
}

void RocksDbStoreImpl::FinishGroup(Group& g) {
  g.last_sequence = next_sequence_ - 1;
  g.audit_size = appender_.size();
  g.time_after_us = last_time_us_;
  if (g.batch.Count() > 0) {
    sv1::StoreMeta meta;
    meta.set_last_commit_sequence(g.last_sequence);
    meta.set_last_commit_time_us(last_time_us_);
    meta.set_audit_size(appender_.size());
    meta.set_format_version(kFormatVersion);
    meta.set_index_key_check(index_key_check_);
    // Local mode keeps the index the store was left at (0 if never replicated).
    if (g.log != nullptr) g.log_index = next_log_index_++;
    meta.set_last_log_index(g.log != nullptr ? g.log_index : next_log_index_ - 1);
    g.low_edge = LowEdgeOf(appender_);
    for (const auto& n : g.low_edge) {
      meta.add_audit_low_frontier(reinterpret_cast<const char*>(n.hash.data()), n.hash.size());
    }
    g.batch.Put(handles_[kMeta], keys::kMetaKey, meta.SerializeAsString());
  }
}

void RocksDbStoreImpl::AddReuseAsync(const std::string& form, const ReuseCounts& counts,
                                     std::function<void(absl::Status)> done) {
  ReuseOp op;
  op.form = form;
  op.counts = counts;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::PutObjectAsync(const std::string& type, const std::string& name,
                                      std::string payload, const std::string& principal,
                                      std::function<void(absl::StatusOr<StoredObject>)> done) {
  ObjectOp op;
  op.type = type;
  op.name = name;
  op.payload = std::move(payload);
  op.principal = principal;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::WriteObjectAsync(ObjectWrite write,
                                        std::function<void(absl::StatusOr<StoredObject>)> done) {
  ObjectOp op;
  op.type = std::move(write.type);
  op.name = std::move(write.name);
  op.payload = std::move(write.payload);
  op.principal = std::move(write.principal);
  op.expected_version = write.expected_version;
  op.action = std::move(write.action);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

}  // namespace collectonce::store::internal
