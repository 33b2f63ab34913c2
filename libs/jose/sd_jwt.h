// SD-JWT (RFC 9901) in the SD-JWT VC shape: issuing with selectively disclosable claims,
// presenting a chosen subset, and verifying offline against a JWKS.
//
// Serialization: <issuer-signed JWT>~<disclosure>~...~<disclosure>~ (no key binding JWT).
// Digests are SHA-256 ("_sd_alg":"sha-256"); salts are 128 bits from OpenSSL's RAND_bytes.
// Issued credentials carry no decoys. The issuer-signed JWT is an EdDSA JWS (libs/jose/jws.h)
// with "typ":"dc+sd-jwt" and the issuer key's thumbprint as kid.
#ifndef COLLECTONCE_LIBS_JOSE_SD_JWT_H_
#define COLLECTONCE_LIBS_JOSE_SD_JWT_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/audit/signer.h"
#include "libs/jose/jwk.h"
#include "libs/jose/jws.h"

namespace collectonce::jose {

inline constexpr absl::string_view kSdJwtVcTyp = "dc+sd-jwt";

// base64url of the JSON array [salt, name, value] (an object property's disclosure).
// INVALID_ARGUMENT if a string in value is not UTF-8.
absl::StatusOr<std::string> EncodeDisclosure(absl::string_view salt, absl::string_view name,
                                             const nlohmann::json& value);

// The digest that "_sd" lists for a disclosure: base64url(SHA-256(ASCII of the disclosure)).
std::string DisclosureDigest(absl::string_view encoded_disclosure);

// A fresh 128-bit salt, base64url.
std::string NewSalt();
// `n` fresh 128-bit salts, base64url, drawn from OpenSSL's generator at once.
std::vector<std::string> NewSalts(size_t n);

struct SdJwtClaims {
  // Always visible: iss, vct, iat, exp, status, ... (a JSON object).
  nlohmann::json visible = nlohmann::json::object();
  // Each member becomes one selectively disclosable top-level claim (a JSON object).
  nlohmann::json disclosable = nlohmann::json::object();
};

// A credential before it is signed: the payload (visible claims, "_sd" and "_sd_alg") and
// every disclosure, so that an issuer can commit to the payload (a digest in a log) and add
// visible claims before signing.
struct PreparedSdJwt {
  nlohmann::json payload;
  std::vector<std::string> disclosures;
};

// Builds the payload and disclosures (fresh salts, digests sorted). Errors as IssueSdJwt.
absl::StatusOr<PreparedSdJwt> PrepareSdJwt(const SdJwtClaims& claims);

// Signs a prepared credential: <JWS>~<disclosure>~...~. INVALID_ARGUMENT if the payload holds
// text that is not UTF-8.
absl::StatusOr<std::string> SignSdJwt(const audit::Signer& key, const PreparedSdJwt& prepared,
                                      absl::string_view typ = kSdJwtVcTyp);

// SignSdJwt for many credentials under one key: the JWS header (alg, kid = the key's
// thumbprint, typ) is encoded once. The key must outlive the signer.
class SdJwtSigner {
 public:
  explicit SdJwtSigner(const audit::Signer& key, absl::string_view typ = kSdJwtVcTyp);
  // <JWS of payload_json>~<disclosure>~...~; payload_json is a JSON object's UTF-8 text.
  std::string SignJson(absl::string_view payload_json,
                       const std::vector<std::string>& disclosures) const;
  // SignSdJwt.
  absl::StatusOr<std::string> Sign(const PreparedSdJwt& prepared) const;

 private:
  CompactSigner jws_;
};

// Issues a credential holding every disclosure (PrepareSdJwt, then SignSdJwt). INVALID_ARGUMENT if
// visible or disclosable is not an object, a name is in both or is "_sd" / "_sd_alg" / "...", or a
// string is not UTF-8.
absl::StatusOr<std::string> IssueSdJwt(const audit::Signer& key, const SdJwtClaims& claims,
                                       absl::string_view typ = kSdJwtVcTyp);

// The credential with only the disclosures of the named top-level claims (and none other).
// Does not verify. INVALID_ARGUMENT if the text is not an SD-JWT or has a key binding JWT;
// NOT_FOUND if a named claim has no disclosure in it.
absl::StatusOr<std::string> PresentSdJwt(absl::string_view sd_jwt,
                                         const std::set<std::string>& claim_names);

struct SdJwtVerifyOptions {
  absl::Time now;  // the time exp, nbf and iat are checked against
  absl::Duration leeway = absl::ZeroDuration();
  std::string expected_typ{kSdJwtVcTyp};  // empty: typ is not checked
};

struct VerifiedSdJwt {
  nlohmann::json header;
  nlohmann::json payload;              // the issuer-signed payload, as signed
  nlohmann::json claims;               // the payload with every presented disclosure applied
  std::vector<std::string> disclosed;  // names of the disclosed object properties
};

// Verifies a presentation: the JWS against `jwks` (libs/jose/jws.h), the header's typ, the
// digest algorithm, that every disclosure is well formed, appears once and is referenced by
// exactly one digest of the payload or of another disclosure, that no digest appears twice,
// that no disclosed claim overwrites one present, and exp/nbf/iat against options.now (exp
// must lie after now). Key binding JWTs are refused (not supported). Every refusal is
// INVALID_ARGUMENT with a message naming the check; messages never carry claim values.
absl::StatusOr<VerifiedSdJwt> VerifySdJwt(absl::string_view presentation, const Jwks& jwks,
                                          const SdJwtVerifyOptions& options);

}  // namespace collectonce::jose

#endif  // COLLECTONCE_LIBS_JOSE_SD_JWT_H_
