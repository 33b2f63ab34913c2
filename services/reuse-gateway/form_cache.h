// Matters, bundles and catalogs change rarely: the gateway keeps built forms for a short
// time (default 30 s) so that a prefill costs one registry read, not four.
#ifndef COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_CACHE_H_
#define COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_CACHE_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/reuse-gateway/form.h"
#include "services/reuse-gateway/registry_client.h"

namespace collectonce::reuse {

class FormCache {
 public:
  FormCache(RegistryClient* registry, absl::Duration ttl) : registry_(registry), ttl_(ttl) {}

  // The form named "matters/{id}" or "bundles/{id}". INVALID_ARGUMENT for other names;
  // the registry's error (NOT_FOUND, UNAVAILABLE, ...) otherwise.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<const Form>> Get(const std::string& name,
                                                                absl::Time deadline);

 private:
  absl::StatusOr<std::shared_ptr<const Form>> Load(const std::string& name, absl::Time deadline);

  RegistryClient* registry_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  struct Entry {
    std::shared_ptr<const Form> form;
    absl::Time expires;
  };
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::reuse

#endif  // COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_CACHE_H_
