// The registry's audit public key as a verifier pins it: from a file holding a tree head
// saved with `registryctl audit head` (its publicKey), an Ed25519 public key in PEM
// ("-----BEGIN PUBLIC KEY-----"), or the raw key as 64 hex digits.
#ifndef COLLECTONCE_LIBS_RECEIPT_AUDIT_KEY_H_
#define COLLECTONCE_LIBS_RECEIPT_AUDIT_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::receipt {

// The raw 32-byte key in `text`. INVALID_ARGUMENT, saying which forms are accepted, for
// anything else.
[[nodiscard]] absl::StatusOr<std::string> ParseAuditPublicKey(absl::string_view text);

}  // namespace collectonce::receipt

#endif  // COLLECTONCE_LIBS_RECEIPT_AUDIT_KEY_H_
