// The credential the registry issues for an evidence type (docs/evidence.md): an SD-JWT VC
// of the attested fields of one record as released to the caller, built in two steps so
// that the audit leaf recording the issuance can commit to the credential before it is
// signed, and the credential can name that leaf (and its place in the status list).
#ifndef COLLECTONCE_LIBS_EVIDENCE_CREDENTIAL_H_
#define COLLECTONCE_LIBS_EVIDENCE_CREDENTIAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/evidence.pb.h"
#include "collectonce/registry/v1/record.pb.h"
#include "libs/audit/signer.h"
#include "libs/catalog/violation.h"
#include "libs/jose/sd_jwt.h"

namespace collectonce::evidence {

namespace v1 = ::collectonce::registry::v1;

struct IssueContext {
  // The credential's iss.
  std::string issuer;
  // "matters/{id}" and the case (办件) it serves: visible claims.
  std::string matter;
  std::string case_id;
  absl::Time now;
};

struct PreparedCredential {
  // The jti: 128 random bits, base64url.
  std::string id;
  // The payload as it stands (without "audit" and "status"), serialized for signing, and
  // its SHA-256: what the audit leaf commits to.
  std::string payload_json;
  std::string payload_sha256;
  std::vector<std::string> disclosures;
  // The attested fields in the credential (catalog field names; each is carried as its
  // ClaimName), and those of them it holds masked.
  std::vector<std::string> fields;
  std::vector<std::string> masked_fields;
  // Attested fields left out of a partial credential (no value, or withheld by policy).
  std::vector<std::string> missing_fields;
  int64_t revision = 0;
  absl::Time issued_at, expires_at;
};

// Builds the credential of `type` from `released`: the record as the caller may see it
// (filtered and masked by the read policy; withheld_fields lists attested fields the policy
// withholds). Without type.allow_partial, a record that lacks an attested field is refused:
// PERMISSION_DENIED, reason EVIDENCE_FIELDS_WITHHELD, when the policy withholds some;
// FAILED_PRECONDITION, reason EVIDENCE_FIELDS_MISSING, when some have no value; each such
// field is named in the message and in *violations (never a value). A partial credential
// with no attested field at all is refused the same way.
absl::StatusOr<PreparedCredential> PrepareCredential(const v1::EvidenceType& type,
                                                     const v1::Record& released,
                                                     const IssueContext& context,
                                                     catalog::Violations* violations);

// Where the credential's issuance sits: its audit leaf, the log's size once that leaf is
// in it, and its entry in a status list.
struct Placement {
  uint64_t audit_index = 0;
  uint64_t tree_size = 0;
  std::string status_uri;
  uint64_t status_index = 0;
};

// Adds the "audit" and "status" claims (after the others, so that the committed text is
// signed as it was digested) and signs: <JWS>~<disclosure>~...~.
std::string SignCredential(const jose::SdJwtSigner& signer, const PreparedCredential& prepared,
                           const Placement& placement);

// What PrepareCredential committed to, recomputed from a credential's verified payload: the
// SHA-256 of the payload without "audit" and "status", serialized as for signing.
absl::StatusOr<std::string> PayloadDigest(nlohmann::json payload);

}  // namespace collectonce::evidence

#endif  // COLLECTONCE_LIBS_EVIDENCE_CREDENTIAL_H_
