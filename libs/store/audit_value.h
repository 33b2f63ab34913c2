// The value stored for each entry of the `audit` column family (docs/storage.md).
// Do not change: these bytes are on disk.
//
// Since format 4 the value is 0x00 | the 32-byte leaf hash | the entry's bytes, so that the
// leaf hash the log was built from is kept with its entry and the Merkle nodes of the lowest
// levels need not be stored apart. Before, the value was the entry's bytes alone. A
// serialized AuditEntry never starts with 0x00 (no protobuf tag is zero), so both read.
#ifndef COLLECTONCE_LIBS_STORE_AUDIT_VALUE_H_
#define COLLECTONCE_LIBS_STORE_AUDIT_VALUE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "libs/audit/merkle.h"

namespace collectonce::store {

struct AuditValue {
  absl::string_view entry;      // the AuditEntry bytes, as hashed into the log
  absl::string_view leaf_hash;  // 32 bytes; empty for an entry written before format 4
};

std::string EncodeAuditValue(const audit::Hash& leaf_hash, absl::string_view entry);

// Views into `value`. A value that starts with 0x00 but is too short to hold a hash reads
// as an entry without one (its bytes then fail to parse or to hash to the log's root).
AuditValue DecodeAuditValue(absl::string_view value);

// The leaf hash the value carries, or the entry's hash computed when it carries none.
audit::Hash LeafHashOf(const AuditValue& value);

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_AUDIT_VALUE_H_
