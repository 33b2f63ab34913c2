#include "libs/etcd/internal/errors.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"

namespace collectonce::etcd::internal {
namespace {

using ::collectonce::testing::StatusIs;

grpc::Status Etcd(grpc::StatusCode code, const char* message) { return {code, message}; }

TEST(EtcdErrors, RefusedBeforeProposingMovesOnForReadsAndWrites) {
  for (const char* m :
       {"etcdserver: no leader", "etcdserver: too many requests", "etcdserver: not capable"}) {
    for (CallKind kind : {CallKind::kRead, CallKind::kMutation}) {
      Classified c = Classify(Etcd(grpc::StatusCode::UNAVAILABLE, m), kind);
      EXPECT_THAT(c.status, StatusIs(absl::StatusCode::kUnavailable)) << m;
      EXPECT_EQ(ReasonOf(c.status), "ETCD_UNAVAILABLE");
      EXPECT_TRUE(c.try_next_member) << m;
    }
  }
}

TEST(EtcdErrors, ATimedOutWriteIsUnknownAndNeverRetriedElsewhere) {
  for (const char* m : {"etcdserver: request timed out",
                        "etcdserver: request timed out, possibly due to previous leader failure",
                        "etcdserver: leader changed", "etcdserver: server stopped"}) {
    Classified write = Classify(Etcd(grpc::StatusCode::UNAVAILABLE, m), CallKind::kMutation);
    EXPECT_THAT(write.status, StatusIs(absl::StatusCode::kUnknown)) << m;
    EXPECT_EQ(ReasonOf(write.status), "ETCD_OUTCOME_UNKNOWN");
    EXPECT_FALSE(write.try_next_member);
    Classified read = Classify(Etcd(grpc::StatusCode::UNAVAILABLE, m), CallKind::kRead);
    EXPECT_THAT(read.status, StatusIs(absl::StatusCode::kUnavailable)) << m;
    EXPECT_TRUE(read.try_next_member);
  }
}

TEST(EtcdErrors, ALostConnectionOrDeadlineMakesAWriteUnknownAndAReadMoveOn) {
  for (grpc::StatusCode code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
                                grpc::StatusCode::CANCELLED}) {
    grpc::Status s(code, "Socket closed");
    EXPECT_THAT(Classify(s, CallKind::kMutation).status, StatusIs(absl::StatusCode::kUnknown));
    EXPECT_FALSE(Classify(s, CallKind::kMutation).try_next_member);
    EXPECT_TRUE(Classify(s, CallKind::kRead).try_next_member);
  }
  EXPECT_THAT(Classify(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
                       CallKind::kRead)
                  .status,
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(EtcdErrors, DefiniteAnswersKeepTheirMeaning) {
  struct Case {
    grpc::StatusCode code;
    const char* message;
    absl::StatusCode want;
    const char* reason;
  };
  const Case cases[] = {
      {grpc::StatusCode::OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted",
       absl::StatusCode::kOutOfRange, "ETCD_COMPACTED"},
      {grpc::StatusCode::OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
       absl::StatusCode::kOutOfRange, "ETCD_FUTURE_REVISION"},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded",
       absl::StatusCode::kResourceExhausted, "ETCD_NO_SPACE"},
      {grpc::StatusCode::NOT_FOUND, "etcdserver: requested lease not found",
       absl::StatusCode::kNotFound, "ETCD_LEASE_NOT_FOUND"},
      {grpc::StatusCode::INVALID_ARGUMENT, "etcdserver: request is too large",
       absl::StatusCode::kInvalidArgument, "ETCD_REQUEST_TOO_LARGE"},
      {grpc::StatusCode::INVALID_ARGUMENT, "etcdserver: too many operations in txn request",
       absl::StatusCode::kInvalidArgument, "ETCD_TOO_MANY_OPERATIONS"},
      {grpc::StatusCode::DATA_LOSS, "etcdserver: corrupt cluster", absl::StatusCode::kDataLoss,
       "ETCD_CORRUPT"},
      {grpc::StatusCode::PERMISSION_DENIED, "etcdserver: permission denied",
       absl::StatusCode::kPermissionDenied, "ETCD_PERMISSION_DENIED"},
  };
  for (const Case& c : cases) {
    for (CallKind kind : {CallKind::kRead, CallKind::kMutation}) {
      Classified got = Classify(Etcd(c.code, c.message), kind);
      EXPECT_THAT(got.status, StatusIs(c.want)) << c.message;
      EXPECT_EQ(ReasonOf(got.status), c.reason) << c.message;
      EXPECT_FALSE(got.try_next_member) << c.message;
    }
  }
}

TEST(EtcdErrors, AnUnknownEtcdErrorIsNeverMistakenForSuccess) {
  grpc::Status odd(grpc::StatusCode::UNAVAILABLE, "etcdserver: something new");
  EXPECT_THAT(Classify(odd, CallKind::kMutation).status, StatusIs(absl::StatusCode::kUnknown));
  EXPECT_THAT(Classify(odd, CallKind::kRead).status, StatusIs(absl::StatusCode::kUnavailable));
  grpc::Status weird(grpc::StatusCode::ABORTED, "etcdserver: aborted for a new reason");
  EXPECT_THAT(Classify(weird, CallKind::kRead).status, StatusIs(absl::StatusCode::kInternal));
  EXPECT_TRUE(Classify(grpc::Status::OK, CallKind::kMutation).status.ok());
}

}  // namespace
}  // namespace collectonce::etcd::internal
