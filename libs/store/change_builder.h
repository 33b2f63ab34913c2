// Turns a write request and the subject's current state into the next state and the change
// set that records it. Pure logic over one subject: no I/O, so the rules (validation,
// source authority, retroactive values, no-op detection) are tested on their own.
#ifndef COLLECTONCE_LIBS_STORE_CHANGE_BUILDER_H_
#define COLLECTONCE_LIBS_STORE_CHANGE_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "libs/catalog/catalog.h"
#include "libs/store/store.h"

namespace collectonce::store {

// Checks each value of a request against the catalog without looking at stored state:
// unknown or deprecated fields, types and rules. Normalises values in place. Safe to call
// on any thread before the request is queued.
void CheckRequestValues(const catalog::Catalog& catalog, absl::CivilDay today,
                        WriteRequest* request, catalog::Violations* out);

struct BuiltChange {
  // The state after the change. The fields it writes name its revision as their provenance,
  // and `next.provenances` holds the provenance of each revision its fields name.
  storage::v1::RecordState next;
  v1::ChangeSet change_set;
  // Every new assertion (current or retroactive), for the valid-time index. Empty for a
  // new subject, whose revision 1 is read from its snapshot.
  std::vector<v1::FieldValue> assertions;
  bool unchanged = false;
  // Old and new value of the catalog's lookup field (persons), when it changes.
  bool lookup_changed = false;
  std::string old_lookup, new_lookup;
};

// Applies `request` (already value-checked) to `current` (nullptr for a new subject; it must
// not be part of `out`). `out` may be one reused from an earlier call: all of it is reset.
// `commit_time_us` and `revision` are stamped into provenance. On a rule violation returns
// INVALID_ARGUMENT or FAILED_PRECONDITION and appends the violations.
[[nodiscard]] absl::Status BuildChange(const catalog::Catalog& catalog,
                                       const storage::v1::RecordState* current,
                                       const WriteRequest& request, absl::CivilDay today,
                                       int64_t commit_time_us, int64_t revision, BuiltChange* out,
                                       catalog::Violations* violations);

// The provenance of `field` of `state`: its own where it carries one in full (formats 1 and
// 2), else the state's entry for the revision that wrote it (format 3; see RecordState).
const v1::Provenance& ProvenanceOf(const storage::v1::RecordState& state,
                                   const v1::FieldValue& field);
// Copies `field` of `state` into *out with its full provenance, as the API shows it.
void ExpandField(const storage::v1::RecordState& state, const v1::FieldValue& field,
                 v1::FieldValue* out);

// Days since 1970-01-01 <-> google.type.Date.
absl::CivilDay ToCivilDay(const google::type::Date& date);
google::type::Date ToDate(absl::CivilDay day);

// Two values are the same value (same type and content).
bool SameValue(const v1::Value& a, const v1::Value& b);

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_CHANGE_BUILDER_H_
