#include "services/registry/call_tails.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace collectonce::registry {
namespace {

// Every tail runs once, on the tails' threads and not the caller's, and the ones still
// queued when the tails are destroyed run before the destructor returns.
TEST(CallTailsTest, RunsEveryTailOffTheCallersThreadAndDrainsAtTheEnd) {
  std::atomic<int> ran{0};
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  absl::Notification release;
  {
    CallTails tails(2);
    // Both threads held, so that the rest is still queued at destruction.
    for (int i = 0; i < 2; ++i) {
      tails.Run([&] {
        release.WaitForNotification();
        ++ran;
      });
    }
    for (int i = 0; i < 100; ++i) {
      tails.Run([&] {
        absl::MutexLock lock(&mu);
        threads.insert(std::this_thread::get_id());
        ++ran;
      });
    }
    release.Notify();
  }
  EXPECT_EQ(ran.load(), 102);
  EXPECT_FALSE(threads.empty());
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

}  // namespace
}  // namespace collectonce::registry
