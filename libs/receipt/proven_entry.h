// An audit entry proven in the log offline: the entry hashes to the proven leaf at its own
// position, the inclusion proof leads from that leaf to the root of a tree head, and the head
// is signed by the pinned audit key. What read receipts and evidence issuance proofs share.
#ifndef COLLECTONCE_LIBS_RECEIPT_PROVEN_ENTRY_H_
#define COLLECTONCE_LIBS_RECEIPT_PROVEN_ENTRY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/audit_proof.pb.h"

namespace collectonce::receipt {

struct EntryCheck {
  // Empty when the entry is proven; else "format", "entry", "inclusion" or "signature".
  std::string failed_check;
  std::string message;
};

// Checks that `entry` (the stored bytes, which the caller parsed into `parsed`) is proven by
// `proof` in the tree `head` signs, under the raw 32-byte Ed25519 `audit_public_key`. Safe
// for any input.
EntryCheck CheckProvenEntry(absl::string_view entry, const registry::v1::AuditEntry& parsed,
                            const registry::v1::InclusionProof& proof,
                            const registry::v1::SignedTreeHead& head,
                            absl::string_view audit_public_key);

}  // namespace collectonce::receipt

#endif  // COLLECTONCE_LIBS_RECEIPT_PROVEN_ENTRY_H_
