// The replicated registry under faults: three etcd members and three registryd replicas on
// loopback, concurrent writers straight to the replicas (following the leader as the gateway
// does, retrying with the same request id) and recorded readers through reuse-gatewayd, while
// a nemesis injects, at seeded random moments: kill -9 of the registry leader, SIGSTOP of the
// registry leader past its lease and SIGCONT, kill -9 of the etcd leader, and a replica's data
// directory deleted (it comes back empty and catches up from the log).
//
// The checker, on every replica once they have converged: every acknowledged request id is in
// the history exactly once, at the revision acknowledged, with its value; no request id
// appears twice; revisions run without a gap and end at the same revision everywhere; the
// stopped leader acknowledged nothing sent while it was stopped; every acknowledged pre-fill is
// an access event on every replica; the tree heads are equal and signed by the group's key,
// and `registryctl audit verify --since-head` passes on each replica for every head saved
// during the run. The failover time (fault to the first write acknowledged by another
// replica) is printed and bounded by 10 s with the default lease.
//
// Seed: COLLECTONCE_NEMESIS_SEED; rounds: COLLECTONCE_NEMESIS_ROUNDS (default 4: each fault
// once, in a seeded order; more rounds draw faults at random). docs/replication.md, "Tests".
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/ident/uscc.h"
#include "libs/rpc/caller.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/leader_router.h"
#include "tests/daemon.h"
#include "tests/examples.h"
#include "tests/replica_group.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;

constexpr char kTax[] = "spiffe://sanming.gov.cn/approval/tax";
constexpr char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
constexpr int kWriters = 4;
constexpr int kSubjectsPerWriter = 3;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

grpc::ClientContext* Prepare(grpc::ClientContext* ctx, const std::string& principal,
                             absl::Time deadline) {
  ctx->AddMetadata("x-principal", principal);
  ctx->set_deadline(absl::ToChronoTime(deadline));
  return ctx;
}

struct Ack {
  std::string request_id, subject, value;
  int64_t revision = 0;
  int replica = -1;           // which replica answered
  absl::Time sent, answered;  // the first attempt, the answer
};

// A read of a record's current state: it must show every write acknowledged before it was
// sent (a replica that lost its lease and still answered would show less).
struct CurrentRead {
  std::string subject;
  int64_t revision = 0;
  int replica = -1;
  absl::Time sent;
};

// Calls the replicated registry as its clients do (libs/rpc/leader_router.h).
class RoutedRegistry {
 public:
  explicit RoutedRegistry(const std::vector<std::string>& addresses) : router_(addresses) {
    for (const auto& a : addresses) {
      stubs_.push_back(
          v1::RecordService::NewStub(grpc::CreateChannel(a, grpc::InsecureChannelCredentials())));
    }
  }
  // One call with its retries (`invoke` makes one attempt on a stub); the replica that
  // answered in *replica.
  template <typename Invoke>
  grpc::Status Call(absl::Duration timeout, int* replica, Invoke invoke) {
    const absl::Time deadline = absl::Now() + timeout;
    int r = router_.current();
    for (int attempt = 1;; ++attempt) {
      grpc::ClientContext ctx;
      Prepare(&ctx, "registryctl", router_.AttemptDeadline(absl::Now(), deadline));
      grpc::Status s = invoke(*stubs_[r], &ctx);
      if (s.ok()) {
        *replica = r;
        return s;
      }
      auto retry = router_.OnFailure(r, rpc::FromGrpc(s), /*repeatable=*/true, attempt);
      if (!retry || absl::Now() + retry->pause >= deadline) return s;
      absl::SleepFor(retry->pause);
      r = retry->replica;
    }
  }
  grpc::Status Update(const v1::UpdateRecordRequest& req, v1::UpdateRecordResponse* resp,
                      absl::Duration timeout, int* replica) {
    return Call(timeout, replica, [&](v1::RecordService::Stub& stub, grpc::ClientContext* ctx) {
      return stub.UpdateRecord(ctx, req, resp);
    });
  }
  grpc::Status Get(const v1::GetRecordRequest& req, v1::Record* resp, absl::Duration timeout,
                   int* replica) {
    return Call(timeout, replica, [&](v1::RecordService::Stub& stub, grpc::ClientContext* ctx) {
      return stub.GetRecord(ctx, req, resp);
    });
  }

 private:
  rpc::LeaderRouter router_;
  std::vector<std::unique_ptr<v1::RecordService::Stub>> stubs_;
};

// What a write's failure says: worth sending again with the same request id, or a wrong
// answer.
bool Retryable(const grpc::Status& s) {
  const rpc::RpcError e = rpc::FromGrpc(s);
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         e.reason == rpc::kNotLeaderReason || e.reason == "COMMIT_OUTCOME_UNKNOWN";
}

class NemesisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-replication-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (HasFailure() && group_ != nullptr) {
      std::cerr << "logs (tails):\n" << group_->LogTails(40);
      if (gateway_ != nullptr) std::cerr << "gateway:\n" << gateway_->Log().substr(0, 20000);
    }
    gateway_.reset();
    group_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Subject(int writer, int i) const {
    return absl::StrCat("enterprises/", ident::MakeUscc(absl::StrFormat(
                                            "91350400MB%07d", writer * kSubjectsPerWriter + i)));
  }

  // Governance as shipped, and 宋文富's file for the readers to pre-fill.
  void SetUpData(int leader) {
    auto ch = grpc::CreateChannel(group_->address(leader), grpc::InsecureChannelCredentials());
    auto gov = v1::GovernanceService::NewStub(ch);
    absl::Status applied = testing::ApplyExamples(*gov, kExamples, [](grpc::ClientContext* ctx) {
      Prepare(ctx, "registryctl", absl::Now() + absl::Seconds(20));
    });
    ASSERT_TRUE(applied.ok()) << applied;
    v1::UpdateRecordRequest song;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(
      kind: PERSON request_id: "song-1" provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: "350403194503120012" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "birth_date" value { date_value { year: 1945 month: 3 day: 12 } } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } }
      values { key: "marital_status" value { code_value: "30" } })tp",
                                                              &song));
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = v1::RecordService::NewStub(ch)->UpdateRecord(
        Prepare(&ctx, "registryctl", absl::Now() + absl::Seconds(20)), song, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    song_ = resp.record().name();
  }

  // A write on the leader, read at once by revision on each follower with the write's
  // commit sequence: the follower waits until it has applied it instead of refusing.
  void ReadYourWriteOnFollowers(int leader) {
    auto ch = grpc::CreateChannel(group_->address(leader), grpc::InsecureChannelCredentials());
    for (int i = 0; i < group_->size(); ++i) {
      if (i == leader) continue;
      v1::UpdateRecordRequest up;
      up.set_name(Subject(kWriters, i));
      up.mutable_provenance()->set_source("market-regulation");
      (*up.mutable_values())["name"].set_string_value(absl::StrCat("三明读写企业", i));
      v1::UpdateRecordResponse written;
      grpc::ClientContext wctx;
      grpc::Status s = v1::RecordService::NewStub(ch)->UpdateRecord(
          Prepare(&wctx, "registryctl", absl::Now() + absl::Seconds(10)), up, &written);
      ASSERT_TRUE(s.ok()) << s.error_message();
      v1::GetRecordRequest get;
      get.set_name(up.name());
      get.mutable_options()->set_revision(written.record().revision());
      get.mutable_options()->set_purpose("matters/data-governance-review-enterprise");
      v1::Record got;
      grpc::ClientContext rctx;
      rctx.AddMetadata(rpc::kMinCommitSequenceHeader,
                       absl::StrCat(written.record().commit_sequence()));
      s = v1::RecordService::NewStub(
              grpc::CreateChannel(group_->address(i), grpc::InsecureChannelCredentials()))
              ->GetRecord(Prepare(&rctx, "registryctl", absl::Now() + absl::Seconds(10)), get,
                          &got);
      ASSERT_TRUE(s.ok()) << group_->replica_id(i) << ": " << s.error_message();
      EXPECT_EQ(got.revision(), written.record().revision());
    }
  }

  // Each writer owns its subjects and sends request after request, each until acknowledged
  // (same request id), until stop_; then finishes the one it holds.
  void Writer(int w, int seed) {
    RoutedRegistry registry(group_->addresses());
    for (int i = 0; !stop_.load(); ++i) {
      v1::UpdateRecordRequest up;
      up.set_name(Subject(w, i % kSubjectsPerWriter));
      up.mutable_provenance()->set_source("market-regulation");
      const std::string value = absl::StrCat("企业", w, "-", i);
      (*up.mutable_values())["name"].set_string_value(value);
      up.set_request_id(absl::StrCat("nemesis-", seed, "-", w, "-", i));
      const absl::Time sent = absl::Now();
      const absl::Time give_up = sent + absl::Seconds(90);
      for (;;) {
        v1::UpdateRecordResponse resp;
        int replica = -1;
        grpc::Status s = registry.Update(up, &resp, absl::Seconds(6), &replica);
        if (s.ok()) {
          std::lock_guard<std::mutex> lock(mu_);
          acks_.push_back({up.request_id(), up.name(), value, resp.record().revision(), replica,
                           sent, absl::Now()});
          break;
        }
        if (!Retryable(s)) {
          std::lock_guard<std::mutex> lock(mu_);
          wrong_.push_back(
              absl::StrCat(up.request_id(), ": ", s.error_code(), " ", s.error_message()));
          break;
        }
        if (absl::Now() > give_up) {
          std::lock_guard<std::mutex> lock(mu_);
          unacknowledged_.insert(up.request_id());
          break;
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
    }
  }

  // Reads the writers' subjects' current state straight from the replicas (leader routing).
  void CurrentReader(int seed) {
    RoutedRegistry registry(group_->addresses());
    std::mt19937 rng(seed);
    while (!stop_.load()) {
      v1::GetRecordRequest get;
      get.set_name(Subject(std::uniform_int_distribution<int>(0, kWriters - 1)(rng),
                           std::uniform_int_distribution<int>(0, kSubjectsPerWriter - 1)(rng)));
      get.mutable_options()->set_purpose("matters/data-governance-review-enterprise");
      v1::Record got;
      int replica = -1;
      const absl::Time sent = absl::Now();
      grpc::Status s = registry.Get(get, &got, absl::Seconds(6), &replica);
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        reads_.push_back({get.name(), got.revision(), replica, sent});
      } else if (!Retryable(s) && s.error_code() != grpc::StatusCode::NOT_FOUND) {
        wrong_.push_back(absl::StrCat("current read: ", s.error_code(), " ", s.error_message()));
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  // Pre-fills through the gateway; counts the ones answered.
  void Reader() {
    auto stub = gw::ReuseGateway::NewStub(
        grpc::CreateChannel(gateway_->grpc_address(), grpc::InsecureChannelCredentials()));
    while (!stop_.load()) {
      gw::PrefillFormRequest req;
      // The tax bureau's pre-fill releases the person's name, ID number and address.
      req.set_form("bundles/elderly-home-property-transfer");
      req.set_subject(song_);
      req.set_case_id("SM-2026-0001");
      gw::PrefillFormResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s =
          stub->PrefillForm(Prepare(&ctx, kTax, absl::Now() + absl::Seconds(6)), req, &resp);
      if (s.ok()) {
        ++prefills_;
      } else if (!Retryable(s)) {
        std::lock_guard<std::mutex> lock(mu_);
        wrong_.push_back(absl::StrCat("prefill: ", s.error_code(), " ", s.error_message()));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  size_t AckCount() {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_.size();
  }
  // The first write acknowledged after `t` by a replica other than `not_by` (-1: any), once
  // there is one (bounded).
  absl::StatusOr<Ack> FirstAckAfter(absl::Time t, int not_by, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        std::optional<Ack> first;
        for (const Ack& a : acks_) {
          if (a.answered > t && a.replica != not_by && (!first || a.answered < first->answered)) {
            first = a;
          }
        }
        if (first) return *first;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return absl::DeadlineExceededError("no write was acknowledged after the fault");
  }
  // Until `more` writes more than now were acknowledged (bounded).
  void WaitForProgress(size_t more) {
    const size_t target = AckCount() + more;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (AckCount() < target && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
    ASSERT_GE(AckCount(), target) << "the writers made no progress";
  }

  // A signed head of replica i, saved as `registryctl audit head` saves it.
  void SaveHead(int i) {
    auto stub = v1::AuditService::NewStub(
        grpc::CreateChannel(group_->address(i), grpc::InsecureChannelCredentials()));
    v1::SignedTreeHead head;
    grpc::ClientContext ctx;
    grpc::Status s = stub->GetTreeHead(Prepare(&ctx, "registryctl", absl::Now() + absl::Seconds(5)),
                                       v1::GetTreeHeadRequest(), &head);
    if (!s.ok()) return;  // a replica between roles; heads of others are saved
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(head, &json).ok());
    const std::string path = absl::StrCat(dir_, "/head-", heads_.size(), ".json");
    std::ofstream(path) << json;
    heads_.push_back(path);
  }

  void CheckReplica(int i, const std::map<std::string, Ack>& acked, int64_t* top_revisions);

  std::string dir_;
  std::unique_ptr<testing::ReplicaGroup> group_;
  std::unique_ptr<testing::Daemon> gateway_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> prefills_{0};
  std::mutex mu_;
  std::vector<Ack> acks_;
  std::vector<CurrentRead> reads_;
  std::vector<std::string> wrong_;
  std::set<std::string> unacknowledged_;
  std::vector<std::string> heads_;
  std::string song_;  // persons/... of 宋文富
};

// One replica's history of every writer's subject against what was acknowledged.
void NemesisTest::CheckReplica(int i, const std::map<std::string, Ack>& acked,
                               int64_t* top_revisions) {
  SCOPED_TRACE(group_->replica_id(i));
  auto stub = v1::RecordService::NewStub(
      grpc::CreateChannel(group_->address(i), grpc::InsecureChannelCredentials()));
  std::set<std::string> seen;
  int64_t sum = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int k = 0; k < kSubjectsPerWriter; ++k) {
      const std::string subject = Subject(w, k);
      std::vector<v1::ChangeSet> history;
      std::string token;
      do {
        v1::ListRecordRevisionsRequest req;
        req.set_parent(subject);
        req.set_page_size(1000);
        req.set_page_token(token);
        req.set_purpose("matters/data-governance-review-enterprise");
        v1::ListRecordRevisionsResponse resp;
        grpc::ClientContext ctx;
        grpc::Status s = stub->ListRecordRevisions(
            Prepare(&ctx, "registryctl", absl::Now() + absl::Seconds(10)), req, &resp);
        ASSERT_TRUE(s.ok()) << subject << ": " << s.error_message();
        history.insert(history.end(), resp.change_sets().begin(), resp.change_sets().end());
        token = resp.next_page_token();
      } while (!token.empty());
      std::sort(history.begin(), history.end(),
                [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
      for (size_t r = 0; r < history.size(); ++r) {
        const v1::ChangeSet& cs = history[r];
        ASSERT_EQ(cs.revision(), static_cast<int64_t>(r + 1)) << subject << ": a gap";
        EXPECT_TRUE(seen.insert(cs.request_id()).second)
            << cs.request_id() << " was applied twice (" << subject << " revision " << cs.revision()
            << ")";
        auto a = acked.find(cs.request_id());
        if (a != acked.end()) {
          EXPECT_EQ(a->second.subject, subject);
          EXPECT_EQ(a->second.revision, cs.revision()) << cs.request_id();
          ASSERT_EQ(cs.changes_size(), 1);
          EXPECT_EQ(cs.changes(0).new_value().string_value(), a->second.value) << cs.request_id();
        } else {
          // Applied but never acknowledged: a write whose answer was lost or withheld.
          // Writers send a request id again until it is acknowledged, so only one they gave
          // up on can be here.
          EXPECT_EQ(unacknowledged_.count(cs.request_id()), 1u)
              << cs.request_id() << " is applied but was never acknowledged";
        }
      }
      sum += static_cast<int64_t>(history.size());
    }
  }
  for (const auto& [id, a] : acked) {
    EXPECT_EQ(seen.count(id), 1u) << "acknowledged " << id << " (" << a.subject << " revision "
                                  << a.revision << ") is missing";
  }
  *top_revisions = sum;
}

TEST_F(NemesisTest, NoAcknowledgedWriteIsLostAndEveryReplicaAgrees) {
  const int seed = EnvInt("COLLECTONCE_NEMESIS_SEED", 20261202);
  const int rounds = EnvInt("COLLECTONCE_NEMESIS_ROUNDS", 5);
  SCOPED_TRACE(absl::StrCat("COLLECTONCE_NEMESIS_SEED=", seed));
  std::cerr << "nemesis seed " << seed << ", " << rounds << " rounds\n";
  std::mt19937 rng(seed);

  testing::ReplicaGroupOptions o;
  o.dir = dir_ + "/group";
  // Trim often, so that a replica restored from a backup follows a log trimmed below it.
  o.extra_args = {"--trim-interval-seconds", "1"};
  auto group = testing::ReplicaGroup::Start(o);
  ASSERT_TRUE(group.ok()) << group.status();
  group_ = *std::move(group);
  auto leader = group_->Leader();
  ASSERT_TRUE(leader.ok()) << leader.status();
  SetUpData(*leader);
  if (HasFatalFailure()) return;
  ReadYourWriteOnFollowers(*leader);
  if (HasFatalFailure()) return;
  auto g =
      testing::Daemon::Start(GATEWAYD_BINARY,
                             {"--insecure", "--registry", absl::StrJoin(group_->addresses(), ","),
                              "--form-cache-seconds", "0"},
                             dir_ + "/gateway.log");
  ASSERT_TRUE(g.ok()) << g.status();
  gateway_ = std::make_unique<testing::Daemon>(*std::move(g));

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back([this, w, seed] { Writer(w, seed); });
  threads.emplace_back([this] { Reader(); });
  threads.emplace_back([this, seed] { CurrentReader(seed); });
  struct ThreadsJoin {
    std::atomic<bool>* stop;
    std::vector<std::thread>* threads;
    ~ThreadsJoin() {
      stop->store(true);
      for (auto& t : *threads) t.join();
    }
  } join{&stop_, &threads};

  enum Fault { kKillLeader, kStopLeader, kKillEtcdLeader, kWipeFollower, kPartitionLeader };
  const char* kFaultNames[] = {
      "kill -9 of the registry leader", "SIGSTOP of the registry leader past its lease",
      "kill -9 of the etcd leader", "a follower's data lost, restored from a backup",
      "the registry leader cut off from etcd"};
  std::vector<Fault> schedule = {kKillLeader, kStopLeader, kKillEtcdLeader, kWipeFollower,
                                 kPartitionLeader};
  std::shuffle(schedule.begin(), schedule.end(), rng);
  while (static_cast<int>(schedule.size()) < rounds) {
    schedule.push_back(static_cast<Fault>(std::uniform_int_distribution<int>(0, 4)(rng)));
  }
  schedule.resize(rounds);
  std::vector<std::string> figures;
  int restores = 0;
  WaitForProgress(20);
  if (HasFatalFailure()) return;
  SaveHead(*leader);

  for (int round = 0; round < rounds; ++round) {
    const Fault fault = schedule[round];
    SCOPED_TRACE(absl::StrCat("round ", round, ": ", kFaultNames[fault]));
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(100, 1500)(rng)));
    auto lead = group_->Leader();
    ASSERT_TRUE(lead.ok()) << lead.status();
    const absl::Time t0 = absl::Now();
    switch (fault) {
      case kKillLeader: {
        ASSERT_TRUE(group_->Kill(*lead).ok());
        auto first = FirstAckAfter(t0, *lead, absl::Seconds(30));
        ASSERT_TRUE(first.ok()) << first.status();
        const absl::Duration failover = first->answered - t0;
        figures.push_back(absl::StrCat(kFaultNames[fault], ": first write acknowledged by ",
                                       group_->replica_id(first->replica), " after ",
                                       absl::FormatDuration(failover)));
        EXPECT_LT(failover, absl::Seconds(10));
        ASSERT_TRUE(group_->Restart(*lead).ok());
        break;
      }
      case kStopLeader: {
        ASSERT_TRUE(group_->Pause(*lead).ok());
        auto first = FirstAckAfter(t0, *lead, absl::Seconds(30));
        ASSERT_TRUE(first.ok()) << first.status();
        const absl::Duration failover = first->answered - t0;
        figures.push_back(absl::StrCat(kFaultNames[fault], ": first write acknowledged by ",
                                       group_->replica_id(first->replica), " after ",
                                       absl::FormatDuration(failover)));
        EXPECT_LT(failover, absl::Seconds(10));
        // Let calls pile up at the stopped leader, then wake it.
        absl::SleepFor(absl::Seconds(1));
        const absl::Time t1 = absl::Now();
        ASSERT_TRUE(group_->Resume(*lead).ok());
        WaitForProgress(10);
        std::lock_guard<std::mutex> lock(mu_);
        for (const Ack& a : acks_) {
          EXPECT_FALSE(a.replica == *lead && a.sent >= t0 && a.sent <= t1)
              << "the stopped leader acknowledged " << a.request_id << ", sent while it was "
              << "stopped, after its lease had run out";
        }
        break;
      }
      case kKillEtcdLeader: {
        auto etcd_leader = group_->etcd().Leader();
        ASSERT_TRUE(etcd_leader.ok()) << etcd_leader.status();
        ASSERT_TRUE(group_->etcd().Kill(*etcd_leader).ok());
        auto first = FirstAckAfter(t0, -1, absl::Seconds(30));
        ASSERT_TRUE(first.ok()) << first.status();
        figures.push_back(absl::StrCat(kFaultNames[fault], ": first write acknowledged after ",
                                       absl::FormatDuration(first->answered - t0)));
        ASSERT_TRUE(group_->etcd().Restart(*etcd_leader).ok());
        break;
      }
      case kPartitionLeader: {
        group_->Partition(*lead);
        auto first = FirstAckAfter(t0, *lead, absl::Seconds(30));
        ASSERT_TRUE(first.ok()) << first.status();
        const absl::Duration failover = first->answered - t0;
        figures.push_back(absl::StrCat(kFaultNames[fault], ": first write acknowledged by ",
                                       group_->replica_id(first->replica), " after ",
                                       absl::FormatDuration(failover)));
        EXPECT_LT(failover, absl::Seconds(10));
        // The cut-off leader still answers its callers for a while: nothing it says may be
        // stale or unrecorded (checked with every read below).
        absl::SleepFor(absl::Seconds(1));
        group_->Heal(*lead);
        WaitForProgress(10);
        std::lock_guard<std::mutex> lock(mu_);
        for (const Ack& a : acks_) {
          EXPECT_FALSE(a.replica == *lead && a.sent > t0 + absl::Milliseconds(100) &&
                       a.answered < first->answered)
              << "the leader cut off from etcd acknowledged " << a.request_id;
        }
        break;
      }
      case kWipeFollower: {
        const int follower =
            (*lead + 1 + std::uniform_int_distribution<int>(0, 1)(rng)) % group_->size();
        // As an operator recovers a lost disk: a verified backup of the follower (which
        // also lets the leader trim the log below it), more writes, the directory lost, the
        // backup restored, and the replica follows the log from the backup's index.
        const std::string backup = absl::StrCat(dir_, "/backup-", round);
        testing::ShellResult made =
            testing::RunShell(absl::StrCat(REGISTRYCTL_BINARY, " --registry ",
                                           group_->address(follower), " backup create ", backup));
        ASSERT_EQ(made.exit_code, 0) << made.out;
        WaitForProgress(10);
        if (HasFatalFailure()) return;
        ASSERT_TRUE(group_->Wipe(follower).ok());
        const std::string keys = group_->options().dir + "/keys";
        testing::ShellResult restored = testing::RunShell(
            absl::StrCat(REGISTRYCTL_BINARY, " backup restore ", backup, " --data-dir ",
                         group_->data_dir(follower), " --index-key ", keys,
                         "/index.key --audit-key ", keys, "/audit-signing.pem"));
        ASSERT_EQ(restored.exit_code, 0) << restored.out;
        ASSERT_TRUE(group_->Restart(follower).ok());
        figures.push_back(absl::StrCat(kFaultNames[fault], ": ", group_->replica_id(follower),
                                       " restored from a backup"));
        ++restores;
        break;
      }
    }
    WaitForProgress(10);
    if (HasFatalFailure()) return;
    auto now_leader = group_->Leader();
    ASSERT_TRUE(now_leader.ok()) << now_leader.status();
    SaveHead(*now_leader);
  }

  // Quiet: the writers finish what they hold, then every replica catches up.
  stop_.store(true);
  for (auto& t : threads) t.join();
  threads.clear();
  for (int i = 0; i < group_->size(); ++i) {
    if (!group_->running(i)) {
      ASSERT_TRUE(group_->Restart(i).ok());
    }
  }
  ASSERT_TRUE(group_->WaitConverged(absl::Seconds(60)).ok()) << group_->LogTails(10);
  EXPECT_TRUE(wrong_.empty()) << absl::StrJoin(wrong_, "\n");
  if (restores > 0) {
    // Every replica applied the log past the backup's mark: the leader trims below it.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    double first = 0;
    while (absl::Now() < deadline) {
      auto lead = group_->Leader();
      ASSERT_TRUE(lead.ok()) << lead.status();
      auto m = group_->Metrics(*lead);
      if (m.ok()) first = (*m)["collectonce_replication_log_first_index"];
      if (first > 1) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_GT(first, 1) << "the log was never trimmed below the backup";
  }

  std::map<std::string, Ack> acked;
  for (const Ack& a : acks_) {
    EXPECT_TRUE(acked.emplace(a.request_id, a).second) << a.request_id << " acknowledged twice";
  }
  // No current read showed less than a write acknowledged before it was sent.
  {
    std::map<std::string, std::vector<const Ack*>> by_subject;
    for (const Ack& a : acks_) by_subject[a.subject].push_back(&a);
    int stale = 0;
    for (const CurrentRead& r : reads_) {
      for (const Ack* a : by_subject[r.subject]) {
        if (a->answered < r.sent && a->revision > r.revision && ++stale <= 5) {
          ADD_FAILURE() << group_->replica_id(r.replica) << " answered " << r.subject
                        << " at revision " << r.revision << ", but revision " << a->revision << " ("
                        << a->request_id << ") was acknowledged before the read";
        }
      }
    }
    EXPECT_EQ(stale, 0);
    EXPECT_GT(reads_.size(), 0u);
  }
  std::vector<int64_t> totals(group_->size());
  for (int i = 0; i < group_->size(); ++i) {
    CheckReplica(i, acked, &totals[i]);
    if (HasFatalFailure()) return;
  }
  for (int i = 1; i < group_->size(); ++i) EXPECT_EQ(totals[i], totals[0]);

  // A request id sent again after all the failovers gets its first result.
  {
    RoutedRegistry registry(group_->addresses());
    int n = 0;
    for (const Ack& a : acks_) {
      if (n++ % 25 != 0) continue;
      v1::UpdateRecordRequest up;
      up.set_name(a.subject);
      up.mutable_provenance()->set_source("market-regulation");
      (*up.mutable_values())["name"].set_string_value(a.value);
      up.set_request_id(a.request_id);
      v1::UpdateRecordResponse resp;
      int replica;
      grpc::Status s = registry.Update(up, &resp, absl::Seconds(10), &replica);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(resp.record().revision(), a.revision) << a.request_id;
    }
  }

  // Equal tree heads at equal size, one key; every saved head extended on every replica.
  std::string root, key;
  uint64_t size = 0;
  for (int i = 0; i < group_->size(); ++i) {
    auto stub = v1::AuditService::NewStub(
        grpc::CreateChannel(group_->address(i), grpc::InsecureChannelCredentials()));
    v1::SignedTreeHead head;
    grpc::ClientContext ctx;
    grpc::Status s = stub->GetTreeHead(Prepare(&ctx, "registryctl", absl::Now() + absl::Seconds(5)),
                                       v1::GetTreeHeadRequest(), &head);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (i == 0) {
      root = head.root_hash();
      key = head.public_key();
      size = head.tree_size();
    }
    EXPECT_EQ(head.tree_size(), size) << group_->replica_id(i);
    EXPECT_EQ(head.root_hash(), root) << group_->replica_id(i);
    EXPECT_EQ(head.public_key(), key) << group_->replica_id(i);
    for (const std::string& saved : heads_) {
      testing::ShellResult r =
          testing::RunShell(absl::StrCat(REGISTRYCTL_BINARY, " --registry ", group_->address(i),
                                         " audit verify --since-head ", saved));
      testing::KeepTestOutput("replication_audit_verify", r.out);
      EXPECT_EQ(r.exit_code, 0) << group_->replica_id(i) << " against " << saved << ": " << r.out;
    }
  }

  // Every pre-fill the gateway answered was recorded before it left, on every replica.
  for (int i = 0; i < group_->size(); ++i) {
    auto stub = v1::AuditService::NewStub(
        grpc::CreateChannel(group_->address(i), grpc::InsecureChannelCredentials()));
    int64_t accesses = 0;
    std::string token;
    do {
      v1::ListAccessEventsRequest req;
      req.set_subject(song_);
      req.set_page_size(1000);
      req.set_page_token(token);
      v1::ListAccessEventsResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = stub->ListAccessEvents(
          Prepare(&ctx, "auditor", absl::Now() + absl::Seconds(10)), req, &resp);
      ASSERT_TRUE(s.ok()) << group_->replica_id(i) << ": " << s.error_message();
      accesses += resp.entries_size();
      token = resp.next_page_token();
    } while (!token.empty());
    EXPECT_GE(accesses, prefills_.load()) << group_->replica_id(i);
  }
  EXPECT_GT(prefills_.load(), 0);

  std::cerr << "nemesis: " << acks_.size() << " writes acknowledged, " << prefills_.load()
            << " pre-fills, " << reads_.size() << " current reads, " << unacknowledged_.size()
            << " never acknowledged, audit size " << size << "\n";
  for (const auto& f : figures) std::cerr << "  " << f << "\n";
}

}  // namespace
}  // namespace collectonce
