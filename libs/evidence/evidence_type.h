// Evidence types (libs/evidence): checks on an evidence type before it is stored. Every
// problem is reported at once, as for matters (libs/authz/validate.h).
#ifndef COLLECTONCE_LIBS_EVIDENCE_EVIDENCE_TYPE_H_
#define COLLECTONCE_LIBS_EVIDENCE_EVIDENCE_TYPE_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/evidence.pb.h"
#include "collectonce/registry/v1/governance.pb.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/violation.h"

namespace collectonce::evidence {

namespace v1 = ::collectonce::registry::v1;

inline constexpr char kCollection[] = "evidence-types";
// Bounds of EvidenceType.validity.
inline constexpr absl::Duration kMinValidity = absl::Minutes(1);
inline constexpr absl::Duration kMaxValidity = absl::Hours(24 * 3653);

// The stored matter with this name, or nullptr.
using FindMatter = std::function<const v1::Matter*(const std::string&)>;
// Whether a principal with this name is stored.
using PrincipalExists = std::function<bool(const std::string&)>;

// `catalog` is the catalog of the type's subject kind (nullptr if none is applied). Checks
// the name, title, kind, legal basis and validity; that every attested field is in the
// catalog, listed once and shared (not 不予共享), and carried as a claim of its own (one no
// other field and no credential claim has; claim_names names attested fields only); that
// every requester is a stored principal with at least one matter; and that every matter is
// stored, about the same kind of subject, and pre-fills (in clear or masked) every attested
// field, so that a credential for it can attest them all.
void ValidateEvidenceType(const v1::EvidenceType& type, const catalog::Catalog* catalog,
                          const FindMatter& find_matter, const PrincipalExists& principal_exists,
                          catalog::Violations* out);

// Whether every credential sets a claim of this name itself (iss, vct, sub, status, ...,
// and SD-JWT's own "_sd", "_sd_alg" and "..."): no attested field may be carried as one.
bool IsCredentialClaim(absl::string_view name);

// The claim `field` is carried as in a credential of `type`: its claim_names entry, else the
// field's name.
const std::string& ClaimName(const v1::EvidenceType& type, const std::string& field);

// The type's validity as a duration (its proto field, unchecked).
absl::Duration Validity(const v1::EvidenceType& type);

}  // namespace collectonce::evidence

#endif  // COLLECTONCE_LIBS_EVIDENCE_EVIDENCE_TYPE_H_
