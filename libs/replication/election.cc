#include "libs/replication/election.h"

#include <algorithm>
#include <utility>

#include "collectonce/replication/v1/replication.pb.h"

namespace collectonce::replication {
namespace {

namespace rv1 = ::collectonce::replication::v1;
using etcd::Compare;
using etcd::Op;

SteadyTime SteadyNow() { return std::chrono::steady_clock::now(); }

std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

absl::Duration Until(SteadyTime t) { return absl::FromChrono(t - SteadyNow()); }

LeaderInfo Parse(const etcd::KeyValue& kv) {
  rv1::LeaderRecord rec;
  LeaderInfo out;
  if (rec.ParseFromString(kv.value)) {
    out.replica_id = rec.replica_id();
    out.address = rec.address();
  }
  out.epoch = kv.create_revision;
  return out;
}

}  // namespace

Election::Election(etcd::Client* client, Layout layout, ElectionOptions options)
    : client_(client), layout_(std::move(layout)), options_(std::move(options)) {}

Election::~Election() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Election::Start(Listener listener) {
  listener_ = std::move(listener);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "election");
    Run();
  });
}

bool Election::Leading(int64_t* epoch) const {
  absl::MutexLock lock(&mu_);
  if (!self_ || SteadyNow() >= valid_until_) return false;
  if (epoch != nullptr) *epoch = leader_.epoch;
  return true;
}

SteadyTime Election::lease_valid_until() const {
  absl::MutexLock lock(&mu_);
  return self_ ? valid_until_ : SteadyTime();
}

LeaderInfo Election::leader() const {
  absl::MutexLock lock(&mu_);
  return leader_;
}

void Election::Resign(absl::Duration pause) {
  absl::MutexLock lock(&mu_);
  resign_ = true;
  resign_pause_ = pause;
}

bool Election::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void Election::Nap(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Election* e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(e->mu_) {
                             return e->stopping_ || e->resign_;
                           },
                           this),
                       d);
}

void Election::Publish(LeaderInfo leader, bool self) {
  {
    absl::MutexLock lock(&mu_);
    if (leader_.epoch == leader.epoch && leader_.replica_id == leader.replica_id && self_ == self) {
      return;
    }
    leader_ = leader;
    self_ = self;
    if (!self) valid_until_ = SteadyTime();
  }
  if (listener_) listener_(leader, self);
}

void Election::Run() {
  while (!Stopping()) {
    absl::Duration pause = absl::ZeroDuration();
    {
      absl::MutexLock lock(&mu_);
      if (resign_) {
        resign_ = false;
        pause = resign_pause_;
      }
    }
    if (pause > absl::ZeroDuration()) {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), pause);
      continue;
    }
    if (!options_.campaign) {
      auto kv = client_->Get(layout_.LeaderKey());
      if (kv.ok()) {
        Publish(Parse(*kv), false);
        Follow(kv->mod_revision);
      } else if (kv.status().code() == absl::StatusCode::kNotFound) {
        Publish({}, false);
        Nap(absl::Milliseconds(500));
      } else {
        Nap(absl::Milliseconds(200));
      }
      continue;
    }
    if (!Campaign()) continue;
  }
}

bool Election::Campaign() {
  const SteadyTime noted = SteadyNow();
  auto lease = client_->Grant(options_.lease_ttl);
  if (!lease.ok()) {
    Nap(absl::Milliseconds(200));
    return false;
  }
  rv1::LeaderRecord record;
  record.set_replica_id(options_.replica_id);
  record.set_address(options_.address);
  const std::string key = layout_.LeaderKey();
  etcd::TxnRequest txn;
  txn.compare = {Compare::CreateRevision(key, Compare::Result::kEqual, 0)};
  txn.success = {Op::Put(key, record.SerializeAsString(), lease->id)};
  txn.failure = {Op::Get(key)};
  auto result = client_->Txn(txn);
  if (!result.ok()) {
    // If the put did land (UNKNOWN), revoking the lease removes it; else it expires.
    client_->Revoke(lease->id).IgnoreError();
    Nap(absl::Milliseconds(200));
    return false;
  }
  if (result->succeeded) {
    const int64_t epoch = result->revision;
    const SteadyTime valid_until =
        noted + std::chrono::seconds(lease->ttl_seconds) - ToSteady(options_.lease_margin);
    {
      absl::MutexLock lock(&mu_);
      valid_until_ = valid_until;
    }
    Publish({options_.replica_id, options_.address, epoch}, true);
    Lead(lease->id, epoch, valid_until);
    return true;
  }
  client_->Revoke(lease->id).IgnoreError();  // only a leader needs one
  const auto& kvs =
      result->results.empty() ? std::vector<etcd::KeyValue>{} : result->results.front().kvs;
  if (kvs.empty()) return false;  // released meanwhile: campaign again at once
  Publish(Parse(kvs.front()), false);
  Follow(result->revision);
  return false;
}

void Election::Lead(int64_t lease, int64_t epoch, SteadyTime valid_until) {
  const absl::Duration interval = options_.lease_ttl / 3;
  SteadyTime next = SteadyNow() + ToSteady(interval);
  for (;;) {
    Nap(Until(next));
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || resign_) break;
    }
    const SteadyTime noted = SteadyNow();
    if (noted >= valid_until) break;  // the lease may have expired: lost
    const absl::Duration left = Until(valid_until);
    auto ttl = client_->KeepAliveOnce(lease, absl::Now() + std::min(interval, left));
    if (ttl.ok()) {
      valid_until = std::max(valid_until,
                             noted + std::chrono::seconds(*ttl) - ToSteady(options_.lease_margin));
      absl::MutexLock lock(&mu_);
      valid_until_ = valid_until;
      next = noted + ToSteady(interval);
    } else if (ttl.status().code() == absl::StatusCode::kNotFound) {
      break;  // etcd let it expire
    } else {
      next = SteadyNow() + std::chrono::milliseconds(100);  // try again soon
    }
  }
  // Stop acting as leader first, then tidy up: release the key if it is still ours so that
  // another replica need not wait for the lease to run out.
  Publish({}, false);
  const absl::Time deadline = absl::Now() + absl::Seconds(1);
  etcd::TxnRequest release;
  release.compare = {Compare::CreateRevision(layout_.LeaderKey(), Compare::Result::kEqual, epoch)};
  release.success = {Op::Delete(etcd::KeyRange::Single(layout_.LeaderKey()))};
  client_->Txn(release, deadline).IgnoreError();
  client_->Revoke(lease, deadline).IgnoreError();
}

void Election::Follow(int64_t revision) {
  auto watch = client_->StartWatch({etcd::KeyRange::Single(layout_.LeaderKey()), revision + 1});
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || resign_) return;
    }
    auto batch = watch->Next(absl::Now() + absl::Milliseconds(500));
    if (!batch.ok()) {
      if (batch.status().code() == absl::StatusCode::kDeadlineExceeded) continue;
      return;  // compacted: look again from the start
    }
    for (const etcd::Event& e : batch->events) {
      if (e.type == etcd::Event::Type::kDelete) {
        Publish({}, false);
        return;  // campaign (or, following only, read it again)
      }
      Publish(Parse(e.kv), false);
    }
  }
}

}  // namespace collectonce::replication
