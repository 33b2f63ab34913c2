#include "services/registry/receipt_finisher.h"

#include <algorithm>

namespace collectonce::registry {

ReceiptFinisher::ReceiptFinisher(store::Store* store, audit::HeadPublisher* publisher,
                                 std::function<int64_t()> now_us)
    : store_(store), heads_(publisher), now_us_(std::move(now_us)) {
  thread_ = std::thread([this] { Run(); });
}

ReceiptFinisher::~ReceiptFinisher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void ReceiptFinisher::Finish(uint64_t index, std::shared_ptr<v1::ReadReceipt> receipt,
                             std::function<void(absl::Status)> done) {
  absl::MutexLock lock(&mu_);
  jobs_.push_back({index, std::move(receipt), std::move(done)});
}

void ReceiptFinisher::Run() {
  for (;;) {
    std::deque<Job> jobs;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ReceiptFinisher* f)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) { return f->stopping_ || !f->jobs_.empty(); },
          this));
      if (jobs_.empty() && stopping_) return;
      jobs.swap(jobs_);
    }
    Complete(std::move(jobs));
  }
}

void ReceiptFinisher::Complete(std::deque<Job> jobs) {
  uint64_t newest = 0;
  for (const Job& j : jobs) newest = std::max(newest, j.index);
  // One head for every receipt waiting: it covers the newest of their entries.
  auto head = heads_.Covering(store_, newest, now_us_());
  for (Job& j : jobs) {
    absl::Status s = head.status();
    if (s.ok()) {
      s = FinishReceipt(store_, *head, heads_.signer().PublicKeyRaw(), j.index, j.receipt.get());
    }
    j.done(s);
  }
}

}  // namespace collectonce::registry
