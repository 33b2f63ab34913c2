#include "libs/authz/policy.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/subject.h"

namespace collectonce::authz {

namespace {
absl::Status Denied(absl::string_view reason, std::string message) {
  return WithReason(absl::PermissionDeniedError(std::move(message)), reason);
}
}  // namespace

std::shared_ptr<const Policy> Policy::Build(const std::vector<v1::Principal>& principals,
                                            const std::vector<v1::Matter>& matters,
                                            const std::string& bootstrap_governance) {
  std::shared_ptr<Policy> p(new Policy());
  for (const auto& pr : principals) {
    if (!pr.identity().empty()) p->by_identity_[pr.identity()] = pr;
  }
  for (const auto& m : matters) p->matters_[m.name()] = m;
  if (!bootstrap_governance.empty()) {
    v1::Principal& b = p->by_identity_[bootstrap_governance];
    if (b.name().empty()) {
      b.set_name("principals/bootstrap-governance");
      b.set_identity(bootstrap_governance);
      b.set_display_name("bootstrap governance (--bootstrap-governance)");
    }
    for (v1::Role r : {v1::GOVERNANCE, v1::AUDITOR}) {
      if (!HasRole(b, r)) b.add_roles(r);
    }
  }
  return p;
}

const v1::Principal* Policy::FindIdentity(absl::string_view identity) const {
  auto it = by_identity_.find(identity);
  return it == by_identity_.end() ? nullptr : &it->second;
}

const v1::Matter* Policy::FindMatter(absl::string_view name) const {
  auto it = matters_.find(name);
  return it == matters_.end() ? nullptr : &it->second;
}

bool Policy::HasRole(const v1::Principal& principal, v1::Role role) {
  return std::find(principal.roles().begin(), principal.roles().end(), role) !=
         principal.roles().end();
}

bool Policy::MayReadHistory(const v1::Principal& principal) {
  return HasRole(principal, v1::AUDITOR) || HasRole(principal, v1::GOVERNANCE) ||
         HasRole(principal, v1::APPROVAL_SYSTEM);
}

absl::StatusOr<FieldReleases> Policy::AuthorizeRead(const v1::Principal& principal,
                                                    absl::string_view purpose,
                                                    v1::SubjectKind kind,
                                                    const catalog::Catalog& catalog) const {
  const bool governance = HasRole(principal, v1::GOVERNANCE);
  if (!governance && !HasRole(principal, v1::APPROVAL_SYSTEM)) {
    return Denied("ROLE_MAY_NOT_READ_RECORDS",
                  absl::StrCat(principal.name(), " has no role that reads records"));
  }
  if (purpose.empty()) {
    return WithReason(absl::InvalidArgumentError(
                          "every read states its purpose (a matter); no purpose, no data"),
                      "PURPOSE_REQUIRED");
  }
  const v1::Matter* matter = FindMatter(purpose);
  if (matter == nullptr) {
    return WithReason(
        absl::InvalidArgumentError(absl::StrCat("purpose '", purpose.substr(0, 128),
                                                "' is not a known matter")),
        "UNKNOWN_PURPOSE");
  }
  const v1::Grant* grant = nullptr;
  for (const auto& g : principal.grants()) {
    if (g.matter() == purpose) grant = &g;
  }
  if (grant == nullptr) {
    return Denied("NO_GRANT_FOR_PURPOSE",
                  absl::StrCat(principal.name(), " has no grant for ", purpose));
  }
  if (matter->subject_kind() != kind) {
    return Denied("PURPOSE_NOT_FOR_THIS_KIND",
                  absl::StrCat(purpose, " is about ",
                               catalog::CollectionOf(matter->subject_kind()), ", not ",
                               catalog::CollectionOf(kind)));
  }
  absl::flat_hash_set<std::string> named(grant->clear_fields().begin(),
                                         grant->clear_fields().end());
  FieldReleases out;
  for (const auto& ff : matter->form_fields()) {
    const v1::FieldDefinition* def = catalog.FindField(ff.catalog_field());
    if (def == nullptr) continue;
    Release r = Release::kClear;
    if (def->sharing() == v1::NOT_SHARED && !governance) {
      r = Release::kDenied;
    } else if (ff.use() == v1::FormField::COLLECT) {
      r = Release::kDenied;
    } else if (ff.use() == v1::FormField::PREFILL_MASKED) {
      r = Release::kMasked;
    } else if (!named.empty()) {
      r = named.contains(def->name()) ? Release::kClear : Release::kMasked;
    } else if (def->sharing() == v1::CONDITIONAL && !governance) {
      r = Release::kMasked;
    }
    if (r == Release::kDenied) continue;
    auto [it, inserted] = out.emplace(def->name(), r);
    if (!inserted) it->second = std::max(it->second, r);
  }
  return out;
}

absl::StatusOr<WriteAuthority> Policy::AuthorizeWrite(const v1::Principal& principal,
                                                      absl::string_view matter_name,
                                                      absl::string_view source,
                                                      v1::SubjectKind kind,
                                                      const std::vector<std::string>& fields) const {
  if (HasRole(principal, v1::GOVERNANCE)) {
    return WriteAuthority{std::string(source), std::string(matter_name)};
  }
  if (!HasRole(principal, v1::APPROVAL_SYSTEM)) {
    return Denied("ROLE_MAY_NOT_WRITE", absl::StrCat(principal.name(), " may not write records"));
  }
  if (matter_name.empty()) {
    return Denied("MATTER_REQUIRED_FOR_WRITE",
                  "an approval system writes back for a matter; set provenance.matter");
  }
  const v1::Matter* matter = FindMatter(matter_name);
  const v1::Grant* grant = nullptr;
  for (const auto& g : principal.grants()) {
    if (g.matter() == matter_name) grant = &g;
  }
  if (matter == nullptr || grant == nullptr || !grant->write_back()) {
    return Denied("NO_WRITE_GRANT",
                  absl::StrCat(principal.name(), " may not write back for ", matter_name));
  }
  if (matter->subject_kind() != kind) {
    return Denied("PURPOSE_NOT_FOR_THIS_KIND",
                  absl::StrCat(matter_name, " is not about ", catalog::CollectionOf(kind)));
  }
  absl::flat_hash_set<std::string> writable;
  for (const auto& ff : matter->form_fields()) {
    if (ff.write_back()) writable.insert(ff.catalog_field());
  }
  std::vector<std::string> refused;
  for (const auto& f : fields) {
    if (!writable.contains(f)) refused.push_back(f);
  }
  if (!refused.empty()) {
    return Denied("FIELD_NOT_WRITABLE",
                  absl::StrCat(matter_name, " does not write back ", absl::StrJoin(refused, ", ")));
  }
  std::string recorded = !principal.source().empty() ? principal.source()
                         : !matter->source().empty() ? matter->source()
                                                     : std::string(matter_name);
  return WriteAuthority{recorded, std::string(matter_name)};
}

}  // namespace collectonce::authz
