#include "libs/rpc/health_follower.h"

#include <utility>

namespace collectonce::rpc {

HealthFollower::HealthFollower(grpc::HealthCheckServiceInterface* health,
                               std::function<absl::Status()> probe, absl::Duration period,
                               std::string service)
    : health_(health), probe_(std::move(probe)), period_(period), service_(std::move(service)) {
  Update();
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(period_)) Update();
  });
}

HealthFollower::~HealthFollower() {
  stop_.Notify();
  thread_.join();
}

absl::Status HealthFollower::last() const {
  absl::MutexLock lock(&mu_);
  return last_status_;
}

void HealthFollower::Update() {
  absl::Status status = probe_();
  const int serving = status.ok() ? 1 : 0;
  {
    absl::MutexLock lock(&mu_);
    last_status_ = std::move(status);
  }
  // Only changes are passed on: watchers of the health service hear each one once.
  if (serving == last_) return;
  last_ = serving;
  // The named service only ("" is the overall status): another follower may own another.
  health_->SetServingStatus(service_, serving == 1);
}

}  // namespace collectonce::rpc
