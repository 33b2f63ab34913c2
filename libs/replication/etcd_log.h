// The commit log in etcd: entry N at PREFIX/log/<N>, each appended by one etcd Txn that
// holds only if the leader key's create revision is still the appending leader's epoch,
// entry N is unused and (within an epoch) entry N-1 exists. So a deposed leader cannot
// append, two leaders can never both write N, and no gap can appear, whatever the clocks
// say. Entries are opaque bytes here (the store's encoding of one commit group), wrapped in a
// LogRecord that names the epoch and replica that appended them.
//
// Thread-safe (each call is independent; the caller orders appends).
#ifndef COLLECTONCE_LIBS_REPLICATION_ETCD_LOG_H_
#define COLLECTONCE_LIBS_REPLICATION_ETCD_LOG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/etcd/client.h"
#include "libs/replication/layout.h"

namespace collectonce::replication {

struct LogEntry {
  uint64_t index = 0;
  int64_t epoch = 0;
  std::string replica_id;
  std::string bytes;
  int64_t revision = 0;  // etcd's revision of the put
};

class EtcdLog {
 public:
  EtcdLog(etcd::Client* client, Layout layout, std::string replica_id)
      : client_(client), layout_(std::move(layout)), replica_id_(std::move(replica_id)) {}

  // Appends entry `index` for the leader of `epoch`, trying again (the same Txn, which can
  // take effect at most once) until an answer or `deadline`:
  //   OK                   durable on etcd's quorum (also when an earlier attempt of this
  //                        same append is what landed).
  //   ABORTED              (LOG_FENCED) the leader key is no longer this epoch's, or another
  //                        entry holds `index`: not appended, and never will be. Step down.
  //   FAILED_PRECONDITION  (LOG_PREVIOUS_MISSING) with require_previous, entry index-1 is
  //                        not there: nothing appended (an earlier append still in flight,
  //                        or a bug in the caller's order).
  //   UNAVAILABLE          not appended: etcd refused or could not be reached, and no attempt
  //                        was sent that could still land.
  //   UNKNOWN              an attempt was sent and etcd could not be asked again before the
  //                        deadline: it may still land. Read the log before relying on either.
  //   INVALID_ARGUMENT     larger than etcd takes (--max-request-bytes): not appended.
  // The first append of an epoch (at the end the new leader read) sets require_previous to
  // false; every later one to true.
  [[nodiscard]] absl::Status Append(int64_t epoch, uint64_t index, absl::string_view bytes,
                                    bool require_previous, absl::Time deadline);

  // Entries from `from` on, in order, at most `limit`, read linearizably; `revision` gets
  // etcd's revision of the read (a watch from revision + 1 misses nothing after it).
  // OUT_OF_RANGE (LOG_TRIMMED) when entries from `from` on exist but `from` was trimmed;
  // DATA_LOSS for a gap or an entry that does not parse.
  [[nodiscard]] absl::StatusOr<std::vector<LogEntry>> Read(
      uint64_t from, int limit, int64_t* revision = nullptr,
      absl::Time deadline = etcd::kDefaultDeadline);

  // The first and last index in the log; {0, 0} when it is empty.
  [[nodiscard]] absl::StatusOr<std::pair<uint64_t, uint64_t>> Bounds(
      absl::Time deadline = etcd::kDefaultDeadline);

  // Deletes the entries below `below`, but never the last one (the next append compares
  // it). Returns how many went.
  [[nodiscard]] absl::StatusOr<int64_t> Trim(uint64_t below,
                                             absl::Time deadline = etcd::kDefaultDeadline);

  // A watched or read key as an entry; DATA_LOSS if it is not one.
  [[nodiscard]] absl::StatusOr<LogEntry> Decode(const etcd::KeyValue& kv) const;

  const Layout& layout() const { return layout_; }

 private:
  absl::Status Interpret(const etcd::TxnResult& result, int64_t epoch, uint64_t index,
                         absl::string_view bytes) const;

  etcd::Client* const client_;
  const Layout layout_;
  const std::string replica_id_;
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_ETCD_LOG_H_
