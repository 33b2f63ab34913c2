// JWS compact serialization (RFC 7515) with EdDSA over Ed25519 only (RFC 8037).
//
// The algorithm is pinned: a token whose header names any other alg, "none" included, is
// refused, as is one with "crit" (no extension is understood). Keys come from a Jwks and are
// chosen by the header's kid; a token without kid is refused.
#ifndef COLLECTONCE_LIBS_JOSE_JWS_H_
#define COLLECTONCE_LIBS_JOSE_JWS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/audit/signer.h"
#include "libs/jose/jwk.h"

namespace collectonce::jose {

// header.payload.signature with "alg":"EdDSA" set in `header` (a JSON object; any alg it had
// is replaced). INVALID_ARGUMENT if header is not an object or holds text that is not UTF-8.
absl::StatusOr<std::string> SignCompact(const audit::Signer& key, nlohmann::json header,
                                        absl::string_view payload);

// SignCompact for many payloads under one key and one header, which is encoded once. The
// key must outlive the signer.
class CompactSigner {
 public:
  // INVALID_ARGUMENT as SignCompact.
  static absl::StatusOr<CompactSigner> Create(const audit::Signer& key, nlohmann::json header);
  // header.payload.signature.
  std::string Sign(absl::string_view payload) const;

 private:
  CompactSigner(const audit::Signer& key, std::string encoded_header)
      : key_(&key), encoded_header_(std::move(encoded_header)) {}
  const audit::Signer* key_;
  std::string encoded_header_;
};

struct VerifiedJws {
  nlohmann::json header;  // the protected header, a JSON object
  std::string payload;    // the decoded payload bytes
};

// Verifies a compact JWS against `jwks`. Every refusal is INVALID_ARGUMENT with a message
// naming the check that failed ("JWS header: ...", "JWS signature does not verify", ...);
// messages never contain the payload.
absl::StatusOr<VerifiedJws> VerifyCompact(absl::string_view token, const Jwks& jwks);

// Serializes JSON as JWS and SD-JWT need it: compact, UTF-8. INVALID_ARGUMENT if a string
// in it is not valid UTF-8.
absl::StatusOr<std::string> DumpJson(const nlohmann::json& value);

}  // namespace collectonce::jose

#endif  // COLLECTONCE_LIBS_JOSE_JWS_H_
