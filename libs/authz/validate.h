// Checks on governance objects before they are stored: names, references to the catalog and
// to other objects. Every problem is reported at once.
#ifndef COLLECTONCE_LIBS_AUTHZ_VALIDATE_H_
#define COLLECTONCE_LIBS_AUTHZ_VALIDATE_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/governance.pb.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/violation.h"

namespace collectonce::authz {

// True for "{collection}/{id}" with id of 1-63 characters [a-z0-9-], not starting with '-'.
bool IsResourceName(absl::string_view name, absl::string_view collection);

// `catalog` is the catalog of the matter's subject kind (nullptr if none is applied).
void ValidateMatter(const registry::v1::Matter& matter, const catalog::Catalog* catalog,
                    catalog::Violations* out);

// `matter_exists` answers whether a matter name is stored.
void ValidateBundle(const registry::v1::Bundle& bundle,
                    const std::function<bool(const std::string&)>& matter_exists,
                    catalog::Violations* out);

// `identity_owner` returns the name of the principal that has an identity, or empty.
void ValidatePrincipal(const registry::v1::Principal& principal,
                       const std::function<bool(const std::string&)>& matter_exists,
                       const std::function<std::string(const std::string&)>& identity_owner,
                       catalog::Violations* out);

}  // namespace collectonce::authz

#endif  // COLLECTONCE_LIBS_AUTHZ_VALIDATE_H_
