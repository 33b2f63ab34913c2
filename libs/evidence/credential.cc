#include "libs/evidence/credential.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/catalog/value_text.h"
#include "libs/crypto/sha256.h"
#include "libs/evidence/evidence_type.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"

namespace collectonce::evidence {

namespace {

std::string NewCredentialId() {
  unsigned char id[16];
  if (RAND_bytes(id, sizeof(id)) != 1) std::abort();  // no entropy: never issue
  return jose::Base64UrlEncode(absl::string_view(reinterpret_cast<const char*>(id), sizeof(id)));
}

// A value as a claim: numbers and booleans as JSON ones, everything else in its text form
// (dates YYYY-MM-DD, decimals canonical, codes as the catalog's code list has them).
nlohmann::json ClaimValue(const v1::FieldValue& f) {
  const v1::Value& v = f.value();
  if (!f.masked() && v.kind_case() == v1::Value::kInt64Value) return v.int64_value();
  if (!f.masked() && v.kind_case() == v1::Value::kBoolValue) return v.bool_value();
  return catalog::FormatValue(v);
}

int64_t UnixSeconds(absl::Time t) { return absl::ToUnixSeconds(t); }

absl::Status Refuse(const std::vector<std::string>& withheld,
                    const std::vector<std::string>& absent, catalog::Violations* violations) {
  for (const auto& f : withheld) {
    violations->push_back({absl::StrCat("fields.", f), "WITHHELD",
                           "the caller's grant for this matter does not release it"});
  }
  for (const auto& f : absent) {
    violations->push_back({absl::StrCat("fields.", f), "MISSING", "the record has no value"});
  }
  if (!withheld.empty()) {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "the caller may not receive attested fields for this matter: ",
            absl::StrJoin(withheld, ", "), "; no partial credential is issued for this type")),
        "EVIDENCE_FIELDS_WITHHELD");
  }
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "the subject's record has no value for attested fields: ", absl::StrJoin(absent, ", "),
          "; no partial credential is issued for this type")),
      "EVIDENCE_FIELDS_MISSING");
}

}  // namespace

absl::StatusOr<std::string> PayloadDigest(nlohmann::json payload) {
  if (!payload.is_object()) return absl::InvalidArgumentError("the payload is not an object");
  payload.erase("audit");
  payload.erase("status");
  ASSIGN_OR_RETURN(std::string text, jose::DumpJson(payload));
  return crypto::Sha256(text);
}

absl::StatusOr<PreparedCredential> PrepareCredential(const v1::EvidenceType& type,
                                                     const v1::Record& released,
                                                     const IssueContext& context,
                                                     catalog::Violations* violations) {
  absl::flat_hash_map<std::string, const v1::FieldValue*> present;
  for (const auto& f : released.fields()) present[f.field()] = &f;
  const absl::flat_hash_set<std::string> withheld_set(released.withheld_fields().begin(),
                                                      released.withheld_fields().end());
  PreparedCredential out;
  std::vector<std::string> withheld, absent;
  jose::SdJwtClaims claims;
  nlohmann::json& attested = type.selective_disclosure() ? claims.disclosable : claims.visible;
  std::vector<std::string> masked_claims;
  for (const auto& name : type.fields()) {
    const std::string& claim = ClaimName(type, name);
    if (IsCredentialClaim(claim)) {
      // A type stored before claim names were checked: no verifier would accept it.
      return WithReason(
          absl::FailedPreconditionError(absl::StrCat(
              type.name(), " carries '", name, "' as the claim '", claim,
              "', which every credential sets itself; apply the type again with a claim "
              "name for it (claim_names)")),
          "EVIDENCE_TYPE_INVALID");
    }
    auto it = present.find(name);
    if (it == present.end()) {
      (withheld_set.contains(name) ? withheld : absent).push_back(name);
      continue;
    }
    attested[claim] = ClaimValue(*it->second);
    out.fields.push_back(name);
    if (it->second->masked()) {
      out.masked_fields.push_back(name);
      masked_claims.push_back(claim);
    }
  }
  if (out.fields.empty() || (!type.allow_partial() && (!withheld.empty() || !absent.empty()))) {
    return Refuse(withheld, absent, violations);
  }
  out.missing_fields = withheld;
  out.missing_fields.insert(out.missing_fields.end(), absent.begin(), absent.end());
  out.id = NewCredentialId();
  out.revision = released.revision();
  out.issued_at = context.now;
  out.expires_at = context.now + Validity(type);
  nlohmann::json& v = claims.visible;
  v["iss"] = context.issuer;
  v["vct"] = type.name();
  v["jti"] = out.id;
  v["sub"] = released.name();
  v["iat"] = UnixSeconds(out.issued_at);
  v["exp"] = UnixSeconds(out.expires_at);
  v["matter"] = context.matter;
  if (!context.case_id.empty()) v["case_id"] = context.case_id;
  v["revision"] = out.revision;
  // Names only: which claims hold a masked rendering rather than the value.
  if (!masked_claims.empty()) v["masked"] = masked_claims;
  ASSIGN_OR_RETURN(jose::PreparedSdJwt sd, jose::PrepareSdJwt(claims));
  ASSIGN_OR_RETURN(out.payload_json, jose::DumpJson(sd.payload));
  out.payload_sha256 = crypto::Sha256(out.payload_json);
  out.disclosures = std::move(sd.disclosures);
  return out;
}

std::string SignCredential(const jose::SdJwtSigner& signer, const PreparedCredential& prepared,
                           const Placement& placement) {
  // The payload is an object with visible claims, never empty: its text ends in '}'.
  std::string payload = prepared.payload_json;
  payload.pop_back();
  absl::StrAppend(&payload, ",\"audit\":{\"index\":", placement.audit_index,
                  ",\"tree_size\":", placement.tree_size,
                  "},\"status\":{\"status_list\":{\"idx\":", placement.status_index,
                  ",\"uri\":", nlohmann::json(placement.status_uri).dump(), "}}}");
  return signer.SignJson(payload, prepared.disclosures);
}

}  // namespace collectonce::evidence
