// Verifying a credential the registry issued, offline (docs/evidence.md, "Verifying"): what
// registryctl and the gateway share. Each refusal names the check that failed, in words,
// and never a claim value.
#ifndef COLLECTONCE_LIBS_EVIDENCE_VERIFIER_H_
#define COLLECTONCE_LIBS_EVIDENCE_VERIFIER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/evidence.pb.h"
#include "libs/jose/jwk.h"

namespace collectonce::evidence {

struct VerifyOptions {
  absl::Time now;
  // Verify the presentation that discloses only these claims (as a holder would show a
  // department), and require each of them; empty: the credential as given.
  std::set<std::string> disclose;
  // The evidence type the credential must be of ("evidence-types/{id}"); empty: any.
  std::string expected_type;
  // A status list token (fetched or saved) for the credential's status list; unset: the
  // status is not checked.
  std::optional<std::string> status_list;
  // The issuance's proof in the audit log (GetIssuanceProof, or a saved copy) and the audit
  // public key it must be signed under (raw 32 bytes, pinned by the verifier); unset: the
  // log is not checked.
  struct LogProof {
    registry::v1::IssuanceProof proof;
    std::string audit_public_key;
  };
  std::optional<LogProof> log;
};

struct Verification {
  bool valid = false;
  // The check that failed: "format", "signature", "disclosures", "expiry", "type",
  // "disclose", "status" or "log"; empty when valid.
  std::string failed_check;
  std::string message;
  // When the signature verified: the payload with the presented disclosures applied, and
  // the names of the disclosed claims.
  nlohmann::json claims;
  std::vector<std::string> disclosed;
  // The credential's status list entry, and whether it was checked.
  std::string status_uri;
  uint64_t status_index = 0;
  bool status_checked = false;
  // When the signature verified: SHA-256 of the payload without "audit" and "status" (what
  // the issuance's audit leaf holds, and what GetIssuanceProof asks for), and the leaf's index.
  std::string payload_sha256;
  uint64_t audit_index = 0;
  // When the log was checked and holds the issuance: its entry, and the tree it is proven in.
  bool log_checked = false;
  registry::v1::AuditEntry log_entry;
  uint64_t log_tree_size = 0;
};

Verification VerifyEvidence(absl::string_view credential, const jose::Jwks& jwks,
                            const VerifyOptions& options);

}  // namespace collectonce::evidence

#endif  // COLLECTONCE_LIBS_EVIDENCE_VERIFIER_H_
