#include "libs/rpc/leader_hint.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/rpc/leader_router.h"

namespace collectonce::rpc {
namespace {

using Hook = grpc::experimental::InterceptionHookPoints;

class LeaderHintInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit LeaderHintInterceptor(const LeaderHintSource* source) : source_(source) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      grpc::Status s = methods->GetSendStatus();
      if (!s.ok() && s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        grpc::Status hinted = AddLeaderHint(s, (*source_)());
        if (hinted.error_details() != s.error_details()) methods->ModifySendStatus(hinted);
      }
    }
    methods->Proceed();
  }

 private:
  const LeaderHintSource* source_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(LeaderHintSource source) : source_(std::move(source)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new LeaderHintInterceptor(&source_);
  }

 private:
  const LeaderHintSource source_;
};

}  // namespace

grpc::Status AddLeaderHint(const grpc::Status& status, const LeaderHint& hint) {
  google::rpc::Status rich;
  if (status.ok() || status.error_details().empty() ||
      !rich.ParseFromString(status.error_details())) {
    return status;
  }
  bool changed = false;
  for (auto& any : *rich.mutable_details()) {
    google::rpc::ErrorInfo info;
    if (!any.UnpackTo(&info) || info.reason() != kNotLeaderReason) continue;
    if (hint.address.empty() || info.metadata().count(kLeaderAddressKey) > 0) return status;
    (*info.mutable_metadata())[kLeaderAddressKey] = hint.address;
    if (!hint.replica_id.empty()) (*info.mutable_metadata())[kLeaderReplicaKey] = hint.replica_id;
    any.PackFrom(info);
    changed = true;
  }
  if (!changed) return status;
  std::string message = status.error_message();
  if (message.find(hint.address) == std::string::npos) {
    absl::StrAppend(&message, " (the leader is ", hint.address, ")");
    rich.set_message(message);
  }
  return grpc::Status(status.error_code(), message, rich.SerializeAsString());
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> LeaderHintFactory(
    LeaderHintSource source) {
  return std::make_unique<Factory>(std::move(source));
}

}  // namespace collectonce::rpc
