// A credential's issuance in the audit log, checked offline: its leaf (an access event that
// names the credential's id, type and payload digest, never its values) is proven in a tree
// head signed by the audit key (docs/evidence.md, "The issuance in the log").
#ifndef COLLECTONCE_LIBS_EVIDENCE_ISSUANCE_LOG_H_
#define COLLECTONCE_LIBS_EVIDENCE_ISSUANCE_LOG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/evidence.pb.h"

namespace collectonce::evidence {

struct Verification;

// Empty when `proof` proves, under the raw 32-byte `audit_public_key`, the issuance of the
// credential `verified` describes (its signature already verified); otherwise what does not
// hold, in words. `entry` gets the proven entry once it could be read.
std::string IssuanceLogProblem(const Verification& verified,
                               const registry::v1::IssuanceProof& proof,
                               absl::string_view audit_public_key, registry::v1::AuditEntry* entry);

}  // namespace collectonce::evidence

#endif  // COLLECTONCE_LIBS_EVIDENCE_ISSUANCE_LOG_H_
