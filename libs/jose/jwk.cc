#include "libs/jose/jwk.h"

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "libs/crypto/sha256.h"
#include "libs/jose/base64url.h"

namespace collectonce::jose {
namespace {

constexpr size_t kPublicKeySize = 32;

}  // namespace

std::string Ed25519Thumbprint(absl::string_view public_key_raw) {
  // RFC 7638 section 3.2: the required members in lexicographic order, no whitespace.
  std::string canonical =
      "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + Base64UrlEncode(public_key_raw) + "\"}";
  return Base64UrlEncode(crypto::Sha256(canonical));
}

absl::StatusOr<Jwks> Jwks::Parse(absl::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("JWKS: not a JSON object");
  }
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("JWKS: no keys array");
  }
  Jwks out;
  for (const nlohmann::json& jwk : *keys) {
    if (!jwk.is_object()) return absl::InvalidArgumentError("JWKS: a key is not an object");
    if (jwk.value("kty", "") != "OKP" || jwk.value("crv", "") != "Ed25519") continue;
    if (jwk.contains("d")) return absl::InvalidArgumentError("JWKS: a key holds private material");
    auto x = jwk.find("x");
    if (x == jwk.end() || !x->is_string())
      return absl::InvalidArgumentError("JWKS: a key has no x");
    absl::StatusOr<std::string> raw = Base64UrlDecode(x->get_ref<const std::string&>());
    if (!raw.ok() || raw->size() != kPublicKeySize) {
      return absl::InvalidArgumentError("JWKS: a key's x is not a 32-byte Ed25519 public key");
    }
    Key key{Ed25519Thumbprint(*raw), *std::move(raw)};
    if (auto kid = jwk.find("kid"); kid != jwk.end()) {
      if (!kid->is_string()) return absl::InvalidArgumentError("JWKS: a kid is not a string");
      key.kid = kid->get<std::string>();
    }
    if (out.Find(key.kid) != nullptr)
      return absl::InvalidArgumentError("JWKS: two keys share a kid");
    out.keys_.push_back(std::move(key));
  }
  return out;
}

void Jwks::Add(absl::string_view public_key_raw) {
  std::string kid = Ed25519Thumbprint(public_key_raw);
  if (Find(kid) != nullptr) return;
  keys_.push_back(Key{std::move(kid), std::string(public_key_raw)});
}

std::string Jwks::ToJson() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const Key& key : keys_) {
    keys.push_back({{"kty", "OKP"},
                    {"crv", "Ed25519"},
                    {"x", Base64UrlEncode(key.public_key_raw)},
                    {"kid", key.kid},
                    {"alg", "EdDSA"},
                    {"use", "sig"}});
  }
  return nlohmann::json{{"keys", keys}}.dump();
}

const Jwks::Key* Jwks::Find(absl::string_view kid) const {
  for (const Key& key : keys_) {
    if (key.kid == kid) return &key;
  }
  return nullptr;
}

}  // namespace collectonce::jose
