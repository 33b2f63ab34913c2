#include "libs/rpc/admission.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "libs/base/error_reason.h"

namespace collectonce::rpc {

class Admission::Counter : public grpc::experimental::Interceptor {
 public:
  explicit Counter(std::atomic<int>* in_flight) : in_flight_(in_flight) {
    in_flight_->fetch_add(1, std::memory_order_relaxed);
  }
  // The call's interceptors are destroyed when the call is over.
  ~Counter() override { in_flight_->fetch_sub(1, std::memory_order_relaxed); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  std::atomic<int>* in_flight_;
};

class Admission::Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(std::atomic<int>* in_flight) : in_flight_(in_flight) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new Counter(in_flight_);
  }

 private:
  std::atomic<int>* in_flight_;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Admission::InterceptorFactory() {
  return std::make_unique<Factory>(&in_flight_);
}

absl::Status Admission::Admit() const {
  if (max_calls_ <= 0 || in_flight_.load(std::memory_order_relaxed) <= max_calls_) {
    return absl::OkStatus();
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
