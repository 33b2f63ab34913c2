// The Store on an embedded RocksDB: one database directory, column families by access
// pattern (docs/storage.md), one committer thread that orders every write.
#ifndef COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_
#define COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/base/clock.h"
#include "libs/store/commit_log.h"
#include "libs/store/keyed_hash.h"
#include "libs/store/store.h"

namespace rocksdb {
class Env;
}

namespace collectonce::store {

struct RocksDbStoreOptions {
  std::string data_dir;
  // Sync the WAL before a write is acknowledged. Turning it off trades durability of the
  // last moments before a power cut for latency; a process crash loses nothing either way.
  bool sync = true;
  size_t block_cache_bytes = 256 << 20;
  // All memtables together, across column families.
  size_t write_buffer_bytes = 128 << 20;
  // The most write requests one commit group takes.
  int max_group_size = 1024;
  // Keeps RocksDB operation counters (for metrics and for the tests that count seeks).
  bool statistics = false;
  // The key of the person index.
  KeyedHash index_hash = KeyedHash::FromKey(std::string(32, '\0'));
  // Commit times, and the city's calendar for "today" (valid-from defaults, dates that may
  // not be in the future); tests give one they move.
  Clock clock;
  // Where new person ids come from; replaceable for deterministic tests.
  std::function<std::string()> new_person_id;
  // ONLY for measuring what the audit log costs (tools/bench/audit_cost): appends no audit
  // entries, so nothing written is tamper-evident. Never set in a daemon.
  bool benchmark_without_audit_log = false;
  // Where RocksDB's own log lines go (WARN and above; `error` for ERROR and FATAL), one line
  // per call, from any thread; null: stderr. Never a file on the data disk, where RocksDB's
  // file logger aborts the process once that disk is full.
  std::function<void(bool error, std::string line)> info_log;
  // A RocksDB Env to run on (fault-injection tests); null for the default.
  rocksdb::Env* env = nullptr;
  // Replicated mode: open as a follower (refusing writes with NOT_LEADER) until Lead.
  // False: local mode, where the synced WAL write is the commit and no log is involved.
  bool start_following = false;
  // Replicated mode: the most bytes one commit log entry's batch holds (below etcd's 1.5 MiB
  // request limit). The committer closes a group before it would exceed this; a single
  // operation larger than it fails with INVALID_ARGUMENT, reason TOO_LARGE. Not applied in
  // local mode.
  size_t max_entry_bytes = 1 << 20;
};

// RocksDB operation counts since open (zero unless options.statistics).
struct OperationCounts {
  uint64_t gets = 0;   // point lookups
  uint64_t seeks = 0;  // iterator Seek/SeekForPrev
  uint64_t steps = 0;  // iterator Next/Prev
};

// RocksDB's own figures for monitoring, read from DB properties (no I/O). Sizes are bytes,
// summed over all column families unless noted.
struct EngineStats {
  uint64_t live_data_bytes = 0;          // rocksdb.estimate-live-data-size
  uint64_t sst_files_bytes = 0;          // rocksdb.total-sst-files-size
  uint64_t memtable_bytes = 0;           // rocksdb.cur-size-all-mem-tables
  uint64_t block_cache_usage_bytes = 0;  // the shared cache (memtables are charged to it)
  uint64_t block_cache_capacity_bytes = 0;
  uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
  uint64_t running_compactions = 0;
  uint64_t background_errors = 0;  // rocksdb.background-errors since open
  uint64_t estimated_keys = 0;     // rocksdb.estimate-num-keys
};

class RocksDbStore : public Store {
 public:
  // UNAVAILABLE with reason NO_SPACE when the data directory's disk has no room for what
  // opening writes (a new MANIFEST, the recovered log's flush): nothing is changed, and the
  // same call succeeds once there is space.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(
      RocksDbStoreOptions options);
  // Stops taking writes, lets the committer finish what is queued and closes the database.
  ~RocksDbStore() override;

  // ---- replication (libs/store/commit_log.h; docs/replication.md) ----
  // Every write, access record, catalog, object and reuse operation fails with
  // FAILED_PRECONDITION, reason NOT_LEADER, while the store follows; reads keep working.

  // While following: writes entry `entry.log_index`, which must be applied_log_index + 1
  // (OK and nothing done when it was applied already; FAILED_PRECONDITION, reason LOG_GAP,
  // for a later one; FAILED_PRECONDITION, reason NOT_FOLLOWING, when the store does not
  // follow), unsynced (SyncLog), then reloads the in-memory state as opening does and tells
  // subscribers. DATA_LOSS when the bytes are not a batch of this store's kind.
  [[nodiscard]] virtual absl::Status ApplyLogEntry(const CommitEntry& entry) = 0;
  // Stops taking writes: queued and new ones fail with NOT_LEADER (its message carries
  // `why`). A store already following stays so; a leader's on_step_down is not called.
  virtual void Follow(absl::Status why) = 0;
  // The caller has applied the whole log. Reloads the committer's state from disk and takes
  // writes again, appending every group to `log` before writing and acknowledging it. When
  // an append is ABORTED or UNKNOWN the store fails that group and every queued operation
  // (NOT_LEADER, or COMMIT_OUTCOME_UNKNOWN for the group whose append is unknown), follows
  // again and calls `on_step_down` once, on the writer thread: it must not block. `log`
  // must outlive the leadership. FAILED_PRECONDITION when the store does not follow.
  [[nodiscard]] virtual absl::Status Lead(CommitLog* log,
                                          std::function<void(absl::Status)> on_step_down) = 0;
  // Replicated mode: syncs the WAL and returns the log index that is now on this disk.
  // Replicated writes (a leader's groups after their append, a follower's entries) are
  // written without a sync each: the commit log's quorum is what makes them durable, and a
  // replica that loses its unsynced tail in a power cut reads it from the log again. What
  // the log may be trimmed down to is therefore this index, not applied_log_index.
  [[nodiscard]] virtual absl::StatusOr<uint64_t> SyncLog() = 0;

  virtual OperationCounts Counts() const = 0;
  // Thread-safe; cheap enough to call on every metrics scrape.
  virtual EngineStats Engine() const = 0;

 protected:
  RocksDbStore() = default;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_
