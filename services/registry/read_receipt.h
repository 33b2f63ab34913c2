// The receipt of a GetRecord that asks for one (docs/evidence.md, "Reuse receipts"): before
// the access is recorded, its event gets the revision, the policy versions in force and a
// salted digest of exactly what is released; once the access is durable, the receipt gets
// that entry's stored bytes, its inclusion proof and a signed tree head over it.
#ifndef COLLECTONCE_SERVICES_REGISTRY_READ_RECEIPT_H_
#define COLLECTONCE_SERVICES_REGISTRY_READ_RECEIPT_H_

#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/registry/v1/receipt.pb.h"
#include "libs/audit/published_head.h"
#include "libs/store/store.h"
#include "services/registry/read_release.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

// Sets event->served for `released` (the record as it leaves, after masking) and returns
// the receipt's salt and served fields; the rest is filled by FinishReceipt.
v1::ReadReceipt BeginReceipt(const Caller& caller, const ReadPlan& plan, const v1::Record& released,
                             v1::AccessEvent* event);

// The signed tree heads receipts are proven against. The newest head handed out is reused
// for every entry it covers, and a new one is made at the log's size when a caller takes
// the lock, so that the reads committed together (or waiting while a head is written) cost
// one signature and one write of the published-head file. Thread-safe.
class ReceiptHeads {
 public:
  // `publisher` signs, and keeps the published-head file ahead of every head handed out.
  explicit ReceiptHeads(audit::HeadPublisher* publisher) : publisher_(publisher) {}

  // A head of a tree that holds entry `index` (which must be committed).
  [[nodiscard]] absl::StatusOr<audit::SignedHead> Covering(store::Store* store, uint64_t index,
                                                           int64_t now_us);
  const audit::Signer& signer() const { return publisher_->signer(); }

 private:
  audit::HeadPublisher* const publisher_;
  absl::Mutex mu_;
  std::optional<audit::SignedHead> last_ ABSL_GUARDED_BY(mu_);
};

// The entry recorded at `index` as stored, its inclusion proof against `head` (which must
// cover it) and that head, signed under `public_key`: what a receipt and an issuance proof
// carry. The proof's nodes are read through `nodes` (the store's, or a cache of them shared
// by a batch). Errors of the store are returned.
[[nodiscard]] absl::Status ProveEntry(store::Store* store, const audit::NodeReader& nodes,
                                      const audit::SignedHead& head, const std::string& public_key,
                                      uint64_t index, std::string* entry, v1::InclusionProof* proof,
                                      v1::SignedTreeHead* sth);

// Completes `receipt` for the access event recorded at `index`: the entry as stored, and
// its inclusion proof against `head` (which must cover it), signed under `public_key`.
// Errors of the store are returned.
[[nodiscard]] absl::Status FinishReceipt(store::Store* store, const audit::NodeReader& nodes,
                                         const audit::SignedHead& head,
                                         const std::string& public_key, uint64_t index,
                                         v1::ReadReceipt* receipt);

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_READ_RECEIPT_H_
