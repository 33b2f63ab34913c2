// Leadership and the fenced commit log (libs/replication) against real etcd members: two
// candidates, a leader that resigns, the etcd leader killed under a registry leader, and a
// lease holder stopped past its TTL, which must append nothing after another leader took
// over and acknowledge nothing after its lease may have expired.
#include "libs/replication/election.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/replication/etcd_log.h"
#include "tests/daemon.h"
#include "tests/etcd_cluster.h"

namespace collectonce {
namespace {

using ::collectonce::testing::EtcdCluster;
using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using replication::Election;
using replication::ElectionOptions;
using replication::EtcdLog;
using replication::Layout;

constexpr char kPrefix[] = "/collectonce/test";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits (bounded) for `condition`; false if it never held.
template <typename F>
bool WaitFor(F condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

class ElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-election-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (HasFailure() && cluster_ != nullptr) std::cerr << cluster_->LogTails(30);
    cluster_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartCluster(int members) {
    testing::EtcdClusterOptions o;
    o.members = members;
    o.dir = dir_ + "/etcd";
    auto c = EtcdCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status();
    cluster_ = *std::move(c);
    etcd::ClientOptions co;
    co.endpoints = cluster_->endpoints();
    co.attempt_timeout = absl::Seconds(1);
    client_ = *etcd::Client::Create(co);
  }

  std::unique_ptr<Election> Candidate(const std::string& id, absl::Duration ttl) {
    ElectionOptions o;
    o.replica_id = id;
    o.address = id + ".test:7400";
    o.lease_ttl = ttl;
    return std::make_unique<Election>(client_.get(), Layout(kPrefix), o);
  }

  std::string dir_;
  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<etcd::Client> client_;
};

TEST_F(ElectionTest, OneOfTwoCandidatesLeadsAndTheOtherTakesOverWhenItResigns) {
  StartCluster(1);
  auto a = Candidate("a", absl::Seconds(2));
  auto b = Candidate("b", absl::Seconds(2));
  std::atomic<int> b_told{0};
  a->Start(nullptr);
  b->Start([&](const replication::LeaderInfo&, bool) { ++b_told; });
  ASSERT_TRUE(WaitFor([&] { return a->Leading() || b->Leading(); }, absl::Seconds(10)));
  // Over a few renewals, never both.
  const absl::Time until = absl::Now() + absl::Seconds(2);
  while (absl::Now() < until) {
    ASSERT_FALSE(a->Leading() && b->Leading());
    absl::SleepFor(absl::Milliseconds(5));
  }
  Election* leader = a->Leading() ? a.get() : b.get();
  Election* other = leader == a.get() ? b.get() : a.get();
  int64_t first_epoch = 0;
  ASSERT_TRUE(leader->Leading(&first_epoch));
  ASSERT_TRUE(WaitFor([&] { return other->leader().epoch == first_epoch; }, absl::Seconds(5)));
  EXPECT_EQ(other->leader().replica_id, leader == a.get() ? "a" : "b");
  EXPECT_EQ(other->leader().address, leader->leader().address);

  const absl::Time resigned = absl::Now();
  leader->Resign(absl::InfiniteDuration());
  ASSERT_TRUE(WaitFor([&] { return other->Leading(); }, absl::Seconds(5)));
  const absl::Duration takeover = absl::Now() - resigned;
  int64_t second_epoch = 0;
  ASSERT_TRUE(other->Leading(&second_epoch));
  EXPECT_GT(second_epoch, first_epoch);
  EXPECT_FALSE(leader->Leading());
  // Resigning deletes the key at once: no waiting for the lease to run out.
  EXPECT_LT(takeover, absl::Seconds(2)) << takeover;
  std::cout << "takeover after resigning: " << absl::FormatDuration(takeover) << "\n";
}

TEST_F(ElectionTest, AppendsAreFencedByTheEpochAndLeaveNoGap) {
  StartCluster(1);
  auto a = Candidate("a", absl::Seconds(2));
  a->Start(nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->Leading(); }, absl::Seconds(10)));
  int64_t e1 = 0;
  ASSERT_TRUE(a->Leading(&e1));
  EtcdLog log(client_.get(), Layout(kPrefix), "a");
  const absl::Time d = absl::Now() + absl::Seconds(5);
  EXPECT_THAT(log.Append(e1, 1, "one", false, d), IsOk());
  EXPECT_THAT(log.Append(e1, 2, "two", true, d), IsOk());
  EXPECT_THAT(log.Append(e1, 2, "two", true, d), IsOk());  // the same append again
  auto other = log.Append(e1, 2, "deux", true, d);
  EXPECT_THAT(other, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ReasonOf(other), "LOG_FENCED");
  auto gap = log.Append(e1, 4, "four", true, d);
  EXPECT_THAT(gap, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(gap), "LOG_PREVIOUS_MISSING");
  EXPECT_THAT(log.Append(e1 + 1, 3, "three", true, d), StatusIs(absl::StatusCode::kAborted));

  auto b = Candidate("b", absl::Seconds(2));
  b->Start(nullptr);
  a->Resign(absl::InfiniteDuration());
  ASSERT_TRUE(WaitFor([&] { return b->Leading(); }, absl::Seconds(5)));
  int64_t e2 = 0;
  ASSERT_TRUE(b->Leading(&e2));
  // The deposed leader cannot append, even at the right index.
  EXPECT_THAT(log.Append(e1, 3, "three", true, d), StatusIs(absl::StatusCode::kAborted));
  EtcdLog log_b(client_.get(), Layout(kPrefix), "b");
  EXPECT_THAT(log_b.Append(e2, 3, "three", false, d), IsOk());

  auto entries = log.Read(1, 10);
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].bytes, "one");
  EXPECT_EQ((*entries)[1].epoch, e1);
  EXPECT_EQ((*entries)[2].epoch, e2);
  EXPECT_EQ((*entries)[2].replica_id, "b");

  auto trimmed = log.Trim(3);
  ASSERT_THAT(trimmed, IsOk());
  EXPECT_EQ(*trimmed, 2);
  EXPECT_THAT(log.Read(1, 10), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(log.Read(3, 10)->size(), 1u);
  ASSERT_THAT(log.Trim(100), IsOk());  // the last entry stays
  auto bounds = log.Bounds();
  ASSERT_THAT(bounds, IsOk());
  EXPECT_EQ(bounds->first, 3u);
  EXPECT_EQ(bounds->second, 3u);
}

TEST_F(ElectionTest, KillingTheEtcdLeaderCostsAppendsSecondsAndLosesNone) {
  StartCluster(3);
  auto a = Candidate("a", absl::Seconds(5));
  a->Start(nullptr);
  ASSERT_TRUE(WaitFor([&] { return a->Leading(); }, absl::Seconds(10)));
  EtcdLog log(client_.get(), Layout(kPrefix), "a");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  absl::Mutex mu;
  std::vector<absl::Time> times;  // of each append, in order
  std::thread appender([&] {
    uint64_t next = 1;
    while (!stop) {
      int64_t epoch = 0;
      if (!a->Leading(&epoch)) {
        absl::SleepFor(absl::Milliseconds(10));
        continue;
      }
      if (log.Append(epoch, next, absl::StrCat("e", next), next > 1, absl::Now() + absl::Seconds(2))
              .ok()) {
        absl::MutexLock lock(&mu);
        times.push_back(absl::Now());
        appended = next++;
      }
    }
  });
  ASSERT_TRUE(WaitFor([&] { return appended >= 10; }, absl::Seconds(10)));
  auto etcd_leader = cluster_->Leader();
  ASSERT_THAT(etcd_leader, IsOk());
  const uint64_t before = appended;
  const absl::Time killed = absl::Now();
  ASSERT_THAT(cluster_->Kill(*etcd_leader), IsOk());
  const bool resumed = WaitFor([&] { return appended > before + 5; }, absl::Seconds(20));
  stop = true;
  appender.join();
  ASSERT_TRUE(resumed) << "appends did not resume";
  auto entries = log.Read(1, 10000);
  ASSERT_THAT(entries, IsOk());                 // contiguous from 1 (Read checks)
  EXPECT_EQ(entries->size(), appended.load());  // every append is there
  absl::Time first_after = absl::InfiniteFuture();
  {
    absl::MutexLock lock(&mu);
    for (absl::Time t : times) {
      if (t > killed) {
        first_after = t;
        break;
      }
    }
  }
  const absl::Duration pause = first_after - killed;
  std::cout << "first append " << absl::FormatDuration(pause)
            << " after the etcd leader was killed\n";
  EXPECT_LT(pause, absl::Seconds(10));
  // The registry leader kept its lease through etcd's election (etcd extends leases when
  // its leader changes).
  EXPECT_TRUE(a->Leading());
}

// Run twice: as a replica behaves (its clock stops it first), and ignoring its clock (etcd's
// compare on the epoch stops it).
class StoppedHolderTest : public ElectionTest, public ::testing::WithParamInterface<bool> {};

TEST_P(StoppedHolderTest, ALeaseHolderStoppedPastItsTtlAcknowledgesAndAppendsNothingAfter) {
  const bool obey = GetParam();
  StartCluster(1);
  const std::string out = dir_ + "/holder.out";
  std::ofstream(out, std::ios::trunc).close();
  std::string endpoints = cluster_->endpoint(0);
  const pid_t holder = testing::SpawnProcess(
      LEASE_HOLDER_BINARY,
      {"lease_holder", endpoints, kPrefix, "h", "2", obey ? "obey-lease" : "ignore-lease"}, out);
  ASSERT_GT(holder, 0);
  auto cleanup = [&] {
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);
  };
  if (!WaitFor([&] { return absl::StrContains(ReadFile(out), "acknowledged index=5 "); },
               absl::Seconds(15))) {
    cleanup();
    FAIL() << "the holder did not lead and append: " << ReadFile(out);
  }
  kill(holder, SIGSTOP);
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string stat = ReadFile(absl::StrCat("/proc/", holder, "/stat"));
        return absl::StrContains(stat, ") T ");
      },
      absl::Seconds(5)));
  const size_t stopped_at = ReadFile(out).size();

  // Another replica takes over once the stopped one's lease has expired in etcd.
  const absl::Time stopped = absl::Now();
  auto b = Candidate("b", absl::Seconds(2));
  b->Start(nullptr);
  ASSERT_TRUE(WaitFor([&] { return b->Leading(); }, absl::Seconds(10)));
  const absl::Duration takeover = absl::Now() - stopped;
  int64_t e2 = 0;
  ASSERT_TRUE(b->Leading(&e2));
  EtcdLog log(client_.get(), Layout(kPrefix), "b");
  auto bounds = log.Bounds();
  ASSERT_THAT(bounds, IsOk());
  const uint64_t first_of_b = bounds->second + 1;
  for (uint64_t i = first_of_b; i < first_of_b + 5; ++i) {
    ASSERT_THAT(log.Append(e2, i, absl::StrCat("entry ", i, " by b"), i > first_of_b,
                           absl::Now() + absl::Seconds(5)),
                IsOk());
  }
  // The holder wakes up; whatever it does from now on, it must neither acknowledge nor
  // append.
  kill(holder, SIGCONT);
  const bool noticed = WaitFor(
      [&] {
        std::string after = ReadFile(out).substr(stopped_at);
        return obey ? absl::StrContains(after, "lost epoch=")
                    : absl::StrContains(after, "code=ABORTED");
      },
      absl::Seconds(10));
  absl::SleepFor(absl::Milliseconds(500));  // let it try a few more appends
  cleanup();
  const std::string all = ReadFile(out);
  const std::string after = all.substr(stopped_at);
  EXPECT_TRUE(noticed) << all;
  if (obey) {
    EXPECT_FALSE(absl::StrContains(after, "acknowledged")) << after;
  }

  auto entries = log.Read(1, 10000);
  ASSERT_THAT(entries, IsOk());  // contiguous from 1
  ASSERT_GE(entries->size(), first_of_b + 4);
  for (const auto& e : *entries) {
    if (e.index >= first_of_b) {
      EXPECT_EQ(e.replica_id, "b") << "the stopped holder appended entry " << e.index;
      EXPECT_EQ(e.epoch, e2);
    } else {
      EXPECT_EQ(e.replica_id, "h");
      // Every entry it wrote was one it had acknowledged, or one whose acknowledgement it
      // withheld after waking (durable either way).
      EXPECT_TRUE(absl::StrContains(all, absl::StrCat("index=", e.index, " ")))
          << "entry " << e.index;
    }
  }
  std::cout << "the holder after waking, first lines:\n" << after.substr(0, 200) << "\n";
  std::cout << "takeover after SIGSTOP of the leader (lease 2 s): "
            << absl::FormatDuration(takeover) << "\n";
}

INSTANTIATE_TEST_SUITE_P(Modes, StoppedHolderTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ObeyingItsLease" : "IgnoringItsLease";
                         });

}  // namespace
}  // namespace collectonce
