// A form as the gateway serves it: a matter, or a bundle's matters merged so that each
// catalog field appears once; and the pure logic that turns a registry record into the
// pre-filled fields. No I/O here.
#ifndef COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_H_
#define COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectonce/gateway/v1/gateway.pb.h"
#include "collectonce/registry/v1/governance.pb.h"
#include "collectonce/registry/v1/record.pb.h"
#include "libs/catalog/catalog.h"

namespace collectonce::reuse {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;

struct FormField {
  std::string key, label, catalog_field;
  std::vector<std::string> matters;
  // The strongest use across matters: COLLECT (the applicant supplies a new value) beats
  // PREFILL, which beats PREFILL_MASKED.
  v1::FormField::Use use = v1::FormField::USE_UNSPECIFIED;
  bool required = false;
  bool write_back = false;
};

struct Form {
  std::string name;  // matters/... or bundles/...
  std::string title;
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  std::vector<FormField> fields;  // each catalog field once, in first-appearance order
  std::shared_ptr<const catalog::Catalog> catalog;

  std::vector<std::string> CatalogFields() const;
  const FormField* Find(absl::string_view catalog_field) const;
};

// Builds a form from its matters (one for a matter, several for a bundle). All matters of a
// form are about one kind of subject.
[[nodiscard]] absl::StatusOr<Form> BuildForm(const std::string& name, const std::string& title,
                                             const std::vector<v1::Matter>& matters,
                                             std::shared_ptr<const catalog::Catalog> catalog);

// Fills the response's fields from `record` (null when the subject has no file yet).
// Returns the counts for the reuse ledger.
struct PrefillCounts {
  int requested = 0, prefilled = 0;
};
PrefillCounts FillPrefill(const Form& form, const v1::Record* record, absl::Time now,
                          gw::PrefillFormResponse* response);

}  // namespace collectonce::reuse

#endif  // COLLECTONCE_SERVICES_REUSE_GATEWAY_FORM_H_
