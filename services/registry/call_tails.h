// What a call does once its access record is durable (signing a credential, sending the
// reply), run off the store's completer thread: that one thread acknowledges every write,
// and a call's tail that runs on it makes it the ceiling of every call of that kind.
#ifndef COLLECTONCE_SERVICES_REGISTRY_CALL_TAILS_H_
#define COLLECTONCE_SERVICES_REGISTRY_CALL_TAILS_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace collectonce::registry {

class CallTails {
 public:
  // `threads` (at least 1) run the tails in the order given, side by side.
  explicit CallTails(int threads);
  // Runs every tail still queued, then stops.
  ~CallTails();
  CallTails(const CallTails&) = delete;
  CallTails& operator=(const CallTails&) = delete;

  // Queues `tail`; it must not block.
  void Run(std::function<void()> tail) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_CALL_TAILS_H_
