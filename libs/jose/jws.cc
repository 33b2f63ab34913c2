#include "libs/jose/jws.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/base/status_macros.h"
#include "libs/jose/base64url.h"

namespace collectonce::jose {

absl::StatusOr<std::string> DumpJson(const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError("JSON: a string is not valid UTF-8");
  }
}

absl::StatusOr<CompactSigner> CompactSigner::Create(const audit::Signer& key,
                                                    nlohmann::json header) {
  if (!header.is_object()) return absl::InvalidArgumentError("JWS header: not a JSON object");
  header["alg"] = "EdDSA";
  ASSIGN_OR_RETURN(std::string header_json, DumpJson(header));
  return CompactSigner(key, Base64UrlEncode(header_json));
}

std::string CompactSigner::Sign(absl::string_view payload) const {
  std::string token = absl::StrCat(encoded_header_, ".", Base64UrlEncode(payload));
  const std::string signature = key_->Sign(token);
  absl::StrAppend(&token, ".", Base64UrlEncode(signature));
  return token;
}

absl::StatusOr<std::string> SignCompact(const audit::Signer& key, nlohmann::json header,
                                        absl::string_view payload) {
  ASSIGN_OR_RETURN(CompactSigner signer, CompactSigner::Create(key, std::move(header)));
  return signer.Sign(payload);
}

absl::StatusOr<VerifiedJws> VerifyCompact(absl::string_view token, const Jwks& jwks) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError("JWS: not three dot-separated parts");
  }
  absl::StatusOr<std::string> header_json = Base64UrlDecode(parts[0]);
  if (!header_json.ok()) return absl::InvalidArgumentError("JWS header: not base64url");
  VerifiedJws out;
  out.header = nlohmann::json::parse(*header_json, nullptr, /*allow_exceptions=*/false);
  if (out.header.is_discarded() || !out.header.is_object()) {
    return absl::InvalidArgumentError("JWS header: not a JSON object");
  }
  auto alg = out.header.find("alg");
  if (alg == out.header.end() || !alg->is_string() || *alg != "EdDSA") {
    return absl::InvalidArgumentError("JWS header: alg is not EdDSA");
  }
  if (out.header.contains("crit")) {
    return absl::InvalidArgumentError("JWS header: crit names extensions not understood");
  }
  auto kid = out.header.find("kid");
  if (kid == out.header.end() || !kid->is_string()) {
    return absl::InvalidArgumentError("JWS header: no kid");
  }
  const Jwks::Key* key = jwks.Find(kid->get_ref<const std::string&>());
  if (key == nullptr) {
    return absl::InvalidArgumentError("JWS header: kid names no key of the JWKS");
  }
  absl::StatusOr<std::string> payload = Base64UrlDecode(parts[1]);
  if (!payload.ok()) return absl::InvalidArgumentError("JWS payload: not base64url");
  absl::StatusOr<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature.ok()) return absl::InvalidArgumentError("JWS signature: not base64url");
  absl::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!audit::VerifySignature(key->public_key_raw, signing_input, *signature).ok()) {
    return absl::InvalidArgumentError("JWS signature does not verify");
  }
  out.payload = *std::move(payload);
  return out;
}

}  // namespace collectonce::jose
