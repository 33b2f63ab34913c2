// The Store on an embedded RocksDB: one database directory, column families by access
// pattern (docs/storage.md), one committer thread that orders every write.
#ifndef COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_
#define COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
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
  // Microseconds since the Unix epoch; replaceable for tests.
  std::function<int64_t()> now_us;
  // Hours east of UTC of the city's calendar, for "today" (valid-from defaults, dates
  // that may not be in the future). China Standard Time has no daylight saving.
  int utc_offset_hours = 8;
  // Where new person ids come from; replaceable for deterministic tests.
  std::function<std::string()> new_person_id;
  // ONLY for measuring what the audit log costs (tools/bench/audit_cost): appends no audit
  // entries, so nothing written is tamper-evident. Never set in a daemon.
  bool benchmark_without_audit_log = false;
  // A RocksDB Env to run on (fault-injection tests); null for the default.
  rocksdb::Env* env = nullptr;
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
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(
      RocksDbStoreOptions options);
  // Stops taking writes, lets the committer finish what is queued and closes the database.
  ~RocksDbStore() override;

  virtual OperationCounts Counts() const = 0;
  // Thread-safe; cheap enough to call on every metrics scrape.
  virtual EngineStats Engine() const = 0;

 protected:
  RocksDbStore() = default;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_H_
