#include "libs/rpc/errors.h"

#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/rpc/admin_server.h"

namespace collectonce::rpc {
namespace {

TEST(ErrorsTest, ReasonAndViolationsRoundTrip) {
  absl::Status s = WithReason(absl::FailedPreconditionError("held by the household authority"),
                              "SOURCE_AUTHORITY");
  catalog::Violations v = {{"name", "SOURCE_AUTHORITY", "姓名 is held by x"},
                           {"gender", "CODE", "is not a code"}};
  grpc::Status g = ToGrpc(s, v);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(g.error_message(), "held by the household authority");
  RpcError back = FromGrpc(g);
  EXPECT_EQ(back.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(back.reason, "SOURCE_AUTHORITY");
  ASSERT_EQ(back.violations.size(), 2u);
  EXPECT_EQ(back.violations[1], (catalog::Violation{"gender", "CODE", "is not a code"}));
}

TEST(ErrorsTest, MetadataRoundTrips) {
  absl::Status s =
      WithMetadata(WithReason(absl::FailedPreconditionError("this replica follows"), "NOT_LEADER"),
                   "leaderAddress", "10.0.0.2:7400");
  RpcError back = FromGrpc(ToGrpc(s));
  EXPECT_EQ(back.reason, "NOT_LEADER");
  EXPECT_EQ(back.metadata.at("leaderAddress"), "10.0.0.2:7400");
  EXPECT_EQ(MetadataOf(back.status, "leaderAddress"), "10.0.0.2:7400");
  EXPECT_EQ(MetadataOf(back.status, "other"), "");
}

TEST(ErrorsTest, EveryErrorGetsAReason) {
  RpcError e = FromGrpc(ToGrpc(absl::NotFoundError("no such record")));
  EXPECT_EQ(e.reason, "NOT_FOUND");
  e = FromGrpc(ToGrpc(absl::InvalidArgumentError("bad"), {{"f", "TYPE", "m"}}));
  EXPECT_EQ(e.reason, "INVALID_VALUES");
  EXPECT_TRUE(ToGrpc(absl::OkStatus()).ok());
}

// An ID number or a mobile number given in the wrong place (a read-mask path, a value echoed
// in a message) never leaves whole: the message, each field path and each description are
// masked as log lines are.
TEST(ErrorsTest, NumbersThatLookPersonalAreMaskedEverywhere) {
  grpc::Status g =
      ToGrpc(absl::InvalidArgumentError("350403194503120012 and 13905981234 are not fields"),
             {{"options.read_mask.350403194503120012", "UNKNOWN_FIELD", "no field 13905981234"}});
  EXPECT_EQ(g.error_message(), "350*************12 and 139******34 are not fields");
  RpcError back = FromGrpc(g);
  ASSERT_EQ(back.violations.size(), 1u);
  EXPECT_EQ(back.violations[0].field, "options.read_mask.350*************12");
  EXPECT_EQ(back.violations[0].message, "no field 139******34");
  EXPECT_EQ(back.status.message(), g.error_message());
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(g.error_details()));
  EXPECT_EQ(rich.DebugString().find("350403194503120012"), std::string::npos);
  EXPECT_EQ(rich.DebugString().find("13905981234"), std::string::npos);
  // Short numbers (a revision, a division code, a limit) are left alone.
  EXPECT_EQ(ToGrpc(absl::AbortedError("at revision 12; division 350404")).error_message(),
            "at revision 12; division 350404");
}

TEST(AdminServerTest, SplitsHostAndPort) {
  auto hp = SplitHostPort("127.0.0.1:7401");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "127.0.0.1");
  EXPECT_EQ(hp->second, 7401);
  hp = SplitHostPort("[::1]:0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "::1");
  EXPECT_FALSE(SplitHostPort("localhost").ok());
  EXPECT_FALSE(SplitHostPort("localhost:99999").ok());
}

}  // namespace
}  // namespace collectonce::rpc
