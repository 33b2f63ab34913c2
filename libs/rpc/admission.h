// Bounded concurrency for a daemon: past a limit of admitted calls in progress, a new call is
// refused at once with RESOURCE_EXHAUSTED (reason OVERLOADED, with a RetryInfo) instead of
// queueing behind the others with unbounded latency.
//
// gRPC 1.51's server interceptors cannot refuse a call, so the work is split: an interceptor
// follows every call from its arrival to its end, and each handler asks Admit() first, before
// it does any work. An admitted call holds its slot until it ends (streams for as long as
// they are open); a refused call never holds one. Calls that never ask (health checks and
// their watch streams, reflection) are neither counted nor refused, so probes still answer.
#ifndef COLLECTONCE_LIBS_RPC_ADMISSION_H_
#define COLLECTONCE_LIBS_RPC_ADMISSION_H_

#include <atomic>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
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

  // Follows calls; register it with the server builder. The Admission must outlive the
  // server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  // OK: `call` is admitted and holds a slot until it ends (asking again is OK and takes no
  // second slot). RESOURCE_EXHAUSTED (reason OVERLOADED, RetryInfo) when max_calls admitted
  // calls are in progress. A call the interceptor does not follow (a server built without
  // it) is admitted or refused the same way but holds no slot.
  [[nodiscard]] absl::Status Admit(const grpc::ServerContextBase& call) const;

  // Admitted calls in progress.
  int in_flight() const { return admitted_.load(std::memory_order_relaxed); }
  int max_calls() const { return max_calls_; }
  // Calls refused so far.
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  class Follower;
  class Factory;
  // The interceptor's side: a call arrives, a call ends.
  void Arrived(const grpc::ServerContextBase* call);
  void Ended(const grpc::ServerContextBase* call);

  const int max_calls_;
  mutable std::atomic<int> admitted_{0};
  mutable std::atomic<uint64_t> refused_{0};
  mutable absl::Mutex mu_;
  // Every followed call in progress, and whether it holds a slot.
  mutable absl::flat_hash_map<const grpc::ServerContextBase*, bool> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ADMISSION_H_
