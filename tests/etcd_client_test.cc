// libs/etcd against real etcd members (tests/etcd_cluster.h): KV and transactions, leases,
// members failing under a client that has several endpoints, and watches that resume.
#include <stdlib.h>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/etcd/client.h"
#include "tests/etcd_cluster.h"

namespace collectonce {
namespace {

using ::collectonce::testing::EtcdCluster;
using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using etcd::Compare;
using etcd::Op;

class EtcdClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-etcd-XXXXXX";
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
  }

  std::unique_ptr<etcd::Client> Client(std::vector<std::string> endpoints,
                                       absl::Duration call_timeout = absl::Seconds(5)) {
    etcd::ClientOptions o;
    o.endpoints = std::move(endpoints);
    o.call_timeout = call_timeout;
    o.attempt_timeout = absl::Seconds(1);
    auto c = etcd::Client::Create(o);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }

  std::string dir_;
  std::unique_ptr<EtcdCluster> cluster_;
};

TEST_F(EtcdClientTest, KeysRangesAndTransactions) {
  StartCluster(1);
  auto c = Client(cluster_->endpoints());
  auto rev = c->Put("/t/a", "1");
  ASSERT_THAT(rev, IsOk());
  ASSERT_THAT(c->Put("/t/b", "2"), IsOk());
  ASSERT_THAT(c->Put("/t/c", "3"), IsOk());
  ASSERT_THAT(c->Put("/u/x", "9"), IsOk());

  auto a = c->Get("/t/a");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->value, "1");
  EXPECT_EQ(a->create_revision, *rev);
  EXPECT_EQ(a->version, 1);
  EXPECT_THAT(c->Get("/t/none"), StatusIs(absl::StatusCode::kNotFound));

  etcd::RangeRequest r;
  r.keys = etcd::KeyRange::Prefix("/t/");
  auto all = c->Range(r);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->kvs.size(), 3u);
  EXPECT_EQ(all->kvs[0].key, "/t/a");
  r.limit = 1;
  r.descending = true;
  auto last = c->Range(r);
  ASSERT_THAT(last, IsOk());
  ASSERT_EQ(last->kvs.size(), 1u);
  EXPECT_EQ(last->kvs[0].key, "/t/c");
  EXPECT_TRUE(last->more);
  EXPECT_EQ(last->count, 3);

  // A transaction runs one branch atomically, and says which.
  etcd::TxnRequest txn;
  txn.compare = {Compare::Absent("/t/a")};
  txn.success = {Op::Put("/t/a", "never")};
  txn.failure = {Op::Get("/t/a"), Op::Head("/t/b")};
  auto failed = c->Txn(txn);
  ASSERT_THAT(failed, IsOk());
  EXPECT_FALSE(failed->succeeded);
  ASSERT_EQ(failed->results.size(), 2u);
  EXPECT_EQ(failed->results[0].kvs.at(0).value, "1");
  EXPECT_EQ(failed->results[1].kvs.at(0).value, "");  // keys only
  txn.compare = {Compare::CreateRevision("/t/a", Compare::Result::kEqual, *rev),
                 Compare::Present("/t/b")};
  txn.success = {Op::Put("/t/a", "10"), Op::Delete(etcd::KeyRange::Single("/t/b"))};
  auto ran = c->Txn(txn);
  ASSERT_THAT(ran, IsOk());
  EXPECT_TRUE(ran->succeeded);
  EXPECT_GT(ran->revision, *rev);
  EXPECT_EQ(c->Get("/t/a")->value, "10");
  EXPECT_THAT(c->Get("/t/b"), StatusIs(absl::StatusCode::kNotFound));

  auto deleted = c->DeleteRange(etcd::KeyRange::Prefix("/t/"));
  ASSERT_THAT(deleted, IsOk());
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(c->Get("/u/x")->value, "9");
}

TEST_F(EtcdClientTest, EtcdRefusalsKeepTheirMeaning) {
  StartCluster(1);
  auto c = Client(cluster_->endpoints());
  // Over --max-request-bytes (1.5 MiB), and over gRPC's limit on top of it: never applied.
  auto big = c->Put("/t/big", std::string(1600 << 10, 'x'));
  EXPECT_THAT(big, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(big.status()), "ETCD_REQUEST_TOO_LARGE");
  auto huge = c->Put("/t/huge", std::string(3 << 20, 'x'));
  EXPECT_THAT(huge, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(c->Get("/t/big"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(c->Get("/t/huge"), StatusIs(absl::StatusCode::kNotFound));

  etcd::TxnRequest dup;
  dup.success = {Op::Put("/t/k", "1"), Op::Put("/t/k", "2")};
  auto d = c->Txn(dup);
  EXPECT_THAT(d, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(d.status()), "ETCD_DUPLICATE_KEY");

  EXPECT_THAT(c->Put("/t/k", "1", /*lease=*/12345),
              StatusIs(absl::StatusCode::kNotFound));  // no such lease
}

TEST_F(EtcdClientTest, ALeaseKeepsItsKeysWhileRenewedAndTakesThemWhenItExpires) {
  StartCluster(1);
  auto c = Client(cluster_->endpoints());
  auto lease = c->Grant(absl::Seconds(2));
  ASSERT_THAT(lease, IsOk());
  EXPECT_GE(lease->ttl_seconds, 2);
  ASSERT_THAT(c->Put("/t/held", "x", lease->id), IsOk());
  // Renewed for longer than the TTL, the key stays.
  const absl::Time renew_until = absl::Now() + absl::Seconds(3);
  while (absl::Now() < renew_until) {
    auto ttl = c->KeepAliveOnce(lease->id);
    ASSERT_THAT(ttl, IsOk());
    EXPECT_EQ(*ttl, lease->ttl_seconds);
    absl::SleepFor(absl::Milliseconds(500));
  }
  auto held = c->Get("/t/held");
  ASSERT_THAT(held, IsOk());
  EXPECT_EQ(held->lease, lease->id);
  auto left = c->TimeToLive(lease->id);
  ASSERT_THAT(left, IsOk());
  EXPECT_GT(left->remaining_seconds, 0);
  // Left alone, it expires and the key goes with it (etcd revokes it within a second or so
  // of the TTL).
  const absl::Time deadline = absl::Now() + absl::Seconds(lease->ttl_seconds + 5);
  while (c->Get("/t/held").ok()) {
    ASSERT_LT(absl::Now(), deadline) << "the lease's key outlived its TTL";
    absl::SleepFor(absl::Milliseconds(100));
  }
  auto expired = c->KeepAliveOnce(lease->id);
  EXPECT_THAT(expired, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ReasonOf(expired.status()), "ETCD_LEASE_NOT_FOUND");
  EXPECT_THAT(c->Revoke(lease->id), IsOk());  // already gone: still OK
}

TEST_F(EtcdClientTest, CallsMoveOnFromAKilledMember) {
  StartCluster(3);
  auto c = Client(cluster_->endpoints());
  ASSERT_THAT(c->Put("/t/before", "1"), IsOk());
  ASSERT_EQ(c->current_endpoint(), cluster_->endpoint(0));
  ASSERT_THAT(cluster_->Kill(0), IsOk());
  // A read and a write both find another member; the write was never sent to the dead one.
  auto got = c->Get("/t/before");
  ASSERT_THAT(got, IsOk());
  EXPECT_NE(c->current_endpoint(), cluster_->endpoint(0));
  ASSERT_THAT(c->Put("/t/after", "2"), IsOk());
  auto members = c->MemberList();
  ASSERT_THAT(members, IsOk());
  EXPECT_EQ(members->size(), 3u);
  ASSERT_THAT(cluster_->Restart(0), IsOk());
  // A client of the restarted member alone sees both writes.
  auto only0 = Client({cluster_->endpoint(0)});
  auto after = only0->Get("/t/after");
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->value, "2");
}

TEST_F(EtcdClientTest, AWriteToAMemberThatStopsAnsweringIsUnknownNotFailed) {
  StartCluster(3);
  auto only1 = Client({cluster_->endpoint(1)}, absl::Seconds(3));
  ASSERT_THAT(only1->Put("/t/warm", "1"), IsOk());  // connected
  ASSERT_THAT(cluster_->Pause(1), IsOk());
  auto put = only1->Put("/t/maybe", "1");
  EXPECT_THAT(put, StatusIs(absl::StatusCode::kUnknown));
  EXPECT_EQ(ReasonOf(put.status()), "ETCD_OUTCOME_UNKNOWN");
  // A read only times out: nothing can have changed.
  auto read = only1->Get("/t/warm");
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_THAT(cluster_->Resume(1), IsOk());
}

TEST_F(EtcdClientTest, AMemberWithoutALeaderRefusesAtOnceAndWritesAreNotApplied) {
  StartCluster(3);
  auto only2 = Client({cluster_->endpoint(2)}, absl::Seconds(2));
  ASSERT_THAT(only2->Put("/t/warm", "1"), IsOk());
  ASSERT_THAT(cluster_->Kill(0), IsOk());
  ASSERT_THAT(cluster_->Kill(1), IsOk());
  // Member 2 notices within a few election timeouts that it has no leader.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    auto st = only2->Status(cluster_->endpoint(2));
    if (st.ok() && st->leader_id == 0) break;
    ASSERT_LT(absl::Now(), deadline) << "member 2 kept a leader";
    absl::SleepFor(absl::Milliseconds(100));
  }
  const absl::Time start = absl::Now();
  auto put = only2->Put("/t/lost", "1");
  // "etcdserver: no leader" comes before anything is proposed: UNAVAILABLE, never UNKNOWN.
  EXPECT_THAT(put, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ReasonOf(put.status()), "ETCD_UNAVAILABLE");
  EXPECT_THAT(only2->Get("/t/warm"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Seconds(6));
}

TEST_F(EtcdClientTest, AWatchResumesOnAnotherMemberWithoutLosingOrRepeatingEvents) {
  StartCluster(3);
  auto c = Client(cluster_->endpoints());
  auto start = c->Put("/w/start", "");
  ASSERT_THAT(start, IsOk());
  auto watch = c->StartWatch({etcd::KeyRange::Prefix("/w/k"), *start + 1});
  // Each key once: a put that only creates, repeated while its outcome is unknown (the
  // member that took it may die before answering).
  auto create = [&](int i) {
    const std::string key = absl::StrFormat("/w/k%03d", i);
    etcd::TxnRequest txn;
    txn.compare = {Compare::Absent(key)};
    txn.success = {Op::Put(key, absl::StrCat(i))};
    absl::Status s;
    for (int attempt = 0; attempt < 20; ++attempt) {
      s = c->Txn(txn).status();
      if (s.ok()) break;
    }
    return s;
  };
  constexpr int kEach = 40;
  for (int i = 0; i < kEach; ++i) ASSERT_THAT(create(i), IsOk());
  std::vector<etcd::Event> seen;
  auto collect = [&](size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (seen.size() < n && absl::Now() < deadline) {
      auto b = watch->Next(absl::Now() + absl::Milliseconds(200));
      if (b.ok()) seen.insert(seen.end(), b->events.begin(), b->events.end());
    }
  };
  collect(kEach / 2);
  // The member the watch (and the client) uses dies; the rest of the puts go elsewhere.
  const std::string used = c->current_endpoint();
  int used_index = 0;
  for (int i = 0; i < cluster_->size(); ++i) {
    if (cluster_->endpoint(i) == used) used_index = i;
  }
  ASSERT_THAT(cluster_->Kill(used_index), IsOk());
  for (int i = kEach; i < 2 * kEach; ++i) ASSERT_THAT(create(i), IsOk());
  absl::Status deleted;
  for (int attempt = 0; attempt < 20; ++attempt) {
    deleted = c->DeleteRange(etcd::KeyRange::Single("/w/k000")).status();
    if (deleted.ok()) break;
  }
  ASSERT_THAT(deleted, IsOk());
  collect(2 * kEach + 1);
  ASSERT_EQ(seen.size(), static_cast<size_t>(2 * kEach + 1));
  for (int i = 0; i < 2 * kEach; ++i) {
    EXPECT_EQ(seen[i].type, etcd::Event::Type::kPut);
    EXPECT_EQ(seen[i].kv.key, absl::StrFormat("/w/k%03d", i)) << "event " << i;
    if (i > 0) {
      EXPECT_GT(seen[i].kv.mod_revision, seen[i - 1].kv.mod_revision);
    }
  }
  EXPECT_EQ(seen.back().type, etcd::Event::Type::kDelete);
  EXPECT_EQ(seen.back().kv.key, "/w/k000");
  EXPECT_GE(watch->streams_started(), 2);
  EXPECT_EQ(watch->next_revision(), seen.back().kv.mod_revision + 1);
  // Nothing more arrives.
  EXPECT_THAT(watch->Next(absl::Now() + absl::Milliseconds(300)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(EtcdClientTest, AWatchFromACompactedRevisionEndsWithOutOfRange) {
  StartCluster(1);
  auto c = Client(cluster_->endpoints());
  auto first = c->Put("/w/a", "1");
  ASSERT_THAT(first, IsOk());
  auto second = c->Put("/w/a", "2");
  ASSERT_THAT(second, IsOk());
  ASSERT_THAT(c->Compact(*second), IsOk());
  ASSERT_THAT(c->Compact(*second), IsOk());  // twice is once
  auto watch = c->StartWatch({etcd::KeyRange::Prefix("/w/"), *first});
  auto got = watch->Next(absl::Now() + absl::Seconds(10));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(ReasonOf(got.status()), "ETCD_COMPACTED");
  EXPECT_EQ(watch->compact_revision(), *second);
  // From the compaction point on, it works.
  auto fresh = c->StartWatch({etcd::KeyRange::Prefix("/w/"), *second});
  auto events = fresh->Next(absl::Now() + absl::Seconds(10));
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->events.at(0).kv.value, "2");
}

}  // namespace
}  // namespace collectonce
