#include "services/registry/read_release.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/resident_id.h"
#include "libs/rpc/timestamps.h"
#include "services/registry/limits.h"

namespace collectonce::registry {

using catalog::Violations;

absl::Status Invalid(std::string message, absl::string_view reason) {
  return WithReason(absl::InvalidArgumentError(std::move(message)), reason);
}

bool IsReadTime(const google::protobuf::Timestamp& t) {
  return rpc::IsValidTimestamp(t) && t.seconds() >= 0;
}

absl::Status PlanRead(const Caller& caller, store::Store* store, v1::SubjectKind kind,
                      const v1::ReadOptions& o, ReadPlan* plan, Violations* violations) {
  auto cat = store->GetCatalog(kind);
  if (!cat.ok())
    return WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG");
  plan->catalog = *cat;
  auto releases = caller.policy->AuthorizeRead(caller.principal, o.purpose(), kind, **cat);
  if (!releases.ok()) return releases.status();
  plan->releases = *std::move(releases);
  plan->purpose = o.purpose();
  if (o.case_id().size() > kMaxCaseIdLength) {
    violations->push_back({"options.case_id", "LENGTH", "at most 128 characters"});
  }
  plan->case_id = o.case_id();
  if (o.read_mask().paths_size() > kMaxMaskPaths) {
    violations->push_back({"options.read_mask", "LENGTH", "at most 200 paths"});
  } else {
    for (const auto& p : o.read_mask().paths()) {
      if ((*cat)->FindField(p) == nullptr) {
        violations->push_back(
            {absl::StrCat("options.read_mask.", p.substr(0, 64)), "UNKNOWN_FIELD",
             absl::StrCat("the ", catalog::KindName(kind), " catalog has no such field")});
      } else {
        plan->mask.insert(p);
      }
    }
  }
  int set = (o.revision() != 0) + o.has_commit_time() + o.has_valid_date();
  if (set > 1) {
    violations->push_back(
        {"options", "ONE_OF", "give at most one of revision, commit_time, valid_date"});
  } else if (o.revision() < 0) {
    violations->push_back({"options.revision", "RANGE", "revisions start at 1"});
  } else if (o.revision() > 0) {
    plan->as_of = store::AsOf::Revision(o.revision());
  } else if (o.has_commit_time()) {
    if (IsReadTime(o.commit_time())) {
      plan->as_of = store::AsOf::CommitTime(catalog::TimestampToMicros(o.commit_time()));
    } else {
      violations->push_back({"options.commit_time", "RANGE", kReadTimeRange});
    }
  } else if (o.has_valid_date()) {
    const auto& d = o.valid_date();
    absl::CivilDay day(d.year(), d.month(), d.day());
    if (d.year() < 1 || d.year() > 9999 || day.month() != d.month() || day.day() != d.day()) {
      violations->push_back({"options.valid_date", "FORMAT", "is not a calendar date"});
    } else {
      plan->as_of = store::AsOf::ValidDay(day);
    }
  }
  if (!violations->empty()) return Invalid("the read options are not valid", "INVALID_VALUES");
  return absl::OkStatus();
}

// Keeps what the caller may see; returns whether personal data is released and fills the
// access event's field lists.
bool Release(const ReadPlan& plan, v1::Record* record, v1::AccessEvent* event) {
  bool personal = record->kind() == v1::PERSON;
  google::protobuf::RepeatedPtrField<v1::FieldValue> kept;
  for (auto& f : *record->mutable_fields()) {
    if (!plan.mask.empty() && !plan.mask.contains(f.field())) continue;
    auto it = plan.releases.find(f.field());
    if (it == plan.releases.end() || it->second == authz::Release::kDenied) continue;
    const v1::FieldDefinition* def = plan.catalog->FindField(f.field());
    if (def == nullptr) continue;
    if (def->sensitivity() >= v1::PERSONAL) personal = true;
    if (it->second == authz::Release::kMasked) {
      std::string masked = catalog::MaskValue(*def, f.value());
      f.mutable_value()->set_string_value(masked);
      f.set_masked(true);
      event->add_masked_fields(f.field());
    } else {
      event->add_fields(f.field());
    }
    kept.Add(std::move(f));
  }
  record->mutable_fields()->Swap(&kept);
  // What the caller asked for and may not see, decided by policy alone (never by whether a
  // value exists), so that a gateway can tell DENIED from MISSING.
  std::vector<std::string> withheld;
  for (const auto& f : plan.mask) {
    auto it = plan.releases.find(f);
    if (it == plan.releases.end() || it->second == authz::Release::kDenied) withheld.push_back(f);
  }
  std::sort(withheld.begin(), withheld.end());
  for (auto& f : withheld) record->add_withheld_fields(std::move(f));
  return personal && (event->fields_size() + event->masked_fields_size() > 0);
}

absl::StatusOr<v1::Record> ReadSubject(store::Store* store, absl::CivilDay today,
                                       const std::string& name, const std::string& id_number,
                                       const ReadPlan& plan, Violations* violations) {
  if (!name.empty() && !id_number.empty()) {
    violations->push_back({"id_number", "ONE_OF", "give a name or an id_number, not both"});
    return Invalid("give a name or an id_number, not both", "INVALID_VALUES");
  }
  const std::vector<std::string> mask(plan.mask.begin(), plan.mask.end());
  if (!id_number.empty()) {
    auto id = ident::ParseResidentId(id_number, today);
    if (!id.ok()) {
      violations->push_back({"id_number", "FORMAT", std::string(id.status().message())});
      return Invalid(std::string(id.status().message()), "INVALID_VALUES");
    }
    return store->GetPersonRecord(id->number, plan.as_of, mask);
  }
  if (name.size() > kMaxNameLength) return Invalid("the name is too long");
  auto subject = catalog::ParseSubjectName(name);
  if (!subject.ok()) {
    violations->push_back({"name", "NAME", std::string(subject.status().message())});
    return Invalid(std::string(subject.status().message()), "INVALID_VALUES");
  }
  return store->GetRecord(*subject, plan.as_of, mask);
}

v1::SubjectKind KindOfRequest(const std::string& name, const std::string& id_number) {
  if (!id_number.empty() || name.rfind("persons/", 0) == 0) return v1::PERSON;
  if (name.rfind("enterprises/", 0) == 0) return v1::ENTERPRISE;
  return v1::SUBJECT_KIND_UNSPECIFIED;
}

store::AccessRecord MakeAccess(const Caller& caller, const ReadPlan& plan,
                               const std::string& subject, v1::AccessEvent event,
                               absl::string_view lookup) {
  store::AccessRecord a;
  a.principal = caller.principal.name();
  a.event = std::move(event);
  a.event.set_subject(subject);
  a.event.set_purpose(plan.purpose);
  a.event.set_via(caller.via);
  a.event.set_case_id(plan.case_id);
  a.event.set_lookup(std::string(lookup));
  return a;
}

}  // namespace collectonce::registry
