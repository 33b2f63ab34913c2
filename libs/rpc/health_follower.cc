#include "libs/rpc/health_follower.h"

#include <utility>

namespace collectonce::rpc {

HealthFollower::HealthFollower(grpc::HealthCheckServiceInterface* health,
                               std::function<absl::Status()> probe, absl::Duration period)
    : health_(health), probe_(std::move(probe)), period_(period) {
  Update();
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(period_)) Update();
  });
}

HealthFollower::~HealthFollower() {
  stop_.Notify();
  thread_.join();
}

void HealthFollower::Update() {
  // Only changes are passed on: watchers of the health service hear each one once.
  const int serving = probe_().ok() ? 1 : 0;
  if (serving == last_) return;
  last_ = serving;
  health_->SetServingStatus(serving == 1);
}

}  // namespace collectonce::rpc
