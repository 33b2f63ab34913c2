// What the replica controller (replica_controller.h) needs of a store, and what it hands the
// store to append with. The registry's RocksDbStore fits it through a small adapter
// (rocksdb_replicated_store.h); tests use a store in memory.
//
// The promise both sides keep: every value a change depends on (commit time, new person ids,
// revisions, commit sequences, audit leaves) is decided by the leader's store *before* it
// appends the entry that carries it; an entry is the bytes of what the leader will write,
// never a request to execute again. Followers apply those bytes in log order and never
// re-execute a write, so every replica holds the same bytes at the same index.
#ifndef COLLECTONCE_LIBS_REPLICATION_REPLICATED_STORE_H_
#define COLLECTONCE_LIBS_REPLICATION_REPLICATED_STORE_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace collectonce::replication {

// Makes one entry durable in the replicated log before the store acknowledges any write of
// it. Called by the store in log order, one call at a time.
//   OK           durable on the log's quorum.
//   ABORTED      not appended and never will be (fenced: this replica no longer leads).
//                The store stops leading and acknowledges nothing more.
//   UNKNOWN      may or may not have been appended. The store stops leading; the log
//                decides (the controller reads it back before anyone leads again).
//   UNAVAILABLE  not appended. The store fails the writes of that entry and keeps leading;
//                the next entry takes the same index.
class LogAppender {
 public:
  virtual ~LogAppender() = default;
  [[nodiscard]] virtual absl::Status Append(uint64_t index, absl::string_view bytes) = 0;
};

// A store that is either following (applying entries) or leading (appending them). Every
// method is thread-safe.
class ReplicatedStore {
 public:
  virtual ~ReplicatedStore() = default;

  // The highest log index applied to the store (0: none).
  virtual uint64_t applied_log_index() const = 0;
  // The last commit sequence the store holds (reported to operators, not decided on).
  virtual int64_t applied_commit_sequence() const = 0;
  // The highest log index this replica would still hold after a power cut (its local writes
  // may be synced later than they are applied): what it reports, so that the log is never
  // trimmed past what a replica could lose. By default everything applied.
  virtual uint64_t durable_log_index() { return applied_log_index(); }

  // While following: applies entry `index`, which must be applied_log_index() + 1 (OK and
  // nothing done when it was applied already; FAILED_PRECONDITION for a later one). DATA_LOSS
  // when the bytes are not an entry this store can apply.
  [[nodiscard]] virtual absl::Status ApplyLogEntry(uint64_t index, absl::string_view bytes) = 0;

  // Stops taking writes: queued and new ones fail as NOT_LEADER. Reads keep working. A store
  // already following stays so.
  virtual void Follow(absl::Status why) = 0;

  // The caller has applied the whole log. Takes writes again, appending each entry to `log`
  // (which outlives the leadership) before acknowledging it. When an append is ABORTED or
  // UNKNOWN the store goes back to following and calls `on_step_down` once (on any thread;
  // it must not block).
  [[nodiscard]] virtual absl::Status Lead(LogAppender* log,
                                          std::function<void(absl::Status)> on_step_down) = 0;
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_REPLICATED_STORE_H_
