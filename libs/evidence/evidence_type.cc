#include "libs/evidence/evidence_type.h"

#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/authz/validate.h"
#include "libs/catalog/subject.h"

namespace collectonce::evidence {

namespace {

// A claim name: lower case ASCII letters, digits and '_', starting with a letter, at most 64.
bool IsClaimName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_islower(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

void CheckClaims(const v1::EvidenceType& t, catalog::Violations* out) {
  const absl::flat_hash_set<std::string> attested(t.fields().begin(), t.fields().end());
  for (const auto& [field, claim] : t.claim_names()) {
    const std::string path = absl::StrCat("claim_names[", field.substr(0, 64), "]");
    if (!attested.contains(field)) {
      out->push_back({path, "UNKNOWN_FIELD",
                      absl::StrCat("'", field.substr(0, 64), "' is not an attested field")});
    } else if (!IsClaimName(claim)) {
      out->push_back({path, "CLAIM_NAME",
                      "a claim name is a-z, 0-9 and '_', starting with a letter, at most 64"});
    }
  }
  absl::flat_hash_map<std::string, std::string> claimed;  // claim -> field
  for (int i = 0; i < t.fields_size(); ++i) {
    const std::string& f = t.fields(i);
    const std::string& claim = ClaimName(t, f);
    const std::string path = t.claim_names().contains(f) ? absl::StrCat("claim_names[", f, "]")
                                                         : absl::StrCat("fields[", i, "]");
    if (IsCredentialClaim(claim)) {
      out->push_back({path, "RESERVED_CLAIM",
                      absl::StrCat("every credential sets the claim '", claim, "' itself: carry '",
                                   f, "' as another claim (claim_names)")});
      continue;
    }
    auto [it, inserted] = claimed.emplace(claim, f);
    if (!inserted && it->second != f) {
      out->push_back(
          {path, "DUPLICATE_CLAIM",
           absl::StrCat("'", f, "' and '", it->second, "' would both be claim '", claim, "'")});
    }
  }
}

void CheckFields(const v1::EvidenceType& t, const catalog::Catalog* catalog,
                 catalog::Violations* out) {
  if (t.fields_size() == 0) {
    out->push_back({"fields", "REQUIRED", "an evidence type attests at least one field"});
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < t.fields_size(); ++i) {
    const std::string path = absl::StrCat("fields[", i, "]");
    const std::string& f = t.fields(i);
    if (!seen.insert(f).second) {
      out->push_back({path, "DUPLICATE", absl::StrCat("'", f, "' is listed twice")});
      continue;
    }
    if (catalog == nullptr) continue;
    const v1::FieldDefinition* def = catalog->FindField(f);
    if (def == nullptr) {
      out->push_back({path, "UNKNOWN_FIELD",
                      absl::StrCat("the ", catalog::KindName(t.subject_kind()),
                                   " catalog has no field '", f, "'")});
    } else if (def->sharing() == v1::NOT_SHARED) {
      out->push_back({path, "NOT_SHARED",
                      absl::StrCat("'", f, "' is not shared (不予共享) and cannot be attested")});
    }
  }
}

void CheckMatter(const v1::EvidenceType& t, const std::string& path, const std::string& name,
                 const FindMatter& find_matter, catalog::Violations* out) {
  const v1::Matter* m = find_matter(name);
  if (m == nullptr) {
    out->push_back({path, "UNKNOWN_MATTER", absl::StrCat(name, " does not exist")});
    return;
  }
  if (m->subject_kind() != t.subject_kind()) {
    out->push_back({path, "WRONG_KIND",
                    absl::StrCat(name, " is not about ", catalog::CollectionOf(t.subject_kind()))});
    return;
  }
  absl::flat_hash_map<std::string, v1::FormField::Use> uses;
  for (const auto& ff : m->form_fields()) uses[ff.catalog_field()] = ff.use();
  for (const auto& f : t.fields()) {
    auto it = uses.find(f);
    if (it == uses.end() || it->second == v1::FormField::COLLECT) {
      out->push_back({path, "FIELD_NOT_PREFILLED",
                      absl::StrCat(name, " does not pre-fill '", f,
                                   "': a credential for it could not attest that field")});
    }
  }
}

void CheckRequesters(const v1::EvidenceType& t, const FindMatter& find_matter,
                     const PrincipalExists& principal_exists, catalog::Violations* out) {
  if (t.requesters_size() == 0) {
    out->push_back({"requesters", "REQUIRED", "name the principals that may request it"});
  }
  absl::flat_hash_set<std::string> principals;
  for (int i = 0; i < t.requesters_size(); ++i) {
    const auto& r = t.requesters(i);
    const std::string path = absl::StrCat("requesters[", i, "]");
    if (!principal_exists(r.principal())) {
      out->push_back({path + ".principal", "UNKNOWN_PRINCIPAL",
                      absl::StrCat("'", r.principal().substr(0, 128), "' does not exist")});
    } else if (!principals.insert(r.principal()).second) {
      out->push_back(
          {path + ".principal", "DUPLICATE", absl::StrCat(r.principal(), " is listed twice")});
    }
    if (r.matters_size() == 0) {
      out->push_back({path + ".matters", "REQUIRED", "name the matters it may serve"});
    }
    for (int j = 0; j < r.matters_size(); ++j) {
      if (t.subject_kind() == v1::SUBJECT_KIND_UNSPECIFIED) break;
      CheckMatter(t, absl::StrCat(path, ".matters[", j, "]"), r.matters(j), find_matter, out);
    }
  }
}

}  // namespace

bool IsCredentialClaim(absl::string_view name) {
  // RFC 9901 and SD-JWT VC's registered claims, and the registry's own (libs/evidence/
  // credential.cc sets them; docs/evidence.md lists them).
  static constexpr absl::string_view kClaims[] = {
      "_sd", "_sd_alg", "...", "iss",    "sub",     "iat",      "exp",    "nbf",  "cnf",
      "vct", "status",  "jti", "matter", "case_id", "revision", "masked", "audit"};
  return std::find(std::begin(kClaims), std::end(kClaims), name) != std::end(kClaims);
}

const std::string& ClaimName(const v1::EvidenceType& type, const std::string& field) {
  auto it = type.claim_names().find(field);
  return it == type.claim_names().end() ? field : it->second;
}

absl::Duration Validity(const v1::EvidenceType& type) {
  return absl::Seconds(type.validity().seconds()) + absl::Nanoseconds(type.validity().nanos());
}

void ValidateEvidenceType(const v1::EvidenceType& t, const catalog::Catalog* catalog,
                          const FindMatter& find_matter, const PrincipalExists& principal_exists,
                          catalog::Violations* out) {
  if (!authz::IsResourceName(t.name(), kCollection)) {
    out->push_back(
        {"name", "NAME", "an evidence type is named evidence-types/{id}: a-z, 0-9 and '-'"});
  }
  if (t.title().empty()) out->push_back({"title", "REQUIRED", "an evidence type needs a title"});
  if (t.subject_kind() != v1::ENTERPRISE && t.subject_kind() != v1::PERSON) {
    out->push_back({"subject_kind", "REQUIRED", "ENTERPRISE or PERSON"});
  } else if (catalog == nullptr) {
    out->push_back({"subject_kind", "NO_CATALOG",
                    absl::StrCat("apply the ", catalog::KindName(t.subject_kind()),
                                 " catalog before evidence types that use it")});
  }
  if (t.legal_basis().empty()) {
    out->push_back({"legal_basis", "REQUIRED",
                    "state the law that lets data replace the "
                    "certificate"});
  }
  const absl::Duration validity = Validity(t);
  if (validity < kMinValidity || validity > kMaxValidity) {
    out->push_back({"validity", "RANGE", "between one minute and ten years"});
  }
  CheckFields(t, catalog, out);
  CheckClaims(t, out);
  CheckRequesters(t, find_matter, principal_exists, out);
}

}  // namespace collectonce::evidence
