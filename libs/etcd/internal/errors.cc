#include "libs/etcd/internal/errors.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::etcd::internal {
namespace {

// etcd's server-side errors carry these messages (etcdserver/api/v3rpc/rpctypes/error.go in
// etcd 3.4); the gRPC code alone cannot tell "never proposed" from "proposed, no answer".
enum class Effect {
  kNotApplied,  // refused before anything was proposed: another member may serve it
  kMaybe,       // proposed, or may have been: a mutation's outcome is unknown
  kFinal,       // a definite answer about this request
};

struct Known {
  const char* message;
  Effect effect;
  absl::StatusCode code;  // for kFinal
  const char* reason;
};

constexpr Known kKnown[] = {
    {"etcdserver: no leader", Effect::kNotApplied, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: not capable", Effect::kNotApplied, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: rpc not supported for learner", Effect::kNotApplied,
     absl::StatusCode::kUnavailable, ""},
    {"etcdserver: unhealthy cluster", Effect::kNotApplied, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: too many requests", Effect::kNotApplied, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: server stopped", Effect::kMaybe, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: leader changed", Effect::kMaybe, absl::StatusCode::kUnavailable, ""},
    // Also "..., possibly due to previous leader failure" and the other suffixes.
    {"etcdserver: request timed out", Effect::kMaybe, absl::StatusCode::kUnavailable, ""},
    {"etcdserver: mvcc: required revision has been compacted", Effect::kFinal,
     absl::StatusCode::kOutOfRange, "ETCD_COMPACTED"},
    {"etcdserver: mvcc: required revision is a future revision", Effect::kFinal,
     absl::StatusCode::kOutOfRange, "ETCD_FUTURE_REVISION"},
    {"etcdserver: mvcc: database space exceeded", Effect::kFinal,
     absl::StatusCode::kResourceExhausted, "ETCD_NO_SPACE"},
    {"etcdserver: requested lease not found", Effect::kFinal, absl::StatusCode::kNotFound,
     "ETCD_LEASE_NOT_FOUND"},
    {"etcdserver: request is too large", Effect::kFinal, absl::StatusCode::kInvalidArgument,
     "ETCD_REQUEST_TOO_LARGE"},
    {"etcdserver: too many operations in txn request", Effect::kFinal,
     absl::StatusCode::kInvalidArgument, "ETCD_TOO_MANY_OPERATIONS"},
    {"etcdserver: duplicate key given in txn request", Effect::kFinal,
     absl::StatusCode::kInvalidArgument, "ETCD_DUPLICATE_KEY"},
    {"etcdserver: key is not provided", Effect::kFinal, absl::StatusCode::kInvalidArgument,
     "ETCD_EMPTY_KEY"},
    {"etcdserver: too large lease TTL", Effect::kFinal, absl::StatusCode::kInvalidArgument,
     "ETCD_LEASE_TTL_TOO_LARGE"},
    {"etcdserver: corrupt cluster", Effect::kFinal, absl::StatusCode::kDataLoss, "ETCD_CORRUPT"},
    {"etcdserver: permission denied", Effect::kFinal, absl::StatusCode::kPermissionDenied,
     "ETCD_PERMISSION_DENIED"},
    {"etcdserver: invalid auth token", Effect::kFinal, absl::StatusCode::kUnauthenticated,
     "ETCD_UNAUTHENTICATED"},
};

Classified Unavailable(const std::string& message) {
  return {WithReason(absl::UnavailableError(absl::StrCat("etcd: ", message)), "ETCD_UNAVAILABLE"),
          true};
}

Classified Unknown(const std::string& message) {
  return {WithReason(
              absl::UnknownError(absl::StrCat("etcd: the write was sent and no answer came back (",
                                              message, "): it may or may not have been applied")),
              "ETCD_OUTCOME_UNKNOWN"),
          false};
}

// Effect of an error that did not come from etcd's server code: the connection, the
// deadline, or gRPC itself.
Classified Transport(const grpc::Status& status, CallKind kind) {
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (kind == CallKind::kRead) return Unavailable(message);
      return Unknown(message);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      if (kind == CallKind::kRead) {
        return {WithReason(absl::DeadlineExceededError(absl::StrCat("etcd: ", message)),
                           "ETCD_TIMEOUT"),
                true};
      }
      return Unknown(message);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      // gRPC's own message size limit (etcd takes --max-request-bytes plus 512 KiB): the
      // request was never processed.
      return {WithReason(absl::InvalidArgumentError(absl::StrCat("etcd: ", message)),
                         "ETCD_MESSAGE_TOO_LARGE"),
              false};
    default:
      if (kind == CallKind::kMutation) return Unknown(message);
      return {WithReason(absl::InternalError(absl::StrCat("etcd: ", message)), "ETCD_ERROR"),
              false};
  }
}

}  // namespace

Classified Classify(const grpc::Status& status, CallKind kind) {
  if (status.ok()) return {absl::OkStatus(), false};
  const std::string& message = status.error_message();
  if (!absl::StartsWith(message, "etcdserver: ")) return Transport(status, kind);
  for (const Known& k : kKnown) {
    if (!absl::StartsWith(message, k.message)) continue;
    switch (k.effect) {
      case Effect::kNotApplied:
        return Unavailable(message);
      case Effect::kMaybe:
        if (kind == CallKind::kRead) return Unavailable(message);
        return Unknown(message);
      case Effect::kFinal:
        return {WithReason(absl::Status(k.code, message), k.reason), false};
    }
  }
  // An etcd error this client does not know: its code says what kind, not whether a
  // mutation took effect.
  if (kind == CallKind::kMutation && status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return Unknown(message);
  }
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case grpc::StatusCode::FAILED_PRECONDITION:
      code = absl::StatusCode::kFailedPrecondition;
      break;
    case grpc::StatusCode::NOT_FOUND:
      code = absl::StatusCode::kNotFound;
      break;
    case grpc::StatusCode::UNAVAILABLE:
      return Unavailable(message);
    default:
      break;
  }
  return {WithReason(absl::Status(code, message), "ETCD_ERROR"), false};
}

}  // namespace collectonce::etcd::internal
