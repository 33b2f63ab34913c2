// Completes read receipts on threads of their own, off the store's completer thread: a head
// that is new must be written to the published-head file (synced) before it is handed out,
// which must not hold up the acknowledgements of other writes. The receipts waiting when a
// thread wakes share one head (ReceiptHeads), so a burst of pre-fills costs one signature
// and one file write, and one read of each proof node (audit::NodeCache). Completing a
// receipt also sends its reply (serializing, the call's interceptors): more than one thread
// does it, so that one thread is not every receipt's bottleneck.
#ifndef COLLECTONCE_SERVICES_REGISTRY_RECEIPT_FINISHER_H_
#define COLLECTONCE_SERVICES_REGISTRY_RECEIPT_FINISHER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/registry/read_receipt.h"

namespace collectonce::registry {

class ReceiptFinisher {
 public:
  // `publisher` and `store` outlive this; `now_us` gives the heads' timestamps; `threads`
  // complete batches side by side (at least 1).
  ReceiptFinisher(store::Store* store, audit::HeadPublisher* publisher,
                  std::function<int64_t()> now_us, int threads = 2);
  // Completes the receipts still waiting, then stops.
  ~ReceiptFinisher();
  ReceiptFinisher(const ReceiptFinisher&) = delete;
  ReceiptFinisher& operator=(const ReceiptFinisher&) = delete;

  // Completes `receipt` for the committed access entry `index` (FinishReceipt); `done` runs
  // on the finisher's thread with the outcome, and must not block.
  void Finish(uint64_t index, std::shared_ptr<v1::ReadReceipt> receipt,
              std::function<void(absl::Status)> done);

 private:
  struct Job {
    uint64_t index;
    std::shared_ptr<v1::ReadReceipt> receipt;
    std::function<void(absl::Status)> done;
  };
  void Run();
  void Complete(std::deque<Job> jobs);

  store::Store* const store_;
  ReceiptHeads heads_;
  const std::function<int64_t()> now_us_;
  absl::Mutex mu_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_RECEIPT_FINISHER_H_
