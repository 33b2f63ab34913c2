// How a read of records is planned, released and recorded: the one policy that GetRecord,
// BatchGetRecords, ListRecords and IssueEvidence share, so that a credential never holds
// more than a read by the same caller for the same matter would return.
#ifndef COLLECTONCE_SERVICES_REGISTRY_READ_RELEASE_H_
#define COLLECTONCE_SERVICES_REGISTRY_READ_RELEASE_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "libs/authz/policy.h"
#include "libs/store/store.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

// INVALID_ARGUMENT with `reason`.
absl::Status Invalid(std::string message, absl::string_view reason = "INVALID_ARGUMENT");

// An as-of commit time: nothing was committed before 1970, and protobuf's range ends in 9999.
bool IsReadTime(const google::protobuf::Timestamp& t);
inline constexpr char kReadTimeRange[] = "is not a time between 1970 and 9999";

// What one read may return and must record.
struct ReadPlan {
  store::AsOf as_of;
  absl::flat_hash_set<std::string> mask;  // empty: every released field
  authz::FieldReleases releases;
  std::shared_ptr<const catalog::Catalog> catalog;
  std::string purpose, case_id;
};

// Authorizes the caller for the options' purpose and checks the options (every problem in
// *violations). Decided without looking at any record.
[[nodiscard]] absl::Status PlanRead(const Caller& caller, store::Store* store, v1::SubjectKind kind,
                                    const v1::ReadOptions& o, ReadPlan* plan,
                                    catalog::Violations* violations);

// Keeps what the caller may see (masking what it may see only masked); returns whether
// personal data is released and fills the access event's field lists.
bool Release(const ReadPlan& plan, v1::Record* record, v1::AccessEvent* event);

// The record a read names, by a checked name or a person's ID number, as of plan.as_of (a
// person by ID number is found and read in one store read, Store::GetPersonRecord).
// INVALID_ARGUMENT (with *violations) for a bad name or ID number, or both given; else as
// the store's read.
[[nodiscard]] absl::StatusOr<v1::Record> ReadSubject(store::Store* store, absl::CivilDay today,
                                                     const std::string& name,
                                                     const std::string& id_number,
                                                     const ReadPlan& plan,
                                                     catalog::Violations* violations);

// The kind a request is about, from its name (or a person, given an ID number).
v1::SubjectKind KindOfRequest(const std::string& name, const std::string& id_number);

// The access event to record for a release to `caller` under `plan`.
store::AccessRecord MakeAccess(const Caller& caller, const ReadPlan& plan,
                               const std::string& subject, v1::AccessEvent event,
                               absl::string_view lookup);

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_READ_RELEASE_H_
