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
                                            const std::vector<v1::Bundle>& bundles,
                                            const std::string& bootstrap_governance) {
  std::shared_ptr<Policy> p(new Policy());
  for (const auto& pr : principals) {
    if (!pr.identity().empty()) p->by_identity_[pr.identity()] = pr;
  }
  for (const auto& m : matters) p->matters_[m.name()] = m;
  for (const auto& b : bundles) p->bundles_[b.name()] = b;
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

const v1::Bundle* Policy::FindBundle(absl::string_view name) const {
  auto it = bundles_.find(name);
  return it == bundles_.end() ? nullptr : &it->second;
}

std::vector<const v1::Matter*> Policy::MattersOf(absl::string_view purpose) const {
  std::vector<const v1::Matter*> out;
  if (const v1::Matter* m = FindMatter(purpose)) {
    out.push_back(m);
  } else if (const v1::Bundle* b = FindBundle(purpose)) {
    for (const auto& name : b->matters()) {
      if (const v1::Matter* m = FindMatter(name)) out.push_back(m);
    }
  }
  return out;
}

const v1::Grant* Policy::GrantFor(const v1::Principal& principal, absl::string_view purpose,
                                  absl::string_view matter) const {
  const v1::Grant* via_bundle = nullptr;
  for (const auto& g : principal.grants()) {
    if (g.matter() == matter) return &g;
    if (g.matter() == purpose && purpose != matter) via_bundle = &g;
  }
  return via_bundle;
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
                                                    absl::string_view purpose, v1::SubjectKind kind,
                                                    const catalog::Catalog& catalog) const {
  const bool governance = HasRole(principal, v1::GOVERNANCE);
  if (!governance && !HasRole(principal, v1::APPROVAL_SYSTEM)) {
    return Denied("ROLE_MAY_NOT_READ_RECORDS",
                  absl::StrCat(principal.name(), " has no role that reads records"));
  }
  if (purpose.empty()) {
    return WithReason(
        absl::InvalidArgumentError("every read states its purpose (a matter); no purpose, no data"),
        "PURPOSE_REQUIRED");
  }
  const std::vector<const v1::Matter*> matters = MattersOf(purpose);
  if (matters.empty()) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("purpose '", purpose.substr(0, 128),
                                                              "' is not a known matter or bundle")),
                      "UNKNOWN_PURPOSE");
  }
  FieldReleases out;
  bool granted = false, right_kind = false;
  for (const v1::Matter* matter : matters) {
    const v1::Grant* grant = GrantFor(principal, purpose, matter->name());
    if (grant == nullptr) continue;
    granted = true;
    if (matter->subject_kind() != kind) continue;
    right_kind = true;
    absl::flat_hash_set<std::string> named(grant->clear_fields().begin(),
                                           grant->clear_fields().end());
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
  }
  if (!granted) {
    return Denied("NO_GRANT_FOR_PURPOSE",
                  absl::StrCat(principal.name(), " has no grant for ", purpose));
  }
  if (!right_kind) {
    return Denied("PURPOSE_NOT_FOR_THIS_KIND",
                  absl::StrCat(purpose, " is not about ", catalog::CollectionOf(kind)));
  }
  return out;
}

absl::StatusOr<WriteAuthority> Policy::AuthorizeWrite(
    const v1::Principal& principal, absl::string_view matter_name, absl::string_view source,
    v1::SubjectKind kind, absl::Span<const absl::string_view> fields) const {
  if (HasRole(principal, v1::GOVERNANCE)) {
    return WriteAuthority{std::string(source), std::string(matter_name), {}};
  }
  if (!HasRole(principal, v1::APPROVAL_SYSTEM)) {
    return Denied("ROLE_MAY_NOT_WRITE", absl::StrCat(principal.name(), " may not write records"));
  }
  if (matter_name.empty()) {
    return Denied("MATTER_REQUIRED_FOR_WRITE",
                  "an approval system writes back for a matter; set provenance.matter");
  }
  absl::flat_hash_set<absl::string_view> writable;  // views of the policy's own matters
  absl::flat_hash_set<absl::string_view> asked(fields.begin(), fields.end());
  bool granted = false;
  std::string matter_source;
  // Each value is recorded under the source of the matter that collects it (the first such
  // matter of a bundle): the department whose matter it is vouches for it. The change set's
  // own source is that of the first matter that collects any of them.
  absl::flat_hash_map<absl::string_view, absl::string_view> source_of;
  for (const v1::Matter* matter : MattersOf(matter_name)) {
    const v1::Grant* grant = GrantFor(principal, matter_name, matter->name());
    if (grant == nullptr || !grant->write_back() || matter->subject_kind() != kind) continue;
    granted = true;
    for (const auto& ff : matter->form_fields()) {
      if (!ff.write_back()) continue;
      writable.insert(ff.catalog_field());
      if (!asked.contains(ff.catalog_field()) || matter->source().empty()) continue;
      if (matter_source.empty()) matter_source = matter->source();
      source_of.try_emplace(ff.catalog_field(), matter->source());
    }
  }
  if (!granted) {
    return Denied("NO_WRITE_GRANT",
                  absl::StrCat(principal.name(), " may not write back ",
                               catalog::CollectionOf(kind), " for ", matter_name));
  }
  std::vector<absl::string_view> refused;
  for (const auto& f : fields) {
    if (!writable.contains(f)) refused.push_back(f);
  }
  if (!refused.empty()) {
    return Denied("FIELD_NOT_WRITABLE",
                  absl::StrCat(matter_name, " does not write back ", absl::StrJoin(refused, ", ")));
  }
  std::string recorded = !matter_source.empty()        ? matter_source
                         : !principal.source().empty() ? principal.source()
                                                       : std::string(matter_name);
  WriteAuthority authority{recorded, std::string(matter_name), {}};
  for (const auto& f : fields) {
    auto it = source_of.find(f);
    if (it != source_of.end() && it->second != recorded) {
      authority.field_sources.emplace_back(std::string(f), std::string(it->second));
    }
  }
  return authority;
}

}  // namespace collectonce::authz
