// Ed25519 public keys as JWK (RFC 7517, OKP keys of RFC 8037) and a JWK Set of them.
//
// A key's kid is its RFC 7638 thumbprint (base64url SHA-256 of {"crv","kty","x"} in that
// order, no whitespace) unless a parsed JWKS names it otherwise.
#ifndef COLLECTONCE_LIBS_JOSE_JWK_H_
#define COLLECTONCE_LIBS_JOSE_JWK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::jose {

// The RFC 7638 thumbprint of the Ed25519 public key given as 32 raw bytes.
std::string Ed25519Thumbprint(absl::string_view public_key_raw);

// A set of Ed25519 verification keys, looked up by kid. A value type; not synchronized
// (const methods may run concurrently).
class Jwks {
 public:
  struct Key {
    std::string kid;
    std::string public_key_raw;  // 32 bytes
  };

  // Parses a JWK Set ({"keys":[...]}). Keys of other types or curves are skipped (RFC 7517
  // section 5: unknown keys are ignored). INVALID_ARGUMENT if the text is not a JWK Set, an
  // Ed25519 key's x is not 32 bytes of base64url, a key carries private material ("d"), or
  // two keys share a kid. A key without kid gets its thumbprint.
  static absl::StatusOr<Jwks> Parse(absl::string_view json_text);

  // Adds a key under its thumbprint (a key already present is not added twice).
  void Add(absl::string_view public_key_raw);

  // The set as JSON text: each key with kty, crv, x, kid, alg "EdDSA" and use "sig".
  std::string ToJson() const;

  // The key with this kid, or nullptr.
  const Key* Find(absl::string_view kid) const;

  const std::vector<Key>& keys() const { return keys_; }

 private:
  std::vector<Key> keys_;
};

}  // namespace collectonce::jose

#endif  // COLLECTONCE_LIBS_JOSE_JWK_H_
