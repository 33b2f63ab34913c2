#include "services/registry/call_tails.h"

#include <algorithm>

namespace collectonce::registry {

CallTails::CallTails(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
}

CallTails::~CallTails() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void CallTails::Run(std::function<void()> tail) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(tail));
}

void CallTails::Loop() {
  for (;;) {
    std::function<void()> tail;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](CallTails* t)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(t->mu_) { return t->stopping_ || !t->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left
      tail = std::move(queue_.front());
      queue_.pop_front();
    }
    tail();
  }
}

}  // namespace collectonce::registry
