#include "libs/jose/sd_jwt.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/base/status_macros.h"
#include "libs/crypto/sha256.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"

namespace collectonce::jose {
namespace {

constexpr size_t kSaltBytes = 16;
// Credentials are flat records; deeper JSON is refused rather than recursed into.
constexpr int kMaxDepth = 32;

bool IsReservedName(absl::string_view name) {
  return name == "_sd" || name == "_sd_alg" || name == "...";
}

struct SplitPresentation {
  absl::string_view jwt;
  std::vector<absl::string_view> disclosures;
};

absl::StatusOr<SplitPresentation> Split(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '~');
  if (parts.size() < 2) return absl::InvalidArgumentError("SD-JWT: no ~ separator");
  if (!parts.back().empty()) {
    return absl::InvalidArgumentError("SD-JWT: key binding JWT not supported");
  }
  SplitPresentation out;
  out.jwt = parts.front();
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return absl::InvalidArgumentError("SD-JWT: empty disclosure");
    out.disclosures.push_back(parts[i]);
  }
  return out;
}

struct Disclosure {
  std::string digest;
  bool is_property = false;  // [salt, name, value]; otherwise an array element [salt, value]
  std::string name;
  nlohmann::json value;
};

absl::StatusOr<Disclosure> DecodeDisclosure(absl::string_view encoded) {
  absl::StatusOr<std::string> text = Base64UrlDecode(encoded);
  if (!text.ok()) return absl::InvalidArgumentError("SD-JWT disclosure: not base64url");
  nlohmann::json array = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (array.is_discarded() || !array.is_array() || array.size() < 2 || array.size() > 3 ||
      !array[0].is_string()) {
    return absl::InvalidArgumentError("SD-JWT disclosure: not a [salt, (name,) value] array");
  }
  Disclosure out;
  out.digest = DisclosureDigest(encoded);
  out.is_property = array.size() == 3;
  if (out.is_property) {
    if (!array[1].is_string()) {
      return absl::InvalidArgumentError("SD-JWT disclosure: claim name is not a string");
    }
    out.name = array[1].get<std::string>();
    if (IsReservedName(out.name)) {
      return absl::InvalidArgumentError("SD-JWT disclosure: reserved claim name");
    }
  }
  out.value = std::move(array.back());
  return out;
}

// Replaces digests by the disclosed values (RFC 9901 section 7.1, steps 3 and 4).
class Processor {
 public:
  explicit Processor(std::vector<Disclosure> disclosures) : disclosures_(std::move(disclosures)) {
    used_.resize(disclosures_.size(), false);
  }

  absl::Status AddDisclosuresIndex() {
    for (size_t i = 0; i < disclosures_.size(); ++i) {
      if (!by_digest_.emplace(disclosures_[i].digest, i).second) {
        return absl::InvalidArgumentError("SD-JWT: a disclosure appears twice");
      }
    }
    return absl::OkStatus();
  }

  absl::Status Process(nlohmann::json& value, int depth) {
    if (depth > kMaxDepth) return absl::InvalidArgumentError("SD-JWT: JSON nested too deeply");
    if (value.is_object()) return ProcessObject(value, depth);
    if (value.is_array()) return ProcessArray(value, depth);
    return absl::OkStatus();
  }

  absl::Status CheckAllUsed() const {
    for (bool used : used_) {
      if (!used) {
        return absl::InvalidArgumentError(
            "SD-JWT: a disclosure is not referenced by the credential");
      }
    }
    return absl::OkStatus();
  }

  std::vector<std::string> TakeDisclosedNames() { return std::move(disclosed_names_); }

 private:
  // The disclosure a digest names, or nullptr for an undisclosed claim or a decoy.
  absl::StatusOr<Disclosure*> Reference(const nlohmann::json& digest) {
    if (!digest.is_string()) return absl::InvalidArgumentError("SD-JWT: a digest is not a string");
    if (!seen_digests_.insert(digest.get<std::string>()).second) {
      return absl::InvalidArgumentError("SD-JWT: a digest appears more than once");
    }
    auto it = by_digest_.find(digest.get_ref<const std::string&>());
    if (it == by_digest_.end()) return static_cast<Disclosure*>(nullptr);
    used_[it->second] = true;
    return &disclosures_[it->second];
  }

  absl::Status ProcessObject(nlohmann::json& object, int depth) {
    for (auto& [name, member] : object.items()) {
      if (name != "_sd") RETURN_IF_ERROR(Process(member, depth + 1));
    }
    auto sd = object.find("_sd");
    if (sd == object.end()) return absl::OkStatus();
    if (!sd->is_array()) return absl::InvalidArgumentError("SD-JWT: _sd is not an array");
    nlohmann::json digests = std::move(*sd);
    object.erase("_sd");
    for (const nlohmann::json& digest : digests) {
      ASSIGN_OR_RETURN(Disclosure * disclosure, Reference(digest));
      if (disclosure == nullptr) continue;
      if (!disclosure->is_property) {
        return absl::InvalidArgumentError("SD-JWT: _sd names an array element disclosure");
      }
      if (object.contains(disclosure->name)) {
        return absl::InvalidArgumentError("SD-JWT: a disclosed claim is already present");
      }
      nlohmann::json value = disclosure->value;
      RETURN_IF_ERROR(Process(value, depth + 1));
      object[disclosure->name] = std::move(value);
      disclosed_names_.push_back(disclosure->name);
    }
    return absl::OkStatus();
  }

  absl::Status ProcessArray(nlohmann::json& array, int depth) {
    nlohmann::json out = nlohmann::json::array();
    for (nlohmann::json& element : array) {
      if (element.is_object() && element.size() == 1 && element.contains("...")) {
        ASSIGN_OR_RETURN(Disclosure * disclosure, Reference(element["..."]));
        if (disclosure == nullptr) continue;
        if (disclosure->is_property) {
          return absl::InvalidArgumentError("SD-JWT: an array element names a property disclosure");
        }
        nlohmann::json value = disclosure->value;
        RETURN_IF_ERROR(Process(value, depth + 1));
        out.push_back(std::move(value));
        continue;
      }
      RETURN_IF_ERROR(Process(element, depth + 1));
      out.push_back(std::move(element));
    }
    array = std::move(out);
    return absl::OkStatus();
  }

  std::vector<Disclosure> disclosures_;
  std::vector<bool> used_;
  std::map<std::string, size_t> by_digest_;
  std::set<std::string> seen_digests_;
  std::vector<std::string> disclosed_names_;
};

// exp must lie after now; nbf and iat must not lie after it (each within the leeway).
absl::Status CheckTimes(const nlohmann::json& claims, const SdJwtVerifyOptions& options) {
  const double now = absl::ToDoubleSeconds(options.now - absl::UnixEpoch());
  const double leeway = absl::ToDoubleSeconds(options.leeway);
  for (const char* name : {"exp", "nbf", "iat"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (!it->is_number())
      return absl::InvalidArgumentError(absl::StrCat("SD-JWT: ", name, " is not a number"));
    const double t = it->get<double>();
    if (std::string_view(name) == "exp" && now >= t + leeway) {
      return absl::InvalidArgumentError("SD-JWT: credential expired (exp)");
    }
    if (std::string_view(name) == "nbf" && t - leeway > now) {
      return absl::InvalidArgumentError("SD-JWT: credential not yet valid (nbf)");
    }
    if (std::string_view(name) == "iat" && t - leeway > now) {
      return absl::InvalidArgumentError("SD-JWT: credential issued in the future (iat)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EncodeDisclosure(absl::string_view salt, absl::string_view name,
                                             const nlohmann::json& value) {
  ASSIGN_OR_RETURN(std::string text,
                   DumpJson(nlohmann::json::array({std::string(salt), std::string(name), value})));
  return Base64UrlEncode(text);
}

std::string DisclosureDigest(absl::string_view encoded_disclosure) {
  return Base64UrlEncode(crypto::Sha256(encoded_disclosure));
}

std::string NewSalt() { return NewSalts(1).front(); }

std::vector<std::string> NewSalts(size_t n) {
  std::string bytes(n * kSaltBytes, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size())) != 1) {
    std::abort();  // no entropy: never issue
  }
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(Base64UrlEncode(absl::string_view(bytes).substr(i * kSaltBytes, kSaltBytes)));
  }
  return out;
}

absl::StatusOr<PreparedSdJwt> PrepareSdJwt(const SdJwtClaims& claims) {
  if (!claims.visible.is_object() || !claims.disclosable.is_object()) {
    return absl::InvalidArgumentError("SD-JWT issue: claims are not JSON objects");
  }
  PreparedSdJwt out;
  out.payload = claims.visible;
  for (auto& [name, value] : out.payload.items()) {
    if (IsReservedName(name))
      return absl::InvalidArgumentError("SD-JWT issue: reserved claim name");
  }
  std::vector<std::string> digests;
  const std::vector<std::string> salts = NewSalts(claims.disclosable.size());
  size_t next_salt = 0;
  for (auto& [name, value] : claims.disclosable.items()) {
    if (IsReservedName(name))
      return absl::InvalidArgumentError("SD-JWT issue: reserved claim name");
    if (out.payload.contains(name)) {
      return absl::InvalidArgumentError("SD-JWT issue: a claim is both visible and disclosable");
    }
    ASSIGN_OR_RETURN(std::string disclosure, EncodeDisclosure(salts[next_salt++], name, value));
    digests.push_back(DisclosureDigest(disclosure));
    out.disclosures.push_back(std::move(disclosure));
  }
  // Sorted, so that the order of digests says nothing about the order of claims.
  std::sort(digests.begin(), digests.end());
  out.payload["_sd"] = digests;
  out.payload["_sd_alg"] = "sha-256";
  return out;
}

namespace {

CompactSigner HeaderSigner(const audit::Signer& key, absl::string_view typ) {
  // ASCII only (a type name and a base64url thumbprint): it always encodes.
  auto signer = CompactSigner::Create(
      key, {{"typ", std::string(typ)}, {"kid", Ed25519Thumbprint(key.PublicKeyRaw())}});
  if (!signer.ok()) std::abort();
  return *std::move(signer);
}

}  // namespace

SdJwtSigner::SdJwtSigner(const audit::Signer& key, absl::string_view typ)
    : jws_(HeaderSigner(key, typ)) {}

std::string SdJwtSigner::SignJson(absl::string_view payload_json,
                                  const std::vector<std::string>& disclosures) const {
  std::string out = jws_.Sign(payload_json);
  for (const std::string& disclosure : disclosures) absl::StrAppend(&out, "~", disclosure);
  out += "~";
  return out;
}

absl::StatusOr<std::string> SdJwtSigner::Sign(const PreparedSdJwt& prepared) const {
  ASSIGN_OR_RETURN(std::string payload_json, DumpJson(prepared.payload));
  return SignJson(payload_json, prepared.disclosures);
}

absl::StatusOr<std::string> SignSdJwt(const audit::Signer& key, const PreparedSdJwt& prepared,
                                      absl::string_view typ) {
  return SdJwtSigner(key, typ).Sign(prepared);
}

absl::StatusOr<std::string> IssueSdJwt(const audit::Signer& key, const SdJwtClaims& claims,
                                       absl::string_view typ) {
  ASSIGN_OR_RETURN(PreparedSdJwt prepared, PrepareSdJwt(claims));
  return SignSdJwt(key, prepared, typ);
}

absl::StatusOr<std::string> PresentSdJwt(absl::string_view sd_jwt,
                                         const std::set<std::string>& claim_names) {
  ASSIGN_OR_RETURN(SplitPresentation parts, Split(sd_jwt));
  std::string out(parts.jwt);
  std::set<std::string> found;
  for (absl::string_view encoded : parts.disclosures) {
    ASSIGN_OR_RETURN(Disclosure disclosure, DecodeDisclosure(encoded));
    if (!disclosure.is_property || claim_names.count(disclosure.name) == 0) continue;
    found.insert(disclosure.name);
    absl::StrAppend(&out, "~", encoded);
  }
  for (const std::string& name : claim_names) {
    if (found.count(name) == 0) {
      return absl::NotFoundError(absl::StrCat("SD-JWT present: no disclosure for claim ", name));
    }
  }
  out += "~";
  return out;
}

absl::StatusOr<VerifiedSdJwt> VerifySdJwt(absl::string_view presentation, const Jwks& jwks,
                                          const SdJwtVerifyOptions& options) {
  ASSIGN_OR_RETURN(SplitPresentation parts, Split(presentation));
  ASSIGN_OR_RETURN(VerifiedJws jws, VerifyCompact(parts.jwt, jwks));
  if (!options.expected_typ.empty() && jws.header.value("typ", "") != options.expected_typ) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWS header: typ is not ", options.expected_typ));
  }
  VerifiedSdJwt out;
  out.header = std::move(jws.header);
  out.claims = nlohmann::json::parse(jws.payload, nullptr, /*allow_exceptions=*/false);
  if (out.claims.is_discarded() || !out.claims.is_object()) {
    return absl::InvalidArgumentError("JWS payload: not a JSON object");
  }
  out.payload = out.claims;
  if (auto alg = out.claims.find("_sd_alg"); alg != out.claims.end()) {
    if (!alg->is_string() || *alg != "sha-256") {
      return absl::InvalidArgumentError("SD-JWT: _sd_alg is not sha-256");
    }
    out.claims.erase(alg);
  }
  std::vector<Disclosure> disclosures;
  for (absl::string_view encoded : parts.disclosures) {
    ASSIGN_OR_RETURN(Disclosure disclosure, DecodeDisclosure(encoded));
    disclosures.push_back(std::move(disclosure));
  }
  Processor processor(std::move(disclosures));
  RETURN_IF_ERROR(processor.AddDisclosuresIndex());
  RETURN_IF_ERROR(processor.Process(out.claims, 0));
  RETURN_IF_ERROR(processor.CheckAllUsed());
  out.disclosed = processor.TakeDisclosedNames();
  if (options.expected_typ == kSdJwtVcTyp) {
    auto vct = out.claims.find("vct");
    if (vct == out.claims.end() || !vct->is_string()) {
      return absl::InvalidArgumentError("SD-JWT VC: no vct");
    }
  }
  RETURN_IF_ERROR(CheckTimes(out.claims, options));
  return out;
}

}  // namespace collectonce::jose
