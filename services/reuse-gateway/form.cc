#include "services/reuse-gateway/form.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::reuse {

namespace {
int Strength(v1::FormField::Use use) {
  switch (use) {
    case v1::FormField::COLLECT:
      return 3;
    case v1::FormField::PREFILL:
      return 2;
    case v1::FormField::PREFILL_MASKED:
      return 1;
    default:
      return 0;
  }
}
}  // namespace

std::vector<std::string> Form::CatalogFields() const {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.catalog_field);
  return out;
}

const FormField* Form::Find(absl::string_view catalog_field) const {
  for (const auto& f : fields) {
    if (f.catalog_field == catalog_field) return &f;
  }
  return nullptr;
}

absl::StatusOr<Form> BuildForm(const std::string& name, const std::string& title,
                               const std::vector<v1::Matter>& matters,
                               std::shared_ptr<const catalog::Catalog> catalog) {
  Form form;
  form.name = name;
  form.title = title;
  form.catalog = std::move(catalog);
  if (matters.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(name, " has no matters")),
                      "EMPTY_FORM");
  }
  form.kind = matters[0].subject_kind();
  absl::flat_hash_map<std::string, size_t> index;
  for (const auto& m : matters) {
    if (m.subject_kind() != form.kind) {
      return WithReason(absl::FailedPreconditionError(
                            absl::StrCat(name, " mixes matters about enterprises and persons")),
                        "MIXED_FORM");
    }
    for (const auto& ff : m.form_fields()) {
      auto [it, inserted] = index.emplace(ff.catalog_field(), form.fields.size());
      if (inserted) {
        FormField f;
        f.key = ff.key();
        f.label = ff.label();
        f.catalog_field = ff.catalog_field();
        form.fields.push_back(std::move(f));
      }
      FormField& f = form.fields[it->second];
      if (f.matters.empty() || f.matters.back() != m.name()) f.matters.push_back(m.name());
      if (Strength(ff.use()) > Strength(f.use)) f.use = ff.use();
      f.required = f.required || ff.required();
      f.write_back = f.write_back || ff.write_back();
    }
  }
  return form;
}

PrefillCounts FillPrefill(const Form& form, const v1::Record* record, absl::Time now,
                          gw::PrefillFormResponse* response) {
  absl::flat_hash_map<std::string, const v1::FieldValue*> values;
  absl::flat_hash_set<std::string> withheld;
  if (record != nullptr) {
    for (const auto& f : record->fields()) values[f.field()] = &f;
    withheld.insert(record->withheld_fields().begin(), record->withheld_fields().end());
    response->set_subject(record->name());
    response->set_revision(record->revision());
    response->set_etag(record->etag());
  }
  PrefillCounts counts;
  for (const FormField& f : form.fields) {
    gw::FormFieldValue* out = response->add_fields();
    out->set_key(f.key);
    out->set_label(f.label);
    out->set_catalog_field(f.catalog_field);
    for (const auto& m : f.matters) out->add_matters(m);
    out->set_required(f.required);
    out->set_write_back(f.write_back);
    ++counts.requested;
    auto it = values.find(f.catalog_field);
    if (f.use == v1::FormField::COLLECT) {
      out->set_state(gw::FormFieldValue::MISSING);  // the applicant supplies a new value
    } else if (withheld.contains(f.catalog_field)) {
      out->set_state(gw::FormFieldValue::DENIED);
    } else if (it == values.end()) {
      out->set_state(gw::FormFieldValue::MISSING);
    } else {
      const v1::FieldValue& fv = *it->second;
      *out->mutable_value() = fv.value();
      *out->mutable_provenance() = fv.provenance();
      absl::Time committed = absl::FromUnixSeconds(fv.provenance().commit_time().seconds()) +
                             absl::Nanoseconds(fv.provenance().commit_time().nanos());
      absl::Duration age = now - committed;
      out->mutable_age()->set_seconds(absl::ToInt64Seconds(age));
      const v1::FieldDefinition* def =
          form.catalog ? form.catalog->FindField(f.catalog_field) : nullptr;
      const int64_t freshness = def ? def->freshness().seconds() : 0;
      if (fv.contested()) {
        // Shown, but not counted as reused: the applicant is asked about it.
        out->set_state(gw::FormFieldValue::CONTESTED);
        continue;
      }
      if (fv.masked()) {
        out->set_state(gw::FormFieldValue::MASKED);
      } else if (freshness > 0 && age > absl::Seconds(freshness)) {
        out->set_state(gw::FormFieldValue::STALE);
      } else {
        out->set_state(gw::FormFieldValue::PREFILLED);
      }
      ++counts.prefilled;
    }
  }
  response->set_prefilled_count(counts.prefilled);
  response->set_requested_count(counts.requested);
  return counts;
}

}  // namespace collectonce::reuse
