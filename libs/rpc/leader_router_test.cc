#include "libs/rpc/leader_router.h"

#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/rpc/leader_hint.h"

namespace collectonce::rpc {
namespace {

RpcError NotLeader(std::string leader) {
  RpcError e;
  e.status = absl::FailedPreconditionError("this replica follows");
  e.reason = kNotLeaderReason;
  if (!leader.empty()) e.metadata[kLeaderAddressKey] = leader;
  return e;
}

RpcError Code(absl::StatusCode code, std::string reason = "") {
  RpcError e;
  e.status = absl::Status(code, "refused");
  e.reason = std::move(reason);
  return e;
}

TEST(ParseAddressListTest, SplitsTrimsAndRefusesWhatIsNotHostPort) {
  auto got = ParseAddressList("127.0.0.1:7400, 127.0.0.1:7402,127.0.0.1:7400");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (std::vector<std::string>{"127.0.0.1:7400", "127.0.0.1:7402"}));
  EXPECT_EQ(ParseAddressList("registry-0.registry:7400")->size(), 1u);
  EXPECT_FALSE(ParseAddressList("").ok());
  EXPECT_FALSE(ParseAddressList("127.0.0.1:7400,").ok());
  EXPECT_FALSE(ParseAddressList("127.0.0.1").ok());
  EXPECT_FALSE(ParseAddressList("127.0.0.1:99999").ok());
}

TEST(LeaderRouterTest, FollowsTheHintToAListedLeader) {
  LeaderRouter r({"a:1", "b:1", "c:1"});
  EXPECT_EQ(r.current(), 0);
  auto next = r.OnFailure(0, NotLeader("c:1"), /*repeatable=*/false, 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->replica, 2);
  EXPECT_EQ(next->pause, absl::ZeroDuration());
  EXPECT_EQ(r.current(), 2);
}

TEST(LeaderRouterTest, WithoutALeaderItTriesTheNextReplicaAfterAPause) {
  LeaderRouter r({"a:1", "b:1"});
  auto next = r.OnFailure(0, NotLeader(""), false, 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->replica, 1);
  EXPECT_GT(next->pause, absl::ZeroDuration());
  // A hint outside the list is not followed.
  next = r.OnFailure(1, NotLeader("elsewhere:1"), false, 2);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->replica, 0);
}

TEST(LeaderRouterTest, AnUnreachableReplicaIsLeftOnlyByRepeatableCalls) {
  LeaderRouter r({"a:1", "b:1", "c:1"});
  EXPECT_FALSE(r.OnFailure(0, Code(absl::StatusCode::kUnavailable), false, 1).has_value());
  auto next = r.OnFailure(0, Code(absl::StatusCode::kUnavailable), true, 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->replica, 1);
  // An outcome lost in a failover: only a write with a request id is sent again.
  const RpcError unknown = Code(absl::StatusCode::kUnknown, "COMMIT_OUTCOME_UNKNOWN");
  EXPECT_FALSE(r.OnFailure(1, unknown, false, 1).has_value());
  EXPECT_TRUE(r.OnFailure(1, unknown, true, 1).has_value());
  // Anything else is the caller's answer.
  EXPECT_FALSE(r.OnFailure(1, Code(absl::StatusCode::kAborted, "ETAG_MISMATCH"), true, 1));
  EXPECT_FALSE(r.OnFailure(1, Code(absl::StatusCode::kNotFound), true, 1));
}

TEST(LeaderRouterTest, AReplicaThatDoesNotAnswerCostsOneAttemptNotTheCall) {
  LeaderRouter r({"a:1", "b:1", "c:1"});
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  EXPECT_EQ(r.AttemptDeadline(now, now + absl::Seconds(10)), now + absl::Seconds(5));
  EXPECT_EQ(r.AttemptDeadline(now, now + absl::Seconds(1)), now + absl::Seconds(1));
  EXPECT_EQ(r.AttemptDeadline(now, now + absl::Milliseconds(1500)), now + absl::Seconds(1));
  EXPECT_EQ(r.AttemptDeadline(now, now - absl::Seconds(1)), now - absl::Seconds(1));
  // An attempt that ran out on a stalled leader goes to the next replica if repeatable.
  auto next = r.OnFailure(0, Code(absl::StatusCode::kDeadlineExceeded), true, 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->replica, 1);
  EXPECT_FALSE(r.OnFailure(1, Code(absl::StatusCode::kDeadlineExceeded), false, 1).has_value());
  // One replica: nowhere else to go, the attempt has the call's deadline.
  LeaderRouter one({"a:1"});
  EXPECT_EQ(one.AttemptDeadline(now, now + absl::Seconds(10)), now + absl::Seconds(10));
}

TEST(LeaderRouterTest, RetriesAreBounded) {
  LeaderRouter r({"a:1", "b:1", "c:1"});
  int attempt = 1;
  int tried = 0;
  while (auto next = r.OnFailure(tried, NotLeader(""), true, attempt)) {
    tried = next->replica;
    ++attempt;
    ASSERT_LE(next->pause, absl::Milliseconds(800));
  }
  EXPECT_EQ(attempt, r.max_attempts());
}

TEST(LeaderHintTest, ANotLeaderRefusalNamesTheLeaderAndNothingElseChanges) {
  grpc::Status refused =
      ToGrpc(WithReason(absl::FailedPreconditionError("this replica follows"), kNotLeaderReason));
  grpc::Status hinted = AddLeaderHint(refused, {"10.0.0.3:7400", "registry-2"});
  RpcError e = FromGrpc(hinted);
  EXPECT_EQ(e.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(e.reason, kNotLeaderReason);
  EXPECT_EQ(e.metadata.at(kLeaderAddressKey), "10.0.0.3:7400");
  EXPECT_EQ(e.metadata.at(kLeaderReplicaKey), "registry-2");
  EXPECT_EQ(hinted.error_message(), "this replica follows (the leader is 10.0.0.3:7400)");
  // No leader known: unchanged.
  EXPECT_EQ(AddLeaderHint(refused, {}).error_details(), refused.error_details());
  // Another refusal: unchanged.
  grpc::Status other = ToGrpc(absl::FailedPreconditionError("stale"));
  EXPECT_EQ(AddLeaderHint(other, {"10.0.0.3:7400", ""}).error_details(), other.error_details());
}

}  // namespace
}  // namespace collectonce::rpc
