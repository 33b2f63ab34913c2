// Keeps a server's grpc.health.v1 status in step with a probe (for registryd: the store's
// health), so that a store that failed a write shows NOT_SERVING to balancers and probes,
// not only on /healthz.
#ifndef COLLECTONCE_LIBS_RPC_HEALTH_FOLLOWER_H_
#define COLLECTONCE_LIBS_RPC_HEALTH_FOLLOWER_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/health_check_service_interface.h"

namespace collectonce::rpc {

class HealthFollower {
 public:
  // Sets the overall serving status (or that of `service`, when given) from `probe` now and
  // then every `period` on a thread of its own, until destroyed. `health` must outlive this
  // object.
  HealthFollower(grpc::HealthCheckServiceInterface* health, std::function<absl::Status()> probe,
                 absl::Duration period = absl::Milliseconds(100), std::string service = "");
  // Stops following; the status stays as last set.
  ~HealthFollower();
  // The probe's last result (for an HTTP readiness check that must not wait for the probe).
  absl::Status last() const;
  HealthFollower(const HealthFollower&) = delete;
  HealthFollower& operator=(const HealthFollower&) = delete;

 private:
  void Update();
  grpc::HealthCheckServiceInterface* health_;
  std::function<absl::Status()> probe_;
  absl::Duration period_;
  std::string service_;
  int last_ = -1;  // only the following thread touches it after construction
  mutable absl::Mutex mu_;
  absl::Status last_status_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_HEALTH_FOLLOWER_H_
