// The seam between the store's write pipeline and a replicated log (libs/replication holds
// the etcd one). No gRPC and no etcd types here.
//
// Every value a change depends on (commit time, new person ids, revisions, commit
// sequences, audit leaves) is decided by the leading store before it appends the entry that
// carries it: an entry is the bytes the leader writes, never a request to execute again.
// Followers apply entries in log order (RocksDbStore::ApplyLogEntry) and never re-execute a
// write, so every replica holds the same bytes at the same index.
#ifndef COLLECTONCE_LIBS_STORE_COMMIT_LOG_H_
#define COLLECTONCE_LIBS_STORE_COMMIT_LOG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::store {

// One commit group, decided entirely by the leader.
struct CommitEntry {
  // Dense 1, 2, 3, ...: one per group that wrote anything.
  uint64_t log_index = 0;
  // rocksdb::WriteBatch::Data() of the group, its StoreMeta (last_log_index = log_index)
  // included.
  std::string batch;
  int64_t last_commit_sequence = 0;
  uint64_t audit_size = 0;
  // The group's last commit time (µs since the epoch).
  int64_t commit_time_us = 0;

  // storage.v1.LogEntry, with a format version.
  [[nodiscard]] std::string Encode() const;
  // DATA_LOSS when `bytes` is not an entry this build can read.
  [[nodiscard]] static absl::StatusOr<CommitEntry> Decode(absl::string_view bytes);
};

// Called on the store's writer thread, one call at a time, in log order.
class CommitLog {
 public:
  virtual ~CommitLog() = default;
  // Makes the entry durable before any write of its group is acknowledged.
  //   OK           durable (etcd: on the quorum).
  //   ABORTED      not appended, and never will be (fenced: another leader). The store
  //                steps down.
  //   UNKNOWN      may or may not have been appended. The store steps down; the log
  //                decides (read it back before anyone leads again).
  //   UNAVAILABLE  not appended. The group fails (reason COMMIT_LOG_UNAVAILABLE), the
  //                store keeps leading, and the next group takes the same index.
  [[nodiscard]] virtual absl::Status Append(const CommitEntry& entry) = 0;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_COMMIT_LOG_H_
