// Token Status List (draft-ietf-oauth-status-list): the registry's lists of which credentials
// are no longer valid, as a JWT signed with the evidence key, and reading one entry of such
// a token for a verifier.
//
// One bit per entry (0 VALID, 1 INVALID). A credential's entry is its audit leaf index:
// list n holds the leaves n * kStatusListSize .. (n + 1) * kStatusListSize - 1, so that no
// index is ever allocated twice and a list's URI follows from the index.
#ifndef COLLECTONCE_LIBS_EVIDENCE_STATUS_LIST_H_
#define COLLECTONCE_LIBS_EVIDENCE_STATUS_LIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/audit/signer.h"
#include "libs/jose/jwk.h"

namespace collectonce::evidence {

inline constexpr uint64_t kStatusListSize = uint64_t{1} << 20;
inline constexpr char kStatusListTyp[] = "statuslist+jwt";
// How long a verifier may cache a list (its ttl claim), and how long the token is valid.
inline constexpr absl::Duration kStatusListTtl = absl::Minutes(5);
inline constexpr absl::Duration kStatusListValidity = absl::Hours(24);

// "{base}/status-lists/{n}" for the list holding audit index `index`, and the entry in it.
std::string StatusListUri(absl::string_view base, uint64_t list);
inline uint64_t StatusListOf(uint64_t index) { return index / kStatusListSize; }
inline uint64_t StatusIndexOf(uint64_t index) { return index % kStatusListSize; }

// The signed status list token of list `uri` with the given entries (indexes within the
// list, each < kStatusListSize) set to INVALID.
absl::StatusOr<std::string> SignStatusList(const audit::Signer& key, absl::string_view uri,
                                           const std::vector<uint64_t>& invalid, absl::Time now);

// The status of entry `idx` in a status list token: verifies its signature against `jwks`,
// its typ, that its sub is `uri`, and that it has not expired at `now`. 0 VALID, 1 INVALID
// (other values as the list holds them). INVALID_ARGUMENT naming the check that failed.
absl::StatusOr<int> StatusAt(absl::string_view token, const jose::Jwks& jwks, absl::string_view uri,
                             uint64_t idx, absl::Time now);

}  // namespace collectonce::evidence

#endif  // COLLECTONCE_LIBS_EVIDENCE_STATUS_LIST_H_
