#include "libs/replication/replica_controller.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "libs/base/error_reason.h"

namespace collectonce::replication {
namespace {

namespace rv1 = ::collectonce::replication::v1;

// How long a follower watches before it looks at the election again: the most a change of
// leadership waits to be acted on.
constexpr absl::Duration kPollStep = absl::Milliseconds(100);

absl::Status NotLeader(std::string why) {
  return WithReason(absl::FailedPreconditionError(std::move(why)), "NOT_LEADER");
}

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace

ReplicaController::ReplicaController(etcd::Client* client, Layout layout, ReplicatedStore* store,
                                     ReplicaControllerOptions options)
    : client_(client),
      layout_(std::move(layout)),
      store_(store),
      options_(std::move(options)),
      log_(client, layout_, options_.election.replica_id),
      election_(std::make_unique<Election>(client, layout_, options_.election)) {}

ReplicaController::~ReplicaController() {
  Stop();
  election_.reset();  // its thread calls back into this object until it stops
}

void ReplicaController::Start() {
  store_->Follow(NotLeader("this replica is starting and follows the log"));
  {
    absl::MutexLock lock(&mu_);
    status_.applied_index = store_->applied_log_index();
  }
  election_->Start([this](const LeaderInfo& leader, bool) {
    absl::MutexLock lock(&mu_);
    status_.leader = leader;
    news_ = true;
  });
  runner_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "replica");
    Run();
  });
  housekeeper_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "replica-report");
    Housekeep();
  });
}

void ReplicaController::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (runner_.joinable()) runner_.join();
  if (housekeeper_.joinable()) housekeeper_.join();
  if (leading_) StopLeading(NotLeader("this replica is shutting down"));
  election_->Resign(absl::InfiniteDuration());  // another replica need not wait for the lease
}

bool ReplicaController::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void ReplicaController::Nap(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](ReplicaController* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
                             return c->stopping_ || c->news_ || c->stepped_down_;
                           },
                           this),
                       d);
  news_ = false;
}

ReplicaStatus ReplicaController::status() const {
  ReplicaStatus s;
  {
    absl::MutexLock lock(&mu_);
    s = status_;
  }
  s.applied_index = store_->applied_log_index();
  s.committed_index = std::max(s.committed_index, s.applied_index);
  s.role = Leading() ? Role::kLeading : Role::kFollowing;
  s.epoch = s.role == Role::kLeading ? leading_epoch_.load() : 0;
  return s;
}

bool ReplicaController::Leading() const {
  int64_t epoch = 0;
  return leading_ && election_ != nullptr && election_->Leading(&epoch) && epoch == leading_epoch_;
}

LeaderInfo ReplicaController::leader() const {
  absl::MutexLock lock(&mu_);
  return status_.leader;
}

void ReplicaController::NoteError(const absl::Status& s) {
  absl::MutexLock lock(&mu_);
  status_.last_error = s;
}

void ReplicaController::Run() {
  int64_t resigned_epoch = 0;  // not to be led again while the election lets it go
  while (!Stopping()) {
    bool stepped_down = false;
    absl::Status why;
    {
      absl::MutexLock lock(&mu_);
      std::swap(stepped_down, stepped_down_);
      why = step_down_why_;
    }
    if (stepped_down && leading_) {
      // The store follows already. A fenced append means another leader (or none): give the
      // key up. An unknown outcome keeps the lease; the log is read again before leading.
      leading_ = false;
      NoteError(why);
      if (why.code() == absl::StatusCode::kAborted) {
        resigned_epoch = leading_epoch_;
        election_->Resign(absl::Seconds(1));
      }
      Nap(kPollStep);
      continue;
    }
    int64_t epoch = 0;
    const bool elected = election_->Leading(&epoch);
    if (leading_ && (!elected || epoch != leading_epoch_)) {
      StopLeading(NotLeader("this replica lost its leader lease"));
    }
    if (elected && !leading_ && epoch != resigned_epoch) {
      TakeLeadership(epoch);
      continue;
    }
    if (leading_) {
      Nap(kPollStep);
      continue;
    }
    FollowStep();
  }
  watch_.reset();
}

absl::Status ReplicaController::Apply(const LogEntry& entry) {
  absl::Status s = store_->ApplyLogEntry(entry.index, entry.bytes);
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ++status_.entries_applied;
  status_.committed_index = std::max(status_.committed_index, entry.index);
  return s;
}

absl::Status ReplicaController::CatchUp(const std::function<bool()>& keep_going, bool then_watch) {
  while (keep_going()) {
    const uint64_t from = store_->applied_log_index() + 1;
    int64_t revision = 0;
    auto entries = log_.Read(from, options_.read_batch, &revision);
    {
      absl::MutexLock lock(&mu_);
      ++status_.log_reads;
    }
    if (!entries.ok()) return entries.status();
    for (const LogEntry& e : *entries) {
      if (auto s = Apply(e); !s.ok()) return s;
    }
    if (static_cast<int>(entries->size()) < options_.read_batch) {
      if (!then_watch) return absl::OkStatus();
      // At the end as of `revision`: a watch from the next one misses nothing.
      watch_ = client_->StartWatch({layout_.LogKeys(), revision + 1});
      absl::MutexLock lock(&mu_);
      ++status_.watches_started;
      return absl::OkStatus();
    }
  }
  return absl::CancelledError("stopped catching up");
}

void ReplicaController::FollowStep() {
  if (watch_ == nullptr) {
    absl::Status s = CatchUp([this] { return !Stopping(); }, /*then_watch=*/true);
    if (!s.ok()) {
      watch_.reset();
      NoteError(s);
      if (ReasonOf(s) == "LOG_TRIMMED") {
        std::cerr << "replica " << options_.election.replica_id << ": " << s.message()
                  << "; restore a backup that covers the log's first entry\n";
      }
      Nap(s.code() == absl::StatusCode::kOutOfRange ? absl::Seconds(1) : kPollStep);
    }
    return;
  }
  auto batch = watch_->Next(absl::Now() + kPollStep);
  if (!batch.ok()) {
    if (batch.status().code() != absl::StatusCode::kDeadlineExceeded) watch_.reset();
    return;  // compacted: read again
  }
  for (const etcd::Event& ev : batch->events) {
    if (ev.type != etcd::Event::Type::kPut) continue;  // trimmed entries
    auto e = log_.Decode(ev.kv);
    if (!e.ok()) {
      NoteError(e.status());
      watch_.reset();
      return;
    }
    const uint64_t applied = store_->applied_log_index();
    if (e->index <= applied) continue;
    absl::Status s = e->index == applied + 1
                         ? Apply(*e)
                         : absl::DataLossError(absl::StrCat("the watch skipped from entry ",
                                                            applied, " to ", e->index));
    if (!s.ok()) {
      NoteError(s);
      watch_.reset();  // read again from the applied index
      Nap(kPollStep);
      return;
    }
  }
}

void ReplicaController::TakeLeadership(int64_t epoch) {
  watch_.reset();
  auto still_leading = [this](int64_t e) {
    int64_t now = 0;
    return election_->Leading(&now) && now == e;
  };
  // Every entry the previous leader appended landed before this replica's leader key was
  // put; a linearizable read now sees them all.
  absl::Status s =
      CatchUp([&] { return !Stopping() && still_leading(epoch); }, /*then_watch=*/false);
  if (!s.ok()) {
    NoteError(s);
    if (s.code() == absl::StatusCode::kOutOfRange) {
      // This replica is behind the trimmed log: it cannot lead until restored.
      election_->Resign(absl::Seconds(30));
    }
    Nap(kPollStep);
    return;
  }
  auto log = std::make_unique<EtcdCommitLog>(&log_, epoch, still_leading, options_.append_timeout);
  if (append_observer_) log->set_observer(append_observer_);
  s = store_->Lead(log.get(), [this, epoch](absl::Status why) { OnStepDown(epoch, why); });
  commit_logs_.push_back(std::move(log));
  if (!s.ok()) {
    NoteError(s);
    store_->Follow(NotLeader("this replica could not start leading"));
    election_->Resign(absl::Seconds(1));
    return;
  }
  leading_epoch_ = epoch;
  leading_ = true;
  absl::MutexLock lock(&mu_);
  ++status_.terms_led;
  status_.last_error = absl::OkStatus();
}

void ReplicaController::StopLeading(const absl::Status& why) {
  store_->Follow(why);
  leading_ = false;
}

void ReplicaController::OnStepDown(int64_t epoch, absl::Status why) {
  absl::MutexLock lock(&mu_);
  if (epoch != leading_epoch_) return;
  stepped_down_ = true;
  step_down_why_ = std::move(why);
}

void ReplicaController::Housekeep() {
  absl::Time next_trim = absl::Now() + options_.trim_interval;
  while (!Stopping()) {
    Report();
    if (options_.trim_interval > absl::ZeroDuration() && absl::Now() >= next_trim) {
      if (Leading()) Trim();
      next_trim = absl::Now() + options_.trim_interval;
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.report_interval);
  }
}

void ReplicaController::Report() {
  rv1::ReplicaRecord record;
  record.set_replica_id(options_.election.replica_id);
  record.set_address(options_.election.address);
  record.set_applied_index(store_->durable_log_index());
  record.set_applied_commit_sequence(store_->applied_commit_sequence());
  record.set_report_time_us(NowMicros());
  const absl::Time deadline = absl::Now() + options_.report_interval;
  client_
      ->Put(layout_.ReplicaKey(options_.election.replica_id), record.SerializeAsString(), 0,
            deadline)
      .IgnoreError();
  auto bounds = log_.Bounds(deadline);
  if (!bounds.ok()) return;
  absl::MutexLock lock(&mu_);
  status_.log_first_index = bounds->first;
  status_.log_last_index = bounds->second;
  status_.committed_index = std::max(status_.committed_index, bounds->second);
}

void ReplicaController::Trim() {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  etcd::RangeRequest r;
  r.keys = layout_.ReplicaKeys();
  auto replicas = client_->Range(r, deadline);
  if (!replicas.ok() || replicas->kvs.empty()) return;
  uint64_t below = UINT64_MAX;
  for (const etcd::KeyValue& kv : replicas->kvs) {
    rv1::ReplicaRecord rec;
    if (!rec.ParseFromString(kv.value)) return;  // unreadable: trim nothing
    below = std::min<uint64_t>(below, rec.applied_index() + 1);
  }
  if (options_.trim_requires_backup) {
    auto mark = client_->Get(layout_.BackupKey(), deadline);
    if (!mark.ok()) return;  // no verified backup yet: keep everything
    rv1::BackupMark m;
    if (!m.ParseFromString(mark->value)) return;
    below = std::min<uint64_t>(below, m.log_index() + 1);
  }
  auto trimmed = log_.Trim(below, deadline);
  if (!trimmed.ok()) return;
  {
    absl::MutexLock lock(&mu_);
    status_.entries_trimmed += *trimmed;
  }
  // Deleted keys keep their space until etcd compacts; compact behind the previous trim so
  // that a follower's watch has a trim interval to move past it (else it reads again).
  if (previous_trim_revision_ > 0)
    client_->Compact(previous_trim_revision_, deadline).IgnoreError();
  previous_trim_revision_ = replicas->revision;
}

}  // namespace collectonce::replication
