// The RocksDB store's implementation class, shared by the files that hold its jobs:
//   rocksdb_store.cc     Open, the blocking helpers, shared conversions
//   store_open.cc        Init: options, column families, recovery of in-memory state
//   store_reads.cc       every read (records, history, audit entries, objects, reuse)
//   store_committer.cc   queueing, the committer loop, group preparation
//   store_apply.cc       one operation into a group (write, access, catalog, object)
//   store_writer.cc      the writer loop and the completer
//   store_audit_tree.cc  the audit tree's node reader and low edge
//   store_backup.cc      backups
//   store_replication.cc following, leading, applying commit log entries
// Private to libs/store: nothing outside includes it.
#ifndef COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_IMPL_H_
#define COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "libs/audit/merkle.h"
#include "libs/catalog/timestamp.h"
#include "libs/store/change_builder.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/state_mac.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"

namespace collectonce::store::internal {

namespace sv1 = ::collectonce::storage::v1;

// 5: revision 1 writes no timeline entry; as-of reads take it from the state's create time.
// 4: an audit entry's value carries its leaf hash, and Merkle nodes below
// kLowestStoredAuditLevel are computed from those instead of stored (3 stored every level).
// 3: a state keeps one provenance per revision that wrote its fields, and each field names
// only its revision (1 and 2 repeated the provenance in every field; readers take both).
// 2: a revision's state goes to `snapshots` when a later revision supersedes it; the
// current revision's state is only in `current` (1 wrote it to both on every write).
// Older stores read correctly here; a build refuses a store newer than it knows.
constexpr int32_t kFormatVersion = 7;
// Merkle subtrees of fewer than 2^4 leaves are not stored: they are hashed from the leaf
// hashes kept with the entries (at most 16 reads), which spares every entry about two puts.
constexpr int kLowestStoredAuditLevel = 4;
constexpr uint64_t kLowLevelsMask = (uint64_t{1} << kLowestStoredAuditLevel) - 1;
constexpr char kCatalogType[] = "catalogs";
// A page of history never scans more than this many change sets, so that a filter that
// matches little still answers in bounded time (the caller continues with the token).
constexpr int kMaxHistoryScan = 10000;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);
using catalog::MicrosToTimestamp;
// A new person's id: "p", 11 characters of the creation time in microseconds, 8 random
// characters, all from a base32 alphabet in ASCII order (see rocksdb_store.cc).
std::string NewPersonId(int64_t time_us);
std::string Etag(int64_t revision, int64_t sequence);
v1::Record ToRecord(const SubjectName& subject, const sv1::RecordState& state,
                    bool with_values = true);
// A digest of everything that makes a write request what it is, for request-id reuse.
std::string RequestDigest(const WriteRequest& r);

// The audit tree's right edge below kLowestStoredAuditLevel: the perfect subtrees of fewer
// than 16 leaves that end the tree (one per set bit of its size mod 16). They are not stored
// as nodes; the store keeps them in its meta and in memory.
using LowEdge = std::vector<audit::NodeWrite>;

// The low edge of a tree of `size` leaves from its hashes, highest level first (one per set
// bit of size mod 16).
LowEdge MakeLowEdge(uint64_t size, const audit::Hash* hash);
LowEdge LowEdgeOf(const audit::MerkleAppender& tree);

// Reads audit nodes of the committed tree: the stored ones; below kLowestStoredAuditLevel,
// the committed tree's low edge, a node stored before format 4, or else the subtree hashed
// from its entries' leaf hashes.
// Hashing the edge from entries too would let one damaged entry stop every root and the
// store's opening, where `audit verify` should find and name it.
class DbNodeReader : public audit::NodeReader {
 public:
  DbNodeReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
               rocksdb::ColumnFamilyHandle* entries)
      : db_(db), cf_(cf), entries_(entries) {}
  // The low edge of the tree just committed.
  void SetLowEdge(LowEdge edge);
  // Every node asked for lies within the committed tree (callers check sizes first), so one
  // that is not there means a damaged store: DATA_LOSS, never the caller's OUT_OF_RANGE.
  absl::StatusOr<audit::Hash> Subtree(int level, uint64_t index) const override;

 private:
  absl::StatusOr<audit::Hash> Find(int level, uint64_t index) const;
  absl::StatusOr<audit::Hash> Stored(int level, uint64_t index) const;
  absl::StatusOr<audit::Hash> FromEntries(int level, uint64_t index) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  rocksdb::ColumnFamilyHandle* entries_;
  mutable absl::Mutex mu_;
  LowEdge edge_ ABSL_GUARDED_BY(mu_);
};

struct WriteOp {
  WriteRequest request;
  WriteCallback done;
  std::string lookup_value;     // the ID number, when the subject is found by it
  std::string lookup_hash;      // and its HMAC
  std::string digest;           // of the request, when it has a request id
  int64_t catalog_version = 0;  // the catalog the values were checked against
  catalog::Violations violations;
  absl::StatusOr<WriteResult> result = absl::UnknownError("not committed");
};

struct AccessOp {
  AccessRecord access;
  // With the audit index of the access event's leaf once durable.
  std::function<void(absl::StatusOr<uint64_t>)> done;
  absl::StatusOr<uint64_t> result = absl::UnknownError("not committed");
};

struct CatalogOp {
  v1::Catalog catalog;  // compiled and checked before queueing
  std::shared_ptr<const catalog::Catalog> compiled;
  std::string principal;
  std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done;
  absl::StatusOr<v1::Catalog> result = absl::UnknownError("not committed");
  catalog::Violations violations;  // against a catalog applied after the queueing check
};

struct ObjectOp {
  std::string type, name, payload, principal;
  std::optional<int64_t> expected_version;
  std::string action = "APPLY";
  std::function<void(absl::StatusOr<StoredObject>)> done;
  absl::StatusOr<StoredObject> result = absl::UnknownError("not committed");
};

struct ReuseOp {
  std::string form;
  Store::ReuseCounts counts;
  std::function<void(absl::Status)> done;
  absl::Status result;
};

using Op = std::variant<WriteOp, AccessOp, CatalogOp, ObjectOp, ReuseOp>;

class RocksDbStoreImpl final : public RocksDbStore {
 public:
  explicit RocksDbStoreImpl(RocksDbStoreOptions options)
      : options_(std::move(options)), mac_(StateMac::FromIndexKey(options_.index_hash)) {}

  ~RocksDbStoreImpl() override {
    {
      absl::MutexLock lock(&queue_mu_);
      stopping_ = true;
    }
    if (committer_.joinable()) committer_.join();  // its last group is written
    {
      absl::MutexLock lock(&writer_mu_);
      writer_stopping_ = true;
    }
    if (writer_.joinable()) writer_.join();
    {
      absl::MutexLock lock(&done_mu_);
      done_stopping_ = true;
    }
    if (completer_.joinable()) completer_.join();  // every callback has run
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    if (db_) {
      // After a failed write RocksDB's log writer holds the error, and syncing it again
      // trips an assertion in RocksDB (an abort at shutdown); there is nothing left to sync.
      if (Health().ok()) db_->SyncWAL();
      db_->Close();
    }
  }

  absl::Status Init();

  // ---- Store ----
  absl::StatusOr<v1::Record> GetRecord(const SubjectName& subject, const AsOf& as_of,
                                       const std::vector<std::string>& fields) override;
  absl::StatusOr<SubjectName> FindPerson(absl::string_view id_number) override;
  absl::StatusOr<v1::Record> GetPersonRecord(absl::string_view id_number, const AsOf& as_of,
                                             const std::vector<std::string>& fields) override;
  absl::StatusOr<std::vector<SubjectName>> ListSubjects(v1::SubjectKind kind,
                                                        absl::string_view after_id,
                                                        int limit) override;
  absl::StatusOr<HistoryPage> ListHistory(const SubjectName& subject,
                                          const HistoryQuery& query) override;
  absl::StatusOr<std::vector<v1::ChangeSet>> ReadChangesAfter(int64_t after_sequence,
                                                              int limit) override;
  void Write(WriteRequest request, WriteCallback done) override;
  void RecordAccess(AccessRecord access, std::function<void(absl::Status)> done) override;
  void RecordAccessIndexed(AccessRecord access,
                           std::function<void(absl::StatusOr<uint64_t>)> done) override;
  absl::StatusOr<std::shared_ptr<const catalog::Catalog>> GetCatalog(v1::SubjectKind kind) override;
  void ApplyCatalogAsync(
      v1::Catalog catalog, const std::string& principal, bool dry_run,
      std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done) override;
  absl::StatusOr<v1::AuditEntry> ReadAuditEntry(uint64_t index) override;
  absl::StatusOr<std::vector<RawAuditEntry>> ReadAuditEntries(uint64_t start, int limit,
                                                              bool reverse) override;
  const audit::NodeReader& AuditNodes() override { return *node_reader_; }
  absl::StatusOr<std::vector<uint64_t>> ListInvalidEvidence(uint64_t from, uint64_t to) override;
  absl::StatusOr<std::pair<std::vector<uint64_t>, std::string>> ListAccessEvents(
      const SubjectName& subject, const std::string& before_key, int limit) override;
  void PutObjectAsync(const std::string& type, const std::string& name, std::string payload,
                      const std::string& principal,
                      std::function<void(absl::StatusOr<StoredObject>)> done) override;
  void WriteObjectAsync(ObjectWrite write,
                        std::function<void(absl::StatusOr<StoredObject>)> done) override;
  absl::StatusOr<StoredObject> GetObject(const std::string& type, const std::string& name) override;
  absl::StatusOr<std::vector<StoredObject>> ListObjects(
      const std::string& type, const std::string& after_name, int limit,
      const std::string& name_prefix = "") override;
  void AddReuseAsync(const std::string& form, const ReuseCounts& counts,
                     std::function<void(absl::Status)> done) override;
  absl::StatusOr<ReuseCounts> SumReuse(const std::string& form, int64_t since_us,
                                       int64_t until_us) override;
  uint64_t Subscribe(std::function<void(int64_t)> listener) override {
    absl::MutexLock lock(&listeners_mu_);
    listeners_[++next_listener_] = std::move(listener);
    return next_listener_;
  }
  void Unsubscribe(uint64_t id) override {
    absl::MutexLock lock(&listeners_mu_);
    listeners_.erase(id);
  }
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& directory) override;
  absl::StatusOr<StateCheck> VerifyStates(const std::string& after, int limit) override;
  StoreStats Stats() override {
    absl::MutexLock lock(&state_mu_);
    StoreStats stats{last_sequence_, audit_size_, published_time_us_, applied_log_index_,
                     role_ == Role::kLeading};
    stats.altered_values_refused = altered_refused_.load(std::memory_order_relaxed);
    return stats;
  }
  absl::Status ApplyLogEntry(const CommitEntry& entry) override;
  void Follow(absl::Status why) override;
  absl::Status Lead(CommitLog* log, std::function<void(absl::Status)> on_step_down) override;
  absl::StatusOr<uint64_t> SyncLog() override;
  absl::Status Health() override {
    absl::MutexLock lock(&state_mu_);
    return failed_;
  }
  OperationCounts Counts() const override {
    OperationCounts c;
    if (!stats_) return c;
    c.gets = stats_->getTickerCount(rocksdb::NUMBER_KEYS_READ);
    c.seeks = stats_->getTickerCount(rocksdb::NUMBER_DB_SEEK);
    c.steps = stats_->getTickerCount(rocksdb::NUMBER_DB_NEXT) +
              stats_->getTickerCount(rocksdb::NUMBER_DB_PREV);
    return c;
  }
  EngineStats Engine() const override {
    EngineStats e;
    auto sum = [this](const std::string& property) {
      uint64_t total = 0;
      for (auto* h : handles_) {
        uint64_t v = 0;
        if (db_->GetIntProperty(h, property, &v)) total += v;
      }
      return total;
    };
    e.live_data_bytes = sum(rocksdb::DB::Properties::kEstimateLiveDataSize);
    e.sst_files_bytes = sum(rocksdb::DB::Properties::kTotalSstFilesSize);
    e.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
    e.pending_compaction_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    e.estimated_keys = sum(rocksdb::DB::Properties::kEstimateNumKeys);
    // The cache and the background counters are database-wide: read them once.
    db_->GetIntProperty(handles_[kMeta], rocksdb::DB::Properties::kBlockCacheUsage,
                        &e.block_cache_usage_bytes);
    db_->GetIntProperty(handles_[kMeta], rocksdb::DB::Properties::kBlockCacheCapacity,
                        &e.block_cache_capacity_bytes);
    db_->GetIntProperty(handles_[kMeta], rocksdb::DB::Properties::kNumRunningCompactions,
                        &e.running_compactions);
    db_->GetIntProperty(handles_[kMeta], rocksdb::DB::Properties::kBackgroundErrors,
                        &e.background_errors);
    return e;
  }

 private:
  enum Cf {
    kMeta,
    kCurrent,
    kSnapshots,
    kHistory,
    kTimeline,
    kValidTime,
    kSequence,
    kRequests,
    kPersonIndex,
    kAudit,
    kAuditNodes,
    kAccessIndex,
    kGovernance,
    kReuse,
    kNumCf
  };

  // One commit group: what the committer prepared from a run of queued operations, then
  // handed to the writer thread. Later operations in the group, and in the next group (which
  // the committer prepares while this one is being written), see this group's changes
  // through these maps before anything is on disk.
  struct Group {
    std::vector<Op> ops;
    rocksdb::WriteBatch batch;
    // Subject key -> the state this group left it in, serialized (a later write to the
    // same subject in the group is rare; keeping bytes avoids building a message per row).
    absl::flat_hash_map<std::string, std::string> states;
    // Subject-revision key -> a state this group superseded, serialized: a retried request
    // whose revision was overtaken before it reached the disk is answered from here.
    absl::flat_hash_map<std::string, std::string> superseded;
    absl::flat_hash_map<std::string, std::string> person_index;  // hash -> pid ("" = removed)
    absl::flat_hash_map<std::string, sv1::RequestOutcome> requests;
    absl::flat_hash_map<std::string, std::string> objects;  // governance key -> unsealed bytes
    // Subject key -> credentials about it this group recorded: audit index, entry.
    absl::flat_hash_map<std::string, std::vector<std::pair<uint64_t, sv1::EvidenceEntry>>> evidence;
    // Audit indexes of credentials this group invalidated.
    absl::flat_hash_set<uint64_t> evidence_invalidated;
    std::vector<std::pair<v1::SubjectKind, std::shared_ptr<const catalog::Catalog>>> catalogs;
    // The group before, while it may still be in the writer's hands; null once it is written.
    const Group* earlier = nullptr;
    // The committer's counters before and after this group: published once it is written,
    // restored if the write fails.
    int64_t first_sequence = 0, last_sequence = 0, time_before_us = 0, time_after_us = 0;
    audit::MerkleAppender appender_before;
    uint64_t audit_size = 0;
    LowEdge low_edge;  // of the tree after this group
    // Leading: the log the group is appended to, in the leadership it was prepared in, at
    // this index (0 when it wrote nothing). Null in local mode.
    CommitLog* log = nullptr;
    uint64_t term = 0;
    uint64_t log_index = 0, log_index_before = 0;
    // Set by the writer under writer_mu_.
    bool written = false;
    absl::Status write_status;

    // This group's value for `key` in one of the maps above, else the earlier group's.
    template <typename Map>
    const typename Map::mapped_type* Find(Map Group::*map, const std::string& key) const {
      for (const Group* g = this; g != nullptr; g = g->earlier) {
        auto it = (g->*map).find(key);
        if (it != (g->*map).end()) return &it->second;
      }
      return nullptr;
    }
  };

  // What StoreMeta.index_key_check holds for this store's index key.
  std::string IndexKeyCheck() const {
    return options_.index_hash.Hash("collect-once person index key check v1");
  }
  // IndexKeyCheck(), computed once at opening and written into every group's meta.
  std::string index_key_check_;

  int64_t NowMicros() const { return options_.clock.NowMicros(); }
  absl::CivilDay Today(int64_t now_us) const {
    return options_.clock.DayAt(absl::FromUnixMicros(now_us));
  }

  absl::StatusOr<std::optional<sv1::RecordState>> LoadState(const rocksdb::ReadOptions& ro,
                                                            const std::string& key);
  // Parses the current state of `key` into *state; false if there is none. With `bytes`,
  // also keeps the stored bytes there.
  // ---- sealed values (store_integrity.cc) ----
  // DATA_LOSS, reason STORED_DATA_ALTERED, naming `what`, the subject and the revision;
  // counted in altered_values_refused.
  absl::Status Altered(absl::string_view what, absl::string_view subject_key, int64_t revision);
  // Opens a stored state of `subject_key` (revision 0: the current one, from `current`; else
  // that revision's snapshot) into *state, and its unsealed bytes into *inner_bytes if given.
  absl::Status OpenState(absl::string_view subject_key, int64_t revision, absl::string_view stored,
                         sv1::RecordState* state, std::string* inner_bytes);
  absl::Status OpenChangeSet(absl::string_view subject_key, int64_t revision,
                             absl::string_view stored, v1::ChangeSet* cs, std::string* inner_bytes);
  absl::Status OpenAssertion(absl::string_view key, absl::string_view stored, sv1::Assertion* a);
  // Opens a stored governance object (a catalog, matter, bundle, principal, evidence type) of
  // `key` in the governance family, current or one version; `name` names it in the refusal.
  absl::Status OpenObject(absl::string_view key, absl::string_view name, absl::string_view stored,
                          sv1::GovernanceObject* obj);
  // The person index is bound to nothing by itself (its keys are keyed hashes, its values
  // bare person ids), so an entry is believed only when the person's current state, which
  // is sealed, holds an ID number (`lookup_field`) with that very hash. OK, or DATA_LOSS,
  // reason STORED_DATA_ALTERED, naming the person the entry points at: an entry swapped
  // between two persons or pointed at another file is refused, never served as theirs.
  // `state` null: that person has no record.
  absl::Status CheckIndexEntry(absl::string_view lookup_field, absl::string_view lookup_hash,
                               const SubjectName& person, const sv1::RecordState* state);
  // CheckIndexEntry for `pid`'s current state as group `g` leaves it (null: as stored).
  absl::Status CheckIndexedPerson(const Group* g, absl::string_view lookup_field,
                                  absl::string_view lookup_hash, const std::string& pid);
  // Seals every value of a store written before format 6 (states, change sets, valid-time
  // entries) or 7 (governance objects); updates and writes *meta. Refuses a store whose meta
  // claims an older format but which holds values sealed already (the meta was edited, so
  // that edited values would be sealed) unless a sealed upgrade marker says an upgrade of
  // this build was interrupted.
  absl::Status SealOlderValues(sv1::StoreMeta* meta);
  // The person the index names for `id_number`, checked against its state (read into
  // *state), as of `ro`. NOT_FOUND without an entry; DATA_LOSS for an entry that does not
  // match.
  absl::StatusOr<SubjectName> FindPersonAt(const rocksdb::ReadOptions& ro,
                                           absl::string_view id_number, sv1::RecordState* state);

  absl::StatusOr<bool> ReadState(const rocksdb::ReadOptions& ro, const std::string& key,
                                 sv1::RecordState* state, std::string* bytes = nullptr);
  // One get in `snapshots` for a superseded revision; for the current one, a miss there and
  // one get in `current`.
  absl::StatusOr<sv1::RecordState> StateAtRevision(const rocksdb::ReadOptions& ro,
                                                   const SubjectName& subject, int64_t revision);
  absl::StatusOr<v1::Record> ValidTimeView(const rocksdb::ReadOptions& ro,
                                           const SubjectName& subject,
                                           const sv1::RecordState& current, absl::CivilDay day,
                                           const std::vector<std::string>& fields);

  enum class Role { kLocal, kFollowing, kLeading };
  // What Lead asks of the committer, which alone touches the committer's state.
  struct LeadRequest {
    CommitLog* log = nullptr;
    std::function<void(absl::Status)> on_step_down;
    absl::Status result;
    bool done = false;
  };

  // ---- opening and recovery (store_open.cc); ApplyLogEntry and Lead reload through these.
  // The stored meta, checked against this build's format and the index key.
  absl::StatusOr<sv1::StoreMeta> ReadMeta();
  // The published state (counters, low edge, applied index, catalogs) from `meta`.
  absl::Status RecoverPublished(const sv1::StoreMeta& meta);
  // The committer's counters and audit tree from `meta`; only on the committer's thread
  // (or before it starts).
  absl::Status RecoverCommitter(const sv1::StoreMeta& meta);
  // Compiles the stored catalogs whose version is not the one loaded.
  absl::Status LoadCatalogs();

  // ---- replication (store_replication.cc)
  // The status of an operation refused because the store follows.
  absl::Status NotLeaderLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  // Why a group may not be prepared now (failed, or following); else OK, and the group
  // takes the log and term it is prepared under.
  absl::Status AdmitGroup(Group& g);
  // On the committer: reloads its state from disk and leads.
  absl::Status BecomeLeader(const LeadRequest& request);
  // On the writer: appends `g` to its log. Steps down on ABORTED and UNKNOWN.
  absl::Status AppendToLog(const Group& g);
  // Follows again if the store still leads in `term`; runs on_step_down once.
  void StepDown(uint64_t term, const absl::Status& why);

  void Enqueue(Op op);
  // The committer prepares group N+1 while the writer writes group N (and waits for N
  // before it hands N+1 over), so the work of building change sets overlaps the memtable
  // inserts and the WAL sync.
  void CommitLoop();
  void PrepareGroup(Group& g);
  // One operation into the group.
  void ApplyOp(Group& g, Op& op);
  // The group's counters, low edge and meta, after its last operation.
  void FinishGroup(Group& g);
  // Puts the committer's counters back where `g` found them.
  void RestoreCounters(const Group& g);
  // Empties the group's batch and maps.
  static void ClearGroup(Group& g);
  // The operations' results as before they were applied.
  static void ResetResults(Group& g);
  // RestoreCounters and ClearGroup.
  void ResetGroup(Group& g);
  // Puts operations back at the head of the queue, in order, for the next group.
  void Requeue(std::vector<Op> ops);
  void WriteLoop();
  // Hands `g` to the writer thread (the committer has awaited the previous group, so the
  // writer's slot is free).
  void HandToWriter(Group* g);
  // Waits until the writer has written `g`; its write status.
  absl::Status AwaitWritten(const Group& g);
  // Fails every operation of `g` that has not failed already with `status`.
  static void FailGroup(Group& g, const absl::Status& status);
  // Fails every operation of `g` with `status`: a group refused before it was prepared (the
  // store follows, or has failed), whose operations hold no result of their own.
  static void FailAll(Group& g, const absl::Status& status);
  // The catalog of `kind` as the committed and the not yet written groups leave it.
  std::shared_ptr<const catalog::Catalog> LatestCatalog(const Group& g, v1::SubjectKind kind);
  // Hands a committed group's operations to the completer thread, which runs their
  // callbacks (and with them the services' replies) while the committer goes on.
  void PostCompletions(std::vector<Op> ops);
  void CompleteLoop();
  void ApplyWrite(Group& g, WriteOp& op);
  void ApplyAccess(Group& g, AccessOp& op);
  // ---- evidence status (store_evidence.cc) ----
  // For an access that issues a credential: ABORTED (RECORD_CHANGED) if the subject is no
  // longer at the revision the credential attests; else keeps the credential (at `index`)
  // among the subject's valid ones.
  absl::Status NoteEvidence(Group& g, const SubjectName& subject, const v1::AccessEvent& event,
                            uint64_t index);
  // Invalidates the subject's credentials that attest a field the change set changes.
  absl::Status InvalidateEvidence(Group& g, const SubjectName& subject, const v1::ChangeSet& cs,
                                  int64_t revision, int64_t commit_time_us);
  void ApplyCatalogOp(Group& g, CatalogOp& op);
  void ApplyObjectOp(Group& g, ObjectOp& op);
  // Puts a governance object's bytes under `key`, sealed.
  void PutObject(Group& g, const std::string& key, absl::string_view bytes);
  // Appends an audit entry (its index and time filled in here) to the group.
  void AppendAudit(Group& g, v1::AuditEntry entry);
  int64_t NextCommitTime();

  RocksDbStoreOptions options_;
  // Seals and opens every value reads serve (derived from the index key).
  const StateMac mac_;
  std::atomic<uint64_t> altered_refused_{0};
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  std::unique_ptr<DbNodeReader> node_reader_;

  absl::Mutex queue_mu_;
  std::deque<Op> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  LeadRequest* lead_request_ ABSL_GUARDED_BY(queue_mu_) = nullptr;
  std::thread committer_;

  absl::Mutex writer_mu_;
  Group* to_write_ ABSL_GUARDED_BY(writer_mu_) = nullptr;
  bool writer_stopping_ ABSL_GUARDED_BY(writer_mu_) = false;
  std::thread writer_;

  absl::Mutex done_mu_;
  std::deque<std::vector<Op>> done_ ABSL_GUARDED_BY(done_mu_);
  bool done_stopping_ ABSL_GUARDED_BY(done_mu_) = false;
  std::thread completer_;

  // Committer-owned (only the committer thread touches these after Init).
  audit::MerkleAppender appender_;
  // Reused by every write, so that a bulk load does not allocate and free every field of
  // every record's messages once per row.
  sv1::RecordState current_scratch_;
  std::string current_bytes_scratch_;
  BuiltChange built_scratch_;
  int64_t next_sequence_ = 1;
  int64_t last_time_us_ = 0;
  uint64_t next_log_index_ = 1;
  // Whether the column families have the ids a fresh store gives them (a log entry's batch
  // names column families by id, so every replica must agree on them).
  bool canonical_cf_ids_ = true;

  // Serializes ApplyLogEntry with the writer's append and write, so that an entry is
  // applied once whichever of them gets there.
  absl::Mutex apply_mu_;

  // Published state, read by any thread.
  absl::Mutex state_mu_;
  int64_t last_sequence_ ABSL_GUARDED_BY(state_mu_) = 0;
  int64_t published_time_us_ ABSL_GUARDED_BY(state_mu_) = 0;
  uint64_t audit_size_ ABSL_GUARDED_BY(state_mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(state_mu_);
  Role role_ ABSL_GUARDED_BY(state_mu_) = Role::kLocal;
  // Leading: the log, and who to tell on a step-down. Bumped at every change of role.
  CommitLog* log_ ABSL_GUARDED_BY(state_mu_) = nullptr;
  std::function<void(absl::Status)> on_step_down_ ABSL_GUARDED_BY(state_mu_);
  uint64_t term_ ABSL_GUARDED_BY(state_mu_) = 0;
  // Following: why (for NOT_LEADER's message).
  absl::Status following_because_ ABSL_GUARDED_BY(state_mu_);
  uint64_t applied_log_index_ ABSL_GUARDED_BY(state_mu_) = 0;
  absl::flat_hash_map<int, std::shared_ptr<const catalog::Catalog>> catalogs_
      ABSL_GUARDED_BY(state_mu_);

  absl::Mutex listeners_mu_;
  absl::flat_hash_map<uint64_t, std::function<void(int64_t)>> listeners_
      ABSL_GUARDED_BY(listeners_mu_);
  uint64_t next_listener_ ABSL_GUARDED_BY(listeners_mu_) = 0;
};

}  // namespace collectonce::store::internal

#endif  // COLLECTONCE_LIBS_STORE_ROCKSDB_STORE_IMPL_H_
