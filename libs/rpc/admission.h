// Bounded concurrency for a daemon: past a limit of calls in progress, a new call is refused
// at once with RESOURCE_EXHAUSTED (reason OVERLOADED, with a RetryInfo) instead of queueing
// behind the others with unbounded latency.
//
// gRPC 1.51's server interceptors cannot refuse a call, so the work is split: an interceptor
// counts every call from its arrival to its end (streams included, for as long as they are
// open), and each handler asks Admit() first, before it does any work. Calls that never ask
// (health checks, reflection) are counted but never refused, so probes still answer.
#ifndef COLLECTONCE_LIBS_RPC_ADMISSION_H_
#define COLLECTONCE_LIBS_RPC_ADMISSION_H_

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"

namespace collectonce::rpc {

// The absl::Status payload URL that ToGrpc turns into a google.rpc.RetryInfo detail; the
// payload is a serialized RetryInfo.
inline constexpr absl::string_view kRetryInfoUrl = "type.googleapis.com/google.rpc.RetryInfo";

class Admission {
 public:
  // `max_calls` <= 0: no limit.
  explicit Admission(int max_calls) : max_calls_(max_calls) {}
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // Counts calls; register it with the server builder. The Admission must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  // OK, or RESOURCE_EXHAUSTED (reason OVERLOADED, RetryInfo) when more than max_calls are in
  // progress, the asking call included.
  [[nodiscard]] absl::Status Admit() const;

  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int max_calls() const { return max_calls_; }
  // Calls refused so far.
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  class Counter;
  class Factory;
  const int max_calls_;
  std::atomic<int> in_flight_{0};
  mutable std::atomic<uint64_t> refused_{0};
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ADMISSION_H_
