#include "services/registry/receipt_finisher.h"

#include <algorithm>

#include "libs/audit/node_cache.h"

namespace collectonce::registry {

ReceiptFinisher::ReceiptFinisher(store::Store* store, audit::HeadPublisher* publisher,
                                 std::function<int64_t()> now_us, int threads)
    : store_(store), heads_(publisher), now_us_(std::move(now_us)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

ReceiptFinisher::~ReceiptFinisher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
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
  const std::string public_key = heads_.signer().PublicKeyRaw();
  const audit::NodeCache nodes(store_->AuditNodes());
  for (Job& j : jobs) {
    absl::Status s = head.status();
    if (s.ok()) s = FinishReceipt(store_, nodes, *head, public_key, j.index, j.receipt.get());
    j.done(s);
  }
}

}  // namespace collectonce::registry
