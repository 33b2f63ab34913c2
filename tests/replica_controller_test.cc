// The replica controller (libs/replication/replica_controller.h) against a real etcd member,
// with stores kept in memory that follow the ReplicatedStore contract: one leader among
// three, followers that apply every entry in order, a takeover that continues the log, a
// deposed leader whose appends etcd refuses, trimming bounded by the replicas and the backup
// mark, and a replica that catches up after missing entries.
#include "libs/replication/replica_controller.h"

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/replication/cluster_status.h"
#include "tests/etcd_cluster.h"

namespace collectonce {
namespace {

using ::collectonce::testing::EtcdCluster;
using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using replication::Layout;
using replication::LogAppender;
using replication::ReplicaController;
using replication::ReplicaControllerOptions;

constexpr char kPrefix[] = "/collectonce/controller-test";

template <typename F>
bool WaitFor(F condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// A store in memory that keeps the ReplicatedStore contract: entries are opaque strings,
// written by the leader only after the log took them.
class MemoryStore final : public replication::ReplicatedStore {
 public:
  uint64_t applied_log_index() const override {
    absl::MutexLock lock(&mu_);
    return entries_.size();
  }
  int64_t applied_commit_sequence() const override {
    return static_cast<int64_t>(applied_log_index());
  }
  absl::Status ApplyLogEntry(uint64_t index, absl::string_view bytes) override {
    absl::MutexLock writer(&writer_mu_);  // after a write in flight, as the store's writer
    absl::MutexLock lock(&mu_);
    if (leading_) return absl::FailedPreconditionError("leading");
    if (index <= entries_.size()) return absl::OkStatus();
    if (index != entries_.size() + 1) return absl::FailedPreconditionError("out of order");
    entries_.emplace_back(bytes);
    return absl::OkStatus();
  }
  void Follow(absl::Status) override {
    absl::MutexLock lock(&mu_);
    leading_ = false;
  }
  absl::Status Lead(LogAppender* log, std::function<void(absl::Status)> on_step_down) override {
    absl::MutexLock lock(&mu_);
    leading_ = true;
    log_ = log;
    on_step_down_ = std::move(on_step_down);
    return absl::OkStatus();
  }

  // One write, as the store's writer does it: append, then keep (or step down).
  absl::Status Write(const std::string& bytes) {
    absl::MutexLock writer(&writer_mu_);
    LogAppender* log = nullptr;
    uint64_t index = 0;
    {
      absl::MutexLock lock(&mu_);
      if (!leading_) return WithReason(absl::FailedPreconditionError("follower"), "NOT_LEADER");
      log = log_;
      index = entries_.size() + 1;
    }
    absl::Status s = log->Append(index, bytes);
    std::function<void(absl::Status)> step_down;
    {
      absl::MutexLock lock(&mu_);
      if (s.ok()) {
        entries_.push_back(bytes);
        return s;
      }
      if (s.code() == absl::StatusCode::kUnavailable) return s;
      leading_ = false;
      step_down = std::move(on_step_down_);
    }
    if (step_down) step_down(s);
    return s;
  }
  bool leading() const {
    absl::MutexLock lock(&mu_);
    return leading_;
  }
  LogAppender* appender() const {
    absl::MutexLock lock(&mu_);
    return log_;
  }
  std::vector<std::string> entries() const {
    absl::MutexLock lock(&mu_);
    return entries_;
  }

 private:
  absl::Mutex writer_mu_;
  mutable absl::Mutex mu_;
  std::vector<std::string> entries_ ABSL_GUARDED_BY(mu_);
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  LogAppender* log_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::function<void(absl::Status)> on_step_down_ ABSL_GUARDED_BY(mu_);
};

class ReplicaControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-controller-XXXXXX";
    dir_ = mkdtemp(tmpl);
    testing::EtcdClusterOptions o;
    o.members = 1;
    o.dir = dir_ + "/etcd";
    auto c = EtcdCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status();
    cluster_ = *std::move(c);
    etcd::ClientOptions co;
    co.endpoints = cluster_->endpoints();
    co.attempt_timeout = absl::Seconds(1);
    client_ = *etcd::Client::Create(co);
  }
  void TearDown() override {
    replicas_.clear();
    if (HasFailure() && cluster_ != nullptr) std::cerr << cluster_->LogTails(30);
    cluster_.reset();
    std::filesystem::remove_all(dir_);
  }

  ReplicaControllerOptions Options(const std::string& id) {
    ReplicaControllerOptions o;
    o.election.replica_id = id;
    o.election.address = id + ".test:7400";
    o.election.lease_ttl = absl::Seconds(2);
    o.report_interval = absl::Milliseconds(100);
    o.trim_interval = absl::ZeroDuration();
    o.read_batch = 8;  // several reads to catch up
    return o;
  }
  // Starts replica `id` on `store`.
  ReplicaController* Start(const std::string& id, MemoryStore* store, ReplicaControllerOptions o) {
    auto c = std::make_unique<ReplicaController>(client_.get(), Layout(kPrefix), store, o);
    c->Start();
    replicas_.push_back(std::move(c));
    return replicas_.back().get();
  }
  // The one that leads, once exactly one does (bounded).
  int WaitForLeader(const std::vector<ReplicaController*>& cs) {
    int found = -1;
    WaitFor(
        [&] {
          int n = 0;
          for (size_t i = 0; i < cs.size(); ++i) {
            if (cs[i] != nullptr && cs[i]->Leading()) {
              found = static_cast<int>(i);
              ++n;
            }
          }
          return n == 1;
        },
        absl::Seconds(10));
    return found;
  }

  // A store in memory that outlives the replicas using it.
  MemoryStore* NewStore() {
    stores_.push_back(std::make_unique<MemoryStore>());
    return stores_.back().get();
  }

  std::string dir_;
  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<etcd::Client> client_;
  std::vector<std::unique_ptr<MemoryStore>> stores_;
  std::vector<std::unique_ptr<ReplicaController>> replicas_;
};

TEST_F(ReplicaControllerTest, FollowersApplyEveryEntryOfTheLeaderInOrder) {
  MemoryStore* created[3] = {NewStore(), NewStore(), NewStore()};
  std::vector<ReplicaController*> cs;
  for (int i = 0; i < 3; ++i) {
    cs.push_back(Start(absl::StrCat("r", i), created[i], Options(absl::StrCat("r", i))));
  }
  auto& stores = created;
  const int l = WaitForLeader(cs);
  ASSERT_GE(l, 0);
  ASSERT_TRUE(WaitFor([&] { return stores[l]->leading(); }, absl::Seconds(5)));
  for (int n = 1; n <= 40; ++n) ASSERT_THAT(stores[l]->Write(absl::StrCat("entry ", n)), IsOk());
  for (int i = 0; i < 3; ++i) {
    if (i == l) continue;
    EXPECT_THAT(stores[i]->Write("not here"), StatusIs(absl::StatusCode::kFailedPrecondition));
    ASSERT_TRUE(WaitFor([&] { return stores[i]->applied_log_index() == 40; }, absl::Seconds(10)))
        << "replica " << i << " applied " << stores[i]->applied_log_index();
    EXPECT_EQ(stores[i]->entries(), stores[l]->entries());
    EXPECT_EQ(cs[i]->leader().address, absl::StrCat("r", l, ".test:7400"));
    EXPECT_EQ(cs[i]->status().role, replication::Role::kFollowing);
  }
  auto st = cs[l]->status();
  EXPECT_EQ(st.role, replication::Role::kLeading);
  EXPECT_GT(st.epoch, 0);
  EXPECT_EQ(st.applied_index, 40u);
  // Every replica reports what it applied.
  ASSERT_TRUE(WaitFor(
      [&] {
        etcd::RangeRequest r;
        r.keys = Layout(kPrefix).ReplicaKeys();
        auto got = client_->Range(r);
        if (!got.ok() || got->kvs.size() != 3) return false;
        for (const auto& kv : got->kvs) {
          replication::v1::ReplicaRecord rec;
          if (!rec.ParseFromString(kv.value) || rec.applied_index() != 40) return false;
        }
        return true;
      },
      absl::Seconds(5)));

  // What `registryctl cluster status` shows.
  auto cluster = replication::ReadClusterStatus(client_.get(), Layout(kPrefix),
                                                absl::Now() + absl::Seconds(5));
  ASSERT_THAT(cluster.status(), IsOk());
  EXPECT_EQ(cluster->leader_replica_id(), absl::StrCat("r", l));
  EXPECT_EQ(cluster->epoch(), st.epoch);
  EXPECT_EQ(cluster->log_first_index(), 1u);
  EXPECT_EQ(cluster->log_last_index(), 40u);
  ASSERT_EQ(cluster->members_size(), 1);
  EXPECT_TRUE(cluster->members(0).leader());
  EXPECT_EQ(cluster->members(0).error(), "");
  ASSERT_EQ(cluster->replicas_size(), 3);
  for (const auto& r : cluster->replicas()) {
    EXPECT_EQ(r.lag(), 0u);
    EXPECT_EQ(r.leader(), r.replica_id() == absl::StrCat("r", l));
  }
}

TEST_F(ReplicaControllerTest, ATakeoverContinuesTheLogAndAStoppedReplicaCatchesUp) {
  MemoryStore* created[3] = {NewStore(), NewStore(), NewStore()};
  std::vector<ReplicaController*> cs;
  for (int i = 0; i < 3; ++i) {
    cs.push_back(Start(absl::StrCat("r", i), created[i], Options(absl::StrCat("r", i))));
  }
  auto& stores = created;
  const int l = WaitForLeader(cs);
  ASSERT_GE(l, 0);
  ASSERT_TRUE(WaitFor([&] { return stores[l]->leading(); }, absl::Seconds(5)));
  for (int n = 1; n <= 10; ++n) ASSERT_THAT(stores[l]->Write(absl::StrCat("a", n)), IsOk());
  const int64_t first_epoch = cs[l]->status().epoch;

  const absl::Time stopped = absl::Now();
  cs[l]->Stop();  // resigns: no waiting for the lease
  EXPECT_FALSE(stores[l]->leading());
  std::vector<ReplicaController*> rest = cs;
  rest[l] = nullptr;
  const int m = WaitForLeader(rest);
  ASSERT_GE(m, 0);
  ASSERT_TRUE(WaitFor([&] { return stores[m]->leading(); }, absl::Seconds(5)));
  ASSERT_THAT(stores[m]->Write("b1"), IsOk());
  std::cout << "takeover after a resignation: " << absl::FormatDuration(absl::Now() - stopped)
            << "\n";
  EXPECT_GT(cs[m]->status().epoch, first_epoch);
  for (int n = 2; n <= 20; ++n) ASSERT_THAT(stores[m]->Write(absl::StrCat("b", n)), IsOk());
  EXPECT_EQ(stores[m]->entries().size(), 30u);
  EXPECT_EQ(stores[m]->entries()[9], "a10");
  EXPECT_EQ(stores[m]->entries()[10], "b1");

  // The stopped replica starts again on its store and reads what it missed.
  Start(absl::StrCat("r", l), stores[l], Options(absl::StrCat("r", l)));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitFor([&] { return stores[i]->applied_log_index() == 30; }, absl::Seconds(10)))
        << "replica " << i;
    EXPECT_EQ(stores[i]->entries(), stores[m]->entries());
  }
}

TEST_F(ReplicaControllerTest, ADeposedLeaderIsFencedAndStepsDown) {
  MemoryStore& a = *NewStore();
  MemoryStore& b = *NewStore();
  ReplicaController* ca = Start("a", &a, Options("a"));
  ASSERT_TRUE(WaitFor([&] { return a.leading(); }, absl::Seconds(10)));
  ASSERT_THAT(a.Write("one"), IsOk());
  ReplicaController* cb = Start("b", &b, Options("b"));
  ASSERT_TRUE(WaitFor([&] { return b.applied_log_index() == 1; }, absl::Seconds(5)));

  // Another leader takes the key while `a` still believes it leads (as after a partition).
  Layout layout(kPrefix);
  ASSERT_THAT(client_->DeleteRange(etcd::KeyRange::Single(layout.LeaderKey())), IsOk());
  ASSERT_TRUE(WaitFor([&] { return cb->Leading() && b.leading(); }, absl::Seconds(10)));
  auto fenced = a.Write("two from a");
  if (!fenced.ok()) {
    EXPECT_THAT(fenced, StatusIs(absl::StatusCode::kAborted)) << fenced;
  } else {
    FAIL() << "the deposed leader appended";
  }
  EXPECT_FALSE(a.leading());
  ASSERT_THAT(b.Write("two from b"), IsOk());
  ASSERT_TRUE(WaitFor([&] { return a.applied_log_index() == 2; }, absl::Seconds(10)));
  EXPECT_EQ(a.entries().back(), "two from b");
  EXPECT_FALSE(ca->Leading());
}

TEST_F(ReplicaControllerTest, TrimmingKeepsWhatAReplicaOrTheBackupStillNeeds) {
  MemoryStore& a = *NewStore();
  MemoryStore& b = *NewStore();
  auto oa = Options("a");
  oa.trim_interval = absl::Milliseconds(200);
  oa.trim_requires_backup = true;
  auto ob = oa;
  ob.election = Options("b").election;
  ob.election.campaign = false;
  ReplicaController* ca = Start("a", &a, oa);
  ASSERT_TRUE(WaitFor([&] { return a.leading(); }, absl::Seconds(10)));
  Start("b", &b, ob);
  for (int n = 1; n <= 30; ++n) ASSERT_THAT(a.Write(absl::StrCat("e", n)), IsOk());
  ASSERT_TRUE(WaitFor([&] { return b.applied_log_index() == 30; }, absl::Seconds(10)));
  // No backup mark: nothing goes.
  absl::SleepFor(absl::Milliseconds(600));
  EXPECT_EQ(ca->status().log_first_index, 1u);

  replication::v1::BackupMark mark;
  mark.set_log_index(20);
  ASSERT_THAT(client_->Put(Layout(kPrefix).BackupKey(), mark.SerializeAsString()), IsOk());
  ASSERT_TRUE(WaitFor([&] { return ca->status().log_first_index == 21; }, absl::Seconds(5)))
      << ca->status().log_first_index;
  mark.set_log_index(40);
  ASSERT_THAT(client_->Put(Layout(kPrefix).BackupKey(), mark.SerializeAsString()), IsOk());
  // Bounded by what the replicas applied, and the last entry stays.
  ASSERT_TRUE(WaitFor([&] { return ca->status().log_first_index == 30; }, absl::Seconds(5)))
      << ca->status().log_first_index;

  // A new, empty replica cannot follow a trimmed log: it says so, and waits for a restore.
  MemoryStore& c = *NewStore();
  auto oc = Options("c");
  oc.election.campaign = false;
  ReplicaController* cc = Start("c", &c, oc);
  ASSERT_TRUE(
      WaitFor([&] { return ReasonOf(cc->status().last_error) == "LOG_TRIMMED"; }, absl::Seconds(5)))
      << cc->status().last_error;
  EXPECT_EQ(c.applied_log_index(), 0u);
}

}  // namespace
}  // namespace collectonce
