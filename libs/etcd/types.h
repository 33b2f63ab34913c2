// The etcd v3 data model as plain values: keys and their revisions, transactions, leases,
// members. Nothing here depends on gRPC or on etcd's generated code, so that the layers above
// the client (the commit log, the election, the store's seam) never see either.
#ifndef COLLECTONCE_LIBS_ETCD_TYPES_H_
#define COLLECTONCE_LIBS_ETCD_TYPES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace collectonce::etcd {

// One key as etcd keeps it. Revisions are etcd's global revision counter: create_revision is
// the revision of the put that created this incarnation of the key (0: the key does not
// exist), mod_revision that of its last put, version the number of puts since creation.
struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
};

// The keys a request covers: `key` alone when `range_end` is empty, else [key, range_end).
struct KeyRange {
  std::string key;
  std::string range_end;

  static KeyRange Single(std::string key) { return {std::move(key), {}}; }
  // Every key that starts with `prefix`.
  static KeyRange Prefix(std::string prefix);
  // [from, to).
  static KeyRange Between(std::string from, std::string to) {
    return {std::move(from), std::move(to)};
  }
};

// The smallest key greater than every key that starts with `prefix` (etcd's convention for
// prefix ranges; "\0" when the prefix is all 0xff bytes, meaning "to the end").
std::string PrefixEnd(absl::string_view prefix);

struct RangeRequest {
  KeyRange keys;
  int64_t limit = 0;        // 0: no limit
  int64_t revision = 0;     // 0: the newest; else the keys as of that revision
  bool descending = false;  // by key (ascending is etcd's own order)
  bool keys_only = false;
  bool count_only = false;
  // A serializable read is answered from the member's own state without a quorum round
  // trip: it may be stale. The default is linearizable.
  bool serializable = false;
};

struct RangeResult {
  int64_t revision = 0;  // the store's revision when the read was served
  std::vector<KeyValue> kvs;
  bool more = false;  // more keys in the range than `limit` returned
  int64_t count = 0;  // keys in the range
};

// One condition of a transaction: `target` of `key` compared with a number or a value.
struct Compare {
  enum class Target { kVersion, kCreateRevision, kModRevision, kValue, kLease };
  enum class Result { kEqual, kNotEqual, kGreater, kLess };
  std::string key;
  Target target = Target::kVersion;
  Result result = Result::kEqual;
  int64_t number = 0;  // for every target but kValue
  std::string value;   // for kValue

  static Compare CreateRevision(std::string key, Result r, int64_t n) {
    return {std::move(key), Target::kCreateRevision, r, n, {}};
  }
  static Compare Version(std::string key, Result r, int64_t n) {
    return {std::move(key), Target::kVersion, r, n, {}};
  }
  static Compare ModRevision(std::string key, Result r, int64_t n) {
    return {std::move(key), Target::kModRevision, r, n, {}};
  }
  static Compare Value(std::string key, Result r, std::string v) {
    return {std::move(key), Target::kValue, r, 0, std::move(v)};
  }
  // The key does not exist (version 0).
  static Compare Absent(std::string key) { return Version(std::move(key), Result::kEqual, 0); }
  // The key exists.
  static Compare Present(std::string key) { return Version(std::move(key), Result::kGreater, 0); }
};

// One operation of a transaction.
struct Op {
  enum class Kind { kRange, kPut, kDelete };
  Kind kind = Kind::kRange;
  KeyRange keys;
  std::string value;       // kPut
  int64_t lease = 0;       // kPut: attach to this lease (0: none)
  int64_t limit = 0;       // kRange
  bool keys_only = false;  // kRange: revisions and versions, no values

  static Op Get(std::string key) {
    return {Kind::kRange, KeyRange::Single(std::move(key)), {}, 0, 0, false};
  }
  // The key's revisions and version without its value.
  static Op Head(std::string key) {
    return {Kind::kRange, KeyRange::Single(std::move(key)), {}, 0, 0, true};
  }
  static Op GetRange(KeyRange keys, int64_t limit = 0) {
    return {Kind::kRange, std::move(keys), {}, 0, limit, false};
  }
  static Op Put(std::string key, std::string value, int64_t lease = 0) {
    return {Kind::kPut, KeyRange::Single(std::move(key)), std::move(value), lease, 0, false};
  }
  static Op Delete(KeyRange keys) { return {Kind::kDelete, std::move(keys), {}, 0, 0, false}; }
};

struct OpResult {
  Op::Kind kind = Op::Kind::kRange;
  std::vector<KeyValue> kvs;  // kRange
  int64_t deleted = 0;        // kDelete
};

// If every `compare` holds, `success` runs, else `failure`; atomically, at one revision.
struct TxnRequest {
  std::vector<Compare> compare;
  std::vector<Op> success;
  std::vector<Op> failure;
};

struct TxnResult {
  bool succeeded = false;
  int64_t revision = 0;           // the revision after the transaction (its own, if it wrote)
  std::vector<OpResult> results;  // one per operation of the branch that ran
};

struct Lease {
  int64_t id = 0;
  int64_t ttl_seconds = 0;  // as granted (the server may raise a TTL below its minimum)
};

struct LeaseTimeToLive {
  int64_t id = 0;
  int64_t remaining_seconds = 0;  // -1: expired or revoked
  int64_t granted_seconds = 0;
};

struct Member {
  uint64_t id = 0;
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool is_learner = false;
};

// What one member says of itself (Maintenance.Status).
struct MemberStatus {
  std::string endpoint;
  uint64_t member_id = 0;
  uint64_t leader_id = 0;  // 0: the member knows no leader
  std::string version;
  int64_t db_size_bytes = 0;
  int64_t db_size_in_use_bytes = 0;
  uint64_t raft_index = 0;
  uint64_t raft_term = 0;
  uint64_t raft_applied_index = 0;
  std::vector<std::string> errors;  // alarms such as NOSPACE
};

// A change seen by a watch.
struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;  // for a delete: the key and the deleting revision as mod_revision
};

}  // namespace collectonce::etcd

#endif  // COLLECTONCE_LIBS_ETCD_TYPES_H_
