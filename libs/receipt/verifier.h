// Verifying a read receipt offline (docs/evidence.md, "Reuse receipts"): what the gateway's
// VerifyReceipt and `registryctl receipt verify|replay` share. Needs nothing but the receipt
// and the registry's audit public key; each refusal names the check that failed, in words,
// and never a value.
#ifndef COLLECTONCE_LIBS_RECEIPT_VERIFIER_H_
#define COLLECTONCE_LIBS_RECEIPT_VERIFIER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/receipt.pb.h"

namespace collectonce::receipt {

namespace v1 = ::collectonce::registry::v1;

struct ReceiptVerification {
  bool valid = false;
  // The check that failed, empty when valid, in the order they are made:
  //   "format"     not a receipt of this layout (sizes, an entry that is not an access
  //                event with a digest, a salt that is not 32 bytes);
  //   "entry"      the entry does not hash to the proven leaf, or names another position;
  //   "inclusion"  the proof does not lead from the leaf to the signed root;
  //   "signature"  the tree head is not signed by the audit key;
  //   "served"     the served fields are not the ones the entry says were released
  //                (in clear or masked);
  //   "digest"     the served values and the salt do not hash to the entry's digest.
  std::string failed_check;
  std::string message;
  // The entry, once it could be read (also when a later check failed).
  v1::AuditEntry entry;
};

// Checks `receipt` against the raw 32-byte Ed25519 audit public key. Safe for any input.
ReceiptVerification VerifyReceipt(const v1::ReadReceipt& receipt,
                                  absl::string_view audit_public_key);

}  // namespace collectonce::receipt

#endif  // COLLECTONCE_LIBS_RECEIPT_VERIFIER_H_
