#include "services/registry/watch_hub.h"

#include "absl/container/flat_hash_set.h"
#include "libs/rpc/errors.h"

namespace collectonce::registry {

namespace {
constexpr int kBatch = 100;

class RefusedStream : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
 public:
  explicit RefusedStream(grpc::Status s) { Finish(std::move(s)); }
  void OnDone() override { delete this; }
};
}  // namespace

class WatchStream : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
 public:
  WatchStream(WatchHub* hub, const v1::WatchChangesRequest& request, WatchScope scope)
      : hub_(hub),
        cursor_(request.after_sequence()),
        kind_(request.kind()),
        fields_(request.fields().begin(), request.fields().end()),
        scope_(std::move(scope)) {}

  // Sends what has committed after the cursor, if no write is in flight. Safe to call from
  // any thread; the hub holds its lock while it calls, so the stream cannot go away.
  void Pump() {
    absl::MutexLock lock(&mu_);
    while (!writing_ && !finished_) {
      auto changes = hub_->store()->ReadChangesAfter(cursor_, kBatch);
      if (!changes.ok()) {
        finished_ = true;
        Finish(rpc::ToGrpc(changes.status()));
        return;
      }
      if (changes->empty()) return;  // caught up; the hub wakes us after the next commit
      response_.Clear();
      for (auto& cs : *changes) {
        cursor_ = cs.commit_sequence();
        if (Matches(cs) && Scope(&cs)) {
          StripValues(&cs);
          *response_.add_change_sets() = std::move(cs);
        }
      }
      response_.set_resume_after_sequence(cursor_);
      if (response_.change_sets_size() > 0 || changes->size() == kBatch) {
        writing_ = true;
        StartWrite(&response_);
      }
    }
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        if (!finished_) {
          finished_ = true;
          Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the stream was closed"));
        }
        return;
      }
    }
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    if (!finished_) {
      finished_ = true;
      Finish(grpc::Status::CANCELLED);
    }
  }

  void OnDone() override {
    hub_->Remove(this);
    delete this;
  }

 private:
  bool Matches(const v1::ChangeSet& cs) const {
    if (kind_ != v1::SUBJECT_KIND_UNSPECIFIED) {
      const bool enterprise = cs.subject().rfind("enterprises/", 0) == 0;
      if ((kind_ == v1::ENTERPRISE) != enterprise) return false;
    }
    if (fields_.empty()) return true;
    for (const auto& c : cs.changes()) {
      if (fields_.contains(c.field())) return true;
    }
    return false;
  }
  // Keeps what the watcher's scope shows; false when nothing of the change set is left.
  bool Scope(v1::ChangeSet* cs) const {
    if (scope_.full_feed) return true;
    const v1::SubjectKind kind =
        cs->subject().rfind("enterprises/", 0) == 0 ? v1::ENTERPRISE : v1::PERSON;
    auto granted = scope_.fields.find(kind);
    if (granted == scope_.fields.end()) return false;
    google::protobuf::RepeatedPtrField<v1::FieldChange> kept;
    for (auto& c : *cs->mutable_changes()) {
      if (!granted->second.contains(c.field())) continue;
      v1::FieldChange* k = kept.Add();
      k->set_field(c.field());
      k->set_cleared(c.cleared());
      k->set_retroactive(c.retroactive());
    }
    if (kept.empty()) return false;
    // Which subject changed, when, and in which of its fields: enough to read it again under
    // a purpose. Who wrote it, for which matter and why stay with governance and auditors.
    v1::ChangeSet scoped;
    scoped.set_name(cs->name());
    scoped.set_subject(cs->subject());
    scoped.set_revision(cs->revision());
    scoped.set_commit_sequence(cs->commit_sequence());
    *scoped.mutable_commit_time() = cs->commit_time();
    scoped.mutable_changes()->Swap(&kept);
    *cs = std::move(scoped);
    return true;
  }
  // Watchers learn what changed and where; they read values through GetRecord, under their
  // own grants and purpose, where a release of personal data is recorded. A stream records
  // no accesses, so it carries no values, whoever watches.
  static void StripValues(v1::ChangeSet* cs) {
    for (auto& c : *cs->mutable_changes()) {
      c.clear_old_value();
      c.clear_new_value();
    }
  }

  WatchHub* hub_;
  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);
  const v1::SubjectKind kind_;
  const absl::flat_hash_set<std::string> fields_;
  const WatchScope scope_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  v1::WatchChangesResponse response_;
};

WatchHub::WatchHub(store::Store* store) : store_(store) {
  // Called on the store's writer thread after each commit: it only takes signal_mu_, which
  // is never held while streams read, so watchers cannot hold up the next write.
  subscription_ = store_->Subscribe([this](int64_t seq) {
    absl::MutexLock lock(&signal_mu_);
    notified_ = std::max(notified_, seq);
  });
  thread_ = std::thread([this] { Loop(); });
}

WatchHub::~WatchHub() {
  store_->Unsubscribe(subscription_);
  {
    absl::MutexLock lock(&signal_mu_);
    stopping_ = true;
  }
  thread_.join();
}

void WatchHub::Loop() {
  int64_t handled = 0;
  for (;;) {
    {
      absl::MutexLock lock(&signal_mu_);
      auto woken = [this, &handled]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(signal_mu_) {
        return stopping_ || notified_ > handled;
      };
      signal_mu_.Await(absl::Condition(&woken));
      if (stopping_) return;
      handled = notified_;
    }
    absl::MutexLock lock(&mu_);
    for (WatchStream* s : streams_) s->Pump();
  }
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchHub::Start(
    const v1::WatchChangesRequest& request, WatchScope scope) {
  auto* stream = new WatchStream(this, request, std::move(scope));
  {
    absl::MutexLock lock(&mu_);
    streams_.insert(stream);
    stream->Pump();
  }
  return stream;
}

void WatchHub::Remove(WatchStream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchHub::Refuse(grpc::Status status) {
  return new RefusedStream(std::move(status));
}

}  // namespace collectonce::registry
