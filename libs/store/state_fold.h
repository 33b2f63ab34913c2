// A record's states derived from its change sets alone. `audit verify --states` folds each
// subject's logged change sets (the history, whose digests the audit log holds) and compares
// every stored state, as a read would serve it, with the fold: a state that is not the fold
// of its change sets (edited with the key, put back from an older copy, or built by a bug)
// is named. Pure logic: no I/O.
#ifndef COLLECTONCE_LIBS_STORE_STATE_FOLD_H_
#define COLLECTONCE_LIBS_STORE_STATE_FOLD_H_

#include <cstdint>
#include <map>
#include <string>

#include "collectonce/registry/v1/record.pb.h"
#include "collectonce/storage/v1/storage.pb.h"

namespace collectonce::store {

// What a read serves of a state: every field that has a value, with its full provenance,
// and the record's revision, sequence and times. Tombstones are not served and not compared.
struct ServedState {
  int64_t revision = 0;
  int64_t commit_sequence = 0;
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::map<std::string, registry::v1::FieldValue> fields;
};

ServedState ServedView(const storage::v1::RecordState& state);

// The state `cs` leaves when applied to `before` (null for revision 1): each change that is
// not retroactive sets its field (with the change set's provenance, and the change's own
// source where it names one) or clears it; retroactive changes leave the state as it was.
ServedState Fold(const ServedState* before, const registry::v1::ChangeSet& cs);

// Empty when `stored` serves what `folded` says; else the first difference, for a person
// ("field name: value differs from its change sets"). Never a value.
std::string Difference(const ServedState& folded, const ServedState& stored);

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_STATE_FOLD_H_
