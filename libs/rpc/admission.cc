#include "libs/rpc/admission.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "libs/base/error_reason.h"

namespace collectonce::rpc {

class Admission::Follower : public grpc::experimental::Interceptor {
 public:
  Follower(Admission* admission, const grpc::ServerContextBase* call)
      : admission_(admission), call_(call) {
    admission_->Arrived(call_);
  }
  // The call's interceptors are destroyed when the call is over.
  ~Follower() override { admission_->Ended(call_); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  Admission* admission_;
  const grpc::ServerContextBase* call_;
};

class Admission::Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(Admission* admission) : admission_(admission) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Follower(admission_, info->server_context());
  }

 private:
  Admission* admission_;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Admission::InterceptorFactory() {
  return std::make_unique<Factory>(this);
}

void Admission::Arrived(const grpc::ServerContextBase* call) {
  absl::MutexLock lock(&mu_);
  calls_[call] = false;
}

void Admission::Ended(const grpc::ServerContextBase* call) {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(call);
  if (it == calls_.end()) return;
  if (it->second) admitted_.fetch_sub(1, std::memory_order_relaxed);
  calls_.erase(it);
}

absl::Status Admission::Admit(const grpc::ServerContextBase& call) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(&call);
    if (it != calls_.end() && it->second) return absl::OkStatus();
    if (max_calls_ <= 0 || admitted_.load(std::memory_order_relaxed) < max_calls_) {
      if (it != calls_.end()) {
        it->second = true;
        admitted_.fetch_add(1, std::memory_order_relaxed);
      }
      return absl::OkStatus();
    }
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  absl::Status s = WithReason(
      absl::ResourceExhaustedError(absl::StrCat("the server is at its limit of ", max_calls_,
                                                " calls in progress; retry shortly")),
      "OVERLOADED");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_nanos(200 * 1000 * 1000);
  s.SetPayload(kRetryInfoUrl, absl::Cord(retry.SerializeAsString()));
  return s;
}

}  // namespace collectonce::rpc
