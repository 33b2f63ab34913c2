#include "libs/authz/validate.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/catalog/subject.h"

namespace collectonce::authz {

namespace v1 = ::collectonce::registry::v1;

bool IsResourceName(absl::string_view name, absl::string_view collection) {
  if (!absl::StartsWith(name, collection) || name.size() <= collection.size() + 1 ||
      name[collection.size()] != '/') {
    return false;
  }
  absl::string_view id = name.substr(collection.size() + 1);
  if (id.size() > 63 || id[0] == '-') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void ValidateMatter(const v1::Matter& m, const catalog::Catalog* catalog,
                    catalog::Violations* out) {
  if (!IsResourceName(m.name(), "matters")) {
    out->push_back({"name", "NAME", "a matter is named matters/{id}: a-z, 0-9 and '-'"});
  }
  if (m.title().empty()) out->push_back({"title", "REQUIRED", "a matter needs a title"});
  if (m.subject_kind() != v1::ENTERPRISE && m.subject_kind() != v1::PERSON) {
    out->push_back({"subject_kind", "REQUIRED", "ENTERPRISE or PERSON"});
  } else if (catalog == nullptr) {
    out->push_back({"subject_kind", "NO_CATALOG",
                    absl::StrCat("apply the ", catalog::KindName(m.subject_kind()),
                                 " catalog before matters that use it")});
  }
  if (m.purpose().empty()) out->push_back({"purpose", "REQUIRED", "state why the data is used"});
  if (m.form_fields_size() == 0) {
    out->push_back({"form_fields", "REQUIRED", "a matter has at least one form field"});
  }
  absl::flat_hash_set<std::string> keys;
  for (int i = 0; i < m.form_fields_size(); ++i) {
    const auto& f = m.form_fields(i);
    const std::string path = absl::StrCat("form_fields[", i, "]");
    if (f.key().empty()) {
      out->push_back({path + ".key", "REQUIRED", "a form field needs a key"});
    } else if (!keys.insert(f.key()).second) {
      out->push_back(
          {path + ".key", "DUPLICATE", absl::StrCat("key '", f.key(), "' is used twice")});
    }
    if (f.use() == v1::FormField::USE_UNSPECIFIED) {
      out->push_back({path + ".use", "REQUIRED", "PREFILL, PREFILL_MASKED or COLLECT"});
    }
    if (catalog != nullptr && catalog->FindField(f.catalog_field()) == nullptr) {
      out->push_back({path + ".catalog_field", "UNKNOWN_FIELD",
                      absl::StrCat("the ", catalog::KindName(m.subject_kind()),
                                   " catalog has no field '", f.catalog_field(), "'")});
    }
  }
}

void ValidateBundle(const v1::Bundle& b,
                    const std::function<bool(const std::string&)>& matter_exists,
                    catalog::Violations* out) {
  if (!IsResourceName(b.name(), "bundles")) {
    out->push_back({"name", "NAME", "a bundle is named bundles/{id}: a-z, 0-9 and '-'"});
  }
  if (b.title().empty()) out->push_back({"title", "REQUIRED", "a bundle needs a title"});
  if (b.matters_size() == 0) out->push_back({"matters", "REQUIRED", "a bundle has matters"});
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < b.matters_size(); ++i) {
    const std::string path = absl::StrCat("matters[", i, "]");
    if (!matter_exists(b.matters(i))) {
      out->push_back({path, "UNKNOWN_MATTER", absl::StrCat(b.matters(i), " does not exist")});
    } else if (!seen.insert(b.matters(i)).second) {
      out->push_back({path, "DUPLICATE", absl::StrCat(b.matters(i), " is listed twice")});
    }
  }
}

void ValidatePrincipal(const v1::Principal& p,
                       const std::function<bool(const std::string&)>& matter_exists,
                       const std::function<std::string(const std::string&)>& identity_owner,
                       catalog::Violations* out) {
  if (!IsResourceName(p.name(), "principals")) {
    out->push_back({"name", "NAME", "a principal is named principals/{id}: a-z, 0-9 and '-'"});
  }
  if (p.identity().empty() || p.identity().size() > 512) {
    out->push_back({"identity", "REQUIRED",
                    "the identity is the certificate's URI or DNS SAN (1-512 characters)"});
  } else {
    std::string owner = identity_owner(p.identity());
    if (!owner.empty() && owner != p.name()) {
      out->push_back(
          {"identity", "DUPLICATE", absl::StrCat("the identity already belongs to ", owner)});
    }
  }
  if (p.roles_size() == 0) out->push_back({"roles", "REQUIRED", "a principal has a role"});
  for (int i = 0; i < p.grants_size(); ++i) {
    if (!matter_exists(p.grants(i).matter())) {
      out->push_back({absl::StrCat("grants[", i, "].matter"), "UNKNOWN_MATTER",
                      absl::StrCat(p.grants(i).matter(), " does not exist")});
    }
  }
}

}  // namespace collectonce::authz
