#include "services/reuse-gateway/form_cache.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::reuse {

absl::StatusOr<std::shared_ptr<const Form>> FormCache::Get(const std::string& name,
                                                           absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.expires > absl::Now()) return it->second.form;
  }
  auto form = Load(name, deadline);
  if (!form.ok()) return form.status();
  absl::MutexLock lock(&mu_);
  entries_[name] = {*form, absl::Now() + ttl_};
  return *form;
}

absl::StatusOr<std::shared_ptr<const Form>> FormCache::Load(const std::string& name,
                                                            absl::Time deadline) {
  std::vector<v1::Matter> matters;
  std::string title;
  if (absl::StartsWith(name, "matters/")) {
    auto m = registry_->GetMatter(name, deadline);
    if (!m.ok()) return m.status();
    title = m->title();
    matters.push_back(*std::move(m));
  } else if (absl::StartsWith(name, "bundles/")) {
    auto b = registry_->GetBundle(name, deadline);
    if (!b.ok()) return b.status();
    title = b->title();
    for (const auto& mn : b->matters()) {
      auto m = registry_->GetMatter(mn, deadline);
      if (!m.ok()) return m.status();
      matters.push_back(*std::move(m));
    }
  } else {
    return WithReason(absl::InvalidArgumentError("a form is matters/{id} or bundles/{id}"),
                      "INVALID_FORM");
  }
  if (matters.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(name, " has no matters")),
                      "EMPTY_FORM");
  }
  auto cat = registry_->GetCatalog(matters[0].subject_kind(), deadline);
  if (!cat.ok()) return cat.status();
  auto compiled = catalog::Catalog::Compile(*cat);
  if (!compiled.ok()) return compiled.status();
  auto form = BuildForm(name, title, matters, *std::move(compiled));
  if (!form.ok()) return form.status();
  return std::make_shared<const Form>(*std::move(form));
}

}  // namespace collectonce::reuse
