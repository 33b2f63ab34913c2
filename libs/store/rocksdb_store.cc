#include "libs/store/rocksdb_store.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <thread>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/bits.h"
#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "libs/audit/merkle.h"
#include "libs/base/coding.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/store/audit_value.h"
#include "libs/store/change_builder.h"
#include "libs/store/keys.h"
#include "openssl/evp.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"
#include "rocksdb/write_buffer_manager.h"

namespace collectonce::store {

namespace {

namespace sv1 = ::collectonce::storage::v1;
// 5: revision 1 writes no timeline entry; as-of reads take it from the state's create time.
// 4: an audit entry's value carries its leaf hash, and Merkle nodes below
// kLowestStoredAuditLevel are computed from those instead of stored (3 stored every level).
// 3: a state keeps one provenance per revision that wrote its fields, and each field names
// only its revision (1 and 2 repeated the provenance in every field; readers take both).
// 2: a revision's state goes to `snapshots` when a later revision supersedes it; the
// current revision's state is only in `current` (1 wrote it to both on every write).
// Older stores read correctly here; a build refuses a store newer than it knows.
constexpr int32_t kFormatVersion = 5;
// Merkle subtrees of fewer than 2^4 leaves are not stored: they are hashed from the leaf
// hashes kept with the entries (at most 16 reads), which spares every entry about two puts.
constexpr int kLowestStoredAuditLevel = 4;
constexpr uint64_t kLowLevelsMask = (uint64_t{1} << kLowestStoredAuditLevel) - 1;
constexpr char kCatalogType[] = "catalogs";
// A page of history never scans more than this many change sets, so that a filter that
// matches little still answers in bounded time (the caller continues with the token).
constexpr int kMaxHistoryScan = 10000;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError() || s.IsNoSpace() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

std::string Sha256(absl::string_view data) {
  // Fetched once: the one-shot SHA256() fetches the implementation on every call.
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  unsigned char out[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

google::protobuf::Timestamp MicrosToTimestamp(int64_t us) {
  google::protobuf::Timestamp t;
  int64_t s = us / 1000000, rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --s;
  }
  t.set_seconds(s);
  t.set_nanos(static_cast<int32_t>(rem * 1000));
  return t;
}

// A new person's id: "p", 11 characters of the creation time in microseconds, 8 random
// characters, all from a base32 alphabet in ASCII order. Ids made later sort later, so a
// bulk load appends to the per-subject column families instead of scattering across them
// (RocksDB then moves whole files down instead of rewriting them); the random part keeps
// ids from being guessed from a time. The id reveals when the file was created, which its
// history shows anyway, and nothing about the person.
std::string NewPersonId(int64_t time_us) {
  static constexpr char kSorted[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string id(20, 'p');
  uint64_t t = static_cast<uint64_t>(std::max<int64_t>(time_us, 0));
  for (int i = 11; i >= 1; --i) {
    id[i] = kSorted[t & 31];
    t >>= 5;
  }
  // Uniqueness, not secrecy (a person id grants nothing): a per-thread generator seeded
  // from the operating system, much cheaper than OpenSSL's DRBG on a bulk load.
  thread_local absl::BitGen gen;
  uint64_t r = absl::Uniform<uint64_t>(gen);
  for (int i = 0; i < 8; ++i, r >>= 5) id[12 + i] = kSorted[r & 31];
  return id;
}

std::string Etag(int64_t revision, int64_t sequence) {
  return absl::StrCat(revision, "-", absl::Hex(sequence));
}

v1::Record ToRecord(const SubjectName& subject, const sv1::RecordState& state,
                    bool with_values = true) {
  v1::Record r;
  r.set_name(subject.ToString());
  r.set_kind(subject.kind);
  r.set_revision(state.revision());
  r.set_commit_sequence(state.commit_sequence());
  r.set_etag(Etag(state.revision(), state.commit_sequence()));
  *r.mutable_create_time() = MicrosToTimestamp(state.create_time_us());
  *r.mutable_update_time() = MicrosToTimestamp(state.update_time_us());
  if (!with_values) return r;
  for (const auto& f : state.fields()) {
    if (f.has_value()) ExpandField(state, f, r.add_fields());  // tombstones are not shown
  }
  return r;
}

// A digest of everything that makes a write request what it is, for request-id reuse.
std::string RequestDigest(const WriteRequest& r) {
  std::string buf;
  auto add = [&buf](absl::string_view s) { absl::StrAppend(&buf, s.size(), ":", s); };
  add(r.subject ? r.subject->ToString() : "");
  add(absl::StrCat(static_cast<int>(r.kind)));
  for (const auto& c : r.changes) {
    add(c.field);
    add(c.value ? c.value->SerializeAsString() : std::string("\xff"));
  }
  add(r.provenance.SerializeAsString());
  add(r.reason);
  add(r.expected_revision ? absl::StrCat(*r.expected_revision) : "-");
  add(r.expected_etag ? *r.expected_etag : "-");
  return Sha256(buf);
}

// The audit tree's right edge below kLowestStoredAuditLevel: the perfect subtrees of fewer
// than 16 leaves that end the tree (one per set bit of its size mod 16). They are not stored
// as nodes; the store keeps them in its meta and in memory.
using LowEdge = std::vector<audit::NodeWrite>;

// The low edge of a tree of `size` leaves from its hashes, highest level first (one per set
// bit of size mod 16).
LowEdge MakeLowEdge(uint64_t size, const audit::Hash* hash) {
  LowEdge edge;
  for (int level = kLowestStoredAuditLevel - 1; level >= 0; --level) {
    if ((size >> level & 1) != 0) edge.push_back({level, (size >> level) - 1, *hash++});
  }
  return edge;
}

LowEdge LowEdgeOf(const audit::MerkleAppender& tree) {
  const auto& frontier = tree.frontier();
  const int low = absl::popcount(tree.size() & kLowLevelsMask);
  return MakeLowEdge(tree.size(), frontier.data() + frontier.size() - low);
}

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
  void SetLowEdge(LowEdge edge) {
    absl::MutexLock lock(&mu_);
    edge_ = std::move(edge);
  }
  // Every node asked for lies within the committed tree (callers check sizes first), so one
  // that is not there means a damaged store: DATA_LOSS, never the caller's OUT_OF_RANGE.
  absl::StatusOr<audit::Hash> Subtree(int level, uint64_t index) const override {
    absl::StatusOr<audit::Hash> h = Find(level, index);
    if (absl::IsNotFound(h.status())) {
      return absl::DataLossError(absl::StrCat("the audit log is damaged: ", h.status().message()));
    }
    return h;
  }

 private:
  absl::StatusOr<audit::Hash> Find(int level, uint64_t index) const {
    if (level < kLowestStoredAuditLevel) {
      {
        absl::MutexLock lock(&mu_);
        for (const auto& n : edge_) {
          if (n.level == level && n.index == index) return n.hash;
        }
      }
      // Entries written before format 4 have their low nodes stored: the hashes the log was
      // built from, which outrank a recomputation from bytes that may have changed since.
      auto stored = Stored(level, index);
      if (stored.ok() || !absl::IsNotFound(stored.status())) return stored;
      return FromEntries(level, index);
    }
    return Stored(level, index);
  }

  absl::StatusOr<audit::Hash> Stored(int level, uint64_t index) const {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_, keys::AuditNode(level, index), &v);
    if (s.IsNotFound()) {
      return absl::NotFoundError(absl::StrCat("audit node ", level, "/", index, " not stored"));
    }
    if (!s.ok()) return FromRocks(s, "audit node");
    if (v.size() != 32) return absl::DataLossError("audit node has the wrong size");
    audit::Hash h;
    std::copy(v.begin(), v.end(), h.begin());
    return h;
  }

  absl::StatusOr<audit::Hash> FromEntries(int level, uint64_t index) const {
    const uint64_t first = index << level;
    const uint64_t count = uint64_t{1} << level;
    auto missing = [&](uint64_t i) {
      return absl::NotFoundError(absl::StrCat("audit entry ", i, " not stored"));
    };
    if ((first >> level) != index) return missing(UINT64_MAX);
    audit::MerkleAppender tree;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), entries_));
    it->Seek(keys::AuditIndex(first));
    for (uint64_t i = first; i - first < count; ++i, it->Next()) {
      if (!it->Valid()) {
        if (!it->status().ok()) return FromRocks(it->status(), "reading the audit log");
        return missing(i);
      }
      if (it->key() != keys::AuditIndex(i)) return missing(i);
      tree.Append(
          LeafHashOf(DecodeAuditValue(absl::string_view(it->value().data(), it->value().size()))),
          nullptr);
    }
    return tree.Root();
  }

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
  std::function<void(absl::Status)> done;
  absl::Status result;
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

// Hears RocksDB's background errors (a failed flush or compaction, say on a full disk), which
// stop writes before any write of ours has failed, so that health says so at once.
class BackgroundErrorListener : public rocksdb::EventListener {
 public:
  explicit BackgroundErrorListener(std::function<void(const rocksdb::Status&)> on_error)
      : on_error_(std::move(on_error)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (error != nullptr && !error->ok()) on_error_(*error);
  }

 private:
  std::function<void(const rocksdb::Status&)> on_error_;
};

class RocksDbStoreImpl final : public RocksDbStore {
 public:
  explicit RocksDbStoreImpl(RocksDbStoreOptions options) : options_(std::move(options)) {}

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
  absl::StatusOr<std::vector<SubjectName>> ListSubjects(v1::SubjectKind kind,
                                                        absl::string_view after_id,
                                                        int limit) override;
  absl::StatusOr<HistoryPage> ListHistory(const SubjectName& subject,
                                          const HistoryQuery& query) override;
  absl::StatusOr<std::vector<v1::ChangeSet>> ReadChangesAfter(int64_t after_sequence,
                                                              int limit) override;
  void Write(WriteRequest request, WriteCallback done) override;
  void RecordAccess(AccessRecord access, std::function<void(absl::Status)> done) override;
  absl::StatusOr<std::shared_ptr<const catalog::Catalog>> GetCatalog(v1::SubjectKind kind) override;
  void ApplyCatalogAsync(
      v1::Catalog catalog, const std::string& principal, bool dry_run,
      std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done) override;
  absl::StatusOr<v1::AuditEntry> ReadAuditEntry(uint64_t index) override;
  absl::StatusOr<std::vector<RawAuditEntry>> ReadAuditEntries(uint64_t start, int limit,
                                                              bool reverse) override;
  const audit::NodeReader& AuditNodes() override { return *node_reader_; }
  absl::StatusOr<std::pair<std::vector<uint64_t>, std::string>> ListAccessEvents(
      const SubjectName& subject, const std::string& before_key, int limit) override;
  void PutObjectAsync(const std::string& type, const std::string& name, std::string payload,
                      const std::string& principal,
                      std::function<void(absl::StatusOr<StoredObject>)> done) override;
  absl::StatusOr<StoredObject> GetObject(const std::string& type, const std::string& name) override;
  absl::StatusOr<std::vector<StoredObject>> ListObjects(const std::string& type,
                                                        const std::string& after_name,
                                                        int limit) override;
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
  StoreStats Stats() override {
    absl::MutexLock lock(&state_mu_);
    return {last_sequence_, audit_size_, published_time_us_};
  }
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
    absl::flat_hash_map<std::string, std::string> objects;  // governance key -> stored bytes
    std::vector<std::pair<v1::SubjectKind, std::shared_ptr<const catalog::Catalog>>> catalogs;
    // The group before, while it may still be in the writer's hands; null once it is written.
    const Group* earlier = nullptr;
    // The committer's counters before and after this group: published once it is written,
    // restored if the write fails.
    int64_t first_sequence = 0, last_sequence = 0, time_before_us = 0, time_after_us = 0;
    audit::MerkleAppender appender_before;
    uint64_t audit_size = 0;
    LowEdge low_edge;  // of the tree after this group
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

  int64_t NowMicros() const {
    return options_.now_us ? options_.now_us() : absl::ToUnixMicros(absl::Now());
  }
  absl::CivilDay Today(int64_t now_us) const {
    return absl::ToCivilDay(absl::FromUnixMicros(now_us),
                            absl::FixedTimeZone(options_.utc_offset_hours * 3600));
  }

  absl::StatusOr<std::optional<sv1::RecordState>> LoadState(const rocksdb::ReadOptions& ro,
                                                            const std::string& key);
  // Parses the current state of `key` into *state; false if there is none. With `bytes`,
  // also keeps the stored bytes there.
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

  void Enqueue(Op op);
  // The committer prepares group N+1 while the writer writes group N (and waits for N
  // before it hands N+1 over), so the work of building change sets overlaps the memtable
  // inserts and the WAL sync.
  void CommitLoop();
  void PrepareGroup(Group& g);
  void WriteLoop();
  // Hands `g` to the writer thread (the committer has awaited the previous group, so the
  // writer's slot is free).
  void HandToWriter(Group* g);
  // Waits until the writer has written `g`; its write status.
  absl::Status AwaitWritten(const Group& g);
  // Fails every operation of `g` that has not failed already with `status`.
  static void FailGroup(Group& g, const absl::Status& status);
  // The catalog of `kind` as the committed and the not yet written groups leave it.
  std::shared_ptr<const catalog::Catalog> LatestCatalog(const Group& g, v1::SubjectKind kind);
  // Hands a committed group's operations to the completer thread, which runs their
  // callbacks (and with them the services' replies) while the committer goes on.
  void PostCompletions(std::vector<Op> ops);
  void CompleteLoop();
  void ApplyWrite(Group& g, WriteOp& op);
  void ApplyAccess(Group& g, AccessOp& op);
  void ApplyCatalogOp(Group& g, CatalogOp& op);
  void ApplyObjectOp(Group& g, ObjectOp& op);
  // Appends an audit entry (its index and time filled in here) to the group.
  void AppendAudit(Group& g, v1::AuditEntry entry);
  int64_t NextCommitTime();

  RocksDbStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  std::unique_ptr<DbNodeReader> node_reader_;

  absl::Mutex queue_mu_;
  std::deque<Op> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
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

  // Published state, read by any thread.
  absl::Mutex state_mu_;
  int64_t last_sequence_ ABSL_GUARDED_BY(state_mu_) = 0;
  int64_t published_time_us_ ABSL_GUARDED_BY(state_mu_) = 0;
  uint64_t audit_size_ ABSL_GUARDED_BY(state_mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(state_mu_);
  absl::flat_hash_map<int, std::shared_ptr<const catalog::Catalog>> catalogs_
      ABSL_GUARDED_BY(state_mu_);

  absl::Mutex listeners_mu_;
  absl::flat_hash_map<uint64_t, std::function<void(int64_t)>> listeners_
      ABSL_GUARDED_BY(listeners_mu_);
  uint64_t next_listener_ ABSL_GUARDED_BY(listeners_mu_) = 0;
};

absl::Status RocksDbStoreImpl::Init() {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.max_background_jobs = 2;
  opts.bytes_per_sync = 1 << 20;
  if (options_.env) opts.env = options_.env;
  opts.listeners.push_back(
      std::make_shared<BackgroundErrorListener>([this](const rocksdb::Status& e) {
        absl::MutexLock lock(&state_mu_);
        if (!failed_.ok()) return;
        failed_ = WithReason(absl::UnavailableError(absl::StrCat(
                                 "the store hit a background error and takes no more writes until "
                                 "restarted: ",
                                 e.ToString())),
                             "STORE_FAILED");
      }));
  if (options_.statistics) {
    stats_ = rocksdb::CreateDBStatistics();
    opts.statistics = stats_;
  }
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  opts.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.write_buffer_bytes, cache);

  auto cf_options = [&](bool point_lookups, size_t write_buffer) {
    rocksdb::ColumnFamilyOptions cf(opts);
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    if (point_lookups) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      // A Bloom filter on the memtable too: a write for a new person looks up an ID number
      // that is not there, and the filter answers without searching the skip list.
      cf.memtable_whole_key_filtering = true;
      cf.memtable_prefix_bloom_size_ratio = 0.02;
    }
    // Most keys arrive in ascending order within their first byte (kind byte, audit index,
    // commit sequence, time-ordered person ids): insert them next to the previous one
    // instead of searching the skip list from the top.
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf.compression = rocksdb::kLZ4Compression;
    cf.write_buffer_size = write_buffer;
    return cf;
  };
  const size_t big = std::max<size_t>(options_.write_buffer_bytes / 4, 4 << 20);
  const size_t small = std::max<size_t>(options_.write_buffer_bytes / 16, 2 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {keys::kMetaCf, cf_options(true, small)},
      {keys::kCurrentCf, cf_options(true, big)},
      {keys::kSnapshotsCf, cf_options(true, small)},
      {keys::kHistoryCf, cf_options(false, big)},
      {keys::kTimelineCf, cf_options(false, small)},
      {keys::kValidTimeCf, cf_options(false, small)},
      {keys::kSequenceCf, cf_options(false, small)},
      {keys::kRequestsCf, cf_options(true, small)},
      {keys::kPersonIndexCf, cf_options(true, small)},
      {keys::kAuditCf, cf_options(false, big)},
      {keys::kAuditNodesCf, cf_options(true, small)},
      {keys::kAccessIndexCf, cf_options(false, small)},
      {keys::kGovernanceCf, cf_options(true, small)},
      {keys::kReuseCf, cf_options(false, small)},
  };
  rocksdb::DBOptions db_opts(opts);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, options_.data_dir, cfs, &handles_, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening the store in ", options_.data_dir));
  db_.reset(raw);
  node_reader_ = std::make_unique<DbNodeReader>(db_.get(), handles_[kAuditNodes], handles_[kAudit]);

  std::string meta_bytes;
  s = db_->Get(rocksdb::ReadOptions(), handles_[kMeta], keys::kMetaKey, &meta_bytes);
  sv1::StoreMeta meta;
  if (s.ok()) {
    if (!meta.ParseFromString(meta_bytes)) return absl::DataLossError("store meta is unreadable");
    if (meta.format_version() > kFormatVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat("the store has format version ", meta.format_version(),
                       "; this build reads up to ", kFormatVersion));
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading store meta");
  }
  // A person index built with one key finds nobody with another: the store refuses a
  // key that is not its own rather than create every person again. (A store from before
  // the check has none; it is written with the next commit.)
  index_key_check_ = IndexKeyCheck();
  if (!meta.index_key_check().empty() && meta.index_key_check() != index_key_check_) {
    return WithReason(
        absl::FailedPreconditionError(
            "the index key is not the key this store's person index was built with; start "
            "with the key file of the store's first start (a backup keeps it beside the "
            "data: registryctl backup restore --index-key)"),
        "INDEX_KEY_MISMATCH");
  }
  next_sequence_ = meta.last_commit_sequence() + 1;
  last_time_us_ = meta.last_commit_time_us();
  {
    // A store written before format 4 keeps no low edge in its meta; its tree's edge then
    // comes from the low nodes it stored.
    const uint64_t size = meta.audit_size();
    if (meta.audit_low_frontier_size() == absl::popcount(size & kLowLevelsMask)) {
      std::vector<audit::Hash> hashes(meta.audit_low_frontier_size());
      for (size_t k = 0; k < hashes.size(); ++k) {
        const std::string& h = meta.audit_low_frontier(static_cast<int>(k));
        if (h.size() != sizeof(audit::Hash)) {
          return absl::DataLossError("store meta holds a malformed audit hash");
        }
        std::copy(h.begin(), h.end(), hashes[k].begin());
      }
      node_reader_->SetLowEdge(MakeLowEdge(size, hashes.data()));
    }
    ASSIGN_OR_RETURN(appender_, audit::MerkleAppender::Load(*node_reader_, size));
  }
  {
    absl::MutexLock lock(&state_mu_);
    last_sequence_ = meta.last_commit_sequence();
    audit_size_ = meta.audit_size();
    published_time_us_ = meta.last_commit_time_us();
  }

  for (v1::SubjectKind kind : {v1::ENTERPRISE, v1::PERSON}) {
    std::string bytes;
    s = db_->Get(rocksdb::ReadOptions(), handles_[kGovernance],
                 keys::Governance(kCatalogType, catalog::KindName(kind)), &bytes);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "reading a catalog");
    sv1::GovernanceObject obj;
    v1::Catalog proto;
    if (!obj.ParseFromString(bytes) || !proto.ParseFromString(obj.payload())) {
      return absl::DataLossError("a stored catalog is unreadable");
    }
    auto compiled = catalog::Catalog::Compile(proto);
    if (!compiled.ok()) return compiled.status();
    absl::MutexLock lock(&state_mu_);
    catalogs_[kind] = *std::move(compiled);
  }

  completer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "completer");
    CompleteLoop();
  });
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "writer");
    WriteLoop();
  });
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "committer");  // names it in top, perf and /proc
    CommitLoop();
  });
  return absl::OkStatus();
}

// ---------------------------------------------------------------- reads

absl::StatusOr<bool> RocksDbStoreImpl::ReadState(const rocksdb::ReadOptions& ro,
                                                 const std::string& key, sv1::RecordState* state,
                                                 std::string* bytes) {
  rocksdb::PinnableSlice pinned;
  rocksdb::Status s = db_->Get(ro, handles_[kCurrent], key, &pinned);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "reading a record");
  if (!state->ParseFromArray(pinned.data(), static_cast<int>(pinned.size()))) {
    return absl::DataLossError("a stored record is unreadable");
  }
  if (bytes != nullptr) bytes->assign(pinned.data(), pinned.size());
  return true;
}

absl::StatusOr<std::optional<sv1::RecordState>> RocksDbStoreImpl::LoadState(
    const rocksdb::ReadOptions& ro, const std::string& key) {
  std::optional<sv1::RecordState> state(std::in_place);
  ASSIGN_OR_RETURN(bool found, ReadState(ro, key, &*state));
  if (!found) state.reset();
  return state;
}

absl::StatusOr<sv1::RecordState> RocksDbStoreImpl::StateAtRevision(const rocksdb::ReadOptions& ro,
                                                                   const SubjectName& subject,
                                                                   int64_t revision) {
  rocksdb::PinnableSlice bytes;
  rocksdb::Status s =
      db_->Get(ro, handles_[kSnapshots], keys::SubjectRevision(subject, revision), &bytes);
  if (s.IsNotFound()) {
    // The current revision has no snapshot (a Bloom filter answers that miss).
    ASSIGN_OR_RETURN(auto current, LoadState(ro, keys::Subject(subject)));
    if (!current) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
    if (current->revision() == revision) return *std::move(current);
    return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no revision ", revision,
                                            "; it is at revision ", current->revision()));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading revision ", revision));
  sv1::RecordState state;
  if (!state.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("a stored revision is unreadable");
  }
  return state;
}

absl::StatusOr<v1::Record> RocksDbStoreImpl::GetRecord(const SubjectName& subject,
                                                       const AsOf& as_of,
                                                       const std::vector<std::string>& fields) {
  const std::string key = keys::Subject(subject);
  if (as_of.kind == AsOf::Kind::kCurrent) {
    ASSIGN_OR_RETURN(auto state, LoadState(rocksdb::ReadOptions(), key));
    if (!state) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
    return ToRecord(subject, *state);
  }
  // Several reads: one snapshot so that they agree with each other.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;

  switch (as_of.kind) {
    case AsOf::Kind::kRevision: {
      if (as_of.revision < 1) return absl::InvalidArgumentError("revisions start at 1");
      ASSIGN_OR_RETURN(auto state, StateAtRevision(ro, subject, as_of.revision));
      return ToRecord(subject, state);
    }
    case AsOf::Kind::kCommitTime: {
      // The newest revision committed at or before the time: one seek, then one get.
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kTimeline]));
      it->SeekForPrev(keys::Timeline(subject, as_of.commit_time_us, INT64_MAX));
      if (!it->status().ok()) return FromRocks(it->status(), "reading the timeline");
      if (it->Valid() && it->key().starts_with(key)) {
        const int64_t revision =
            keys::RevisionSuffix(absl::string_view(it->key().data(), it->key().size()));
        ASSIGN_OR_RETURN(auto state, StateAtRevision(ro, subject, revision));
        return ToRecord(subject, state);
      }
      // Since format 5 revision 1 has no timeline entry; it was committed at the record's
      // create time, which every later state keeps.
      ASSIGN_OR_RETURN(auto current, LoadState(ro, key));
      if (!current || current->create_time_us() > as_of.commit_time_us) {
        return absl::NotFoundError(absl::StrCat(subject.ToString(), " had no record at that time"));
      }
      if (current->revision() == 1) return ToRecord(subject, *current);
      ASSIGN_OR_RETURN(auto first, StateAtRevision(ro, subject, 1));
      return ToRecord(subject, first);
    }
    case AsOf::Kind::kValidTime: {
      ASSIGN_OR_RETURN(auto current, LoadState(ro, key));
      if (!current) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
      return ValidTimeView(ro, subject, *current, as_of.valid_day, fields);
    }
    default:
      return absl::InvalidArgumentError("unknown kind of read");
  }
}

absl::StatusOr<v1::Record> RocksDbStoreImpl::ValidTimeView(const rocksdb::ReadOptions& ro,
                                                           const SubjectName& subject,
                                                           const sv1::RecordState& current,
                                                           absl::CivilDay day,
                                                           const std::vector<std::string>& fields) {
  // Revision 1 writes no valid-time entries (most subjects never change, and bulk loads
  // stay lean); its values are read from its snapshot.
  sv1::RecordState first;
  if (current.revision() == 1) {
    first = current;
  } else {
    ASSIGN_OR_RETURN(first, StateAtRevision(ro, subject, 1));
  }
  absl::flat_hash_map<std::string, const v1::FieldValue*> first_by_field;
  for (const auto& f : first.fields()) first_by_field[f.field()] = &f;

  std::vector<std::string> wanted = fields;
  if (wanted.empty()) {
    for (const auto& f : current.fields()) wanted.push_back(f.field());
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  sv1::RecordState view;
  view.set_revision(current.revision());
  view.set_commit_sequence(current.commit_sequence());
  view.set_create_time_us(current.create_time_us());
  view.set_update_time_us(current.update_time_us());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kValidTime]));
  for (const std::string& field : wanted) {
    // Candidates: the newest indexed assertion valid on `day`, and revision 1's value.
    std::optional<v1::FieldValue> best;
    int64_t best_day = INT64_MIN, best_rev = 0;
    const std::string prefix = keys::ValidTimeFieldPrefix(subject, field);
    it->SeekForPrev(keys::ValidTime(subject, field, day, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix)) {
      sv1::Assertion a;
      if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("a valid-time entry is unreadable");
      }
      best_day = ToCivilDay(a.field().provenance().valid_from()) - absl::CivilDay(1970, 1, 1);
      best_rev = a.field().provenance().revision();
      best = a.field();
    } else if (!it->status().ok()) {
      return FromRocks(it->status(), "reading valid-time entries");
    }
    if (auto f = first_by_field.find(field); f != first_by_field.end()) {
      const v1::FieldValue& fv = *f->second;
      const v1::Provenance& prov = ProvenanceOf(first, fv);
      absl::CivilDay from = ToCivilDay(prov.valid_from());
      int64_t d = from - absl::CivilDay(1970, 1, 1);
      if (from <= day && (d > best_day || (d == best_day && prov.revision() > best_rev))) {
        best.emplace();
        ExpandField(first, fv, &*best);
      }
    }
    if (best && best->has_value()) *view.add_fields() = *std::move(best);
  }
  return ToRecord(subject, view);
}

absl::StatusOr<SubjectName> RocksDbStoreImpl::FindPerson(absl::string_view id_number) {
  std::string pid;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kPersonIndex],
                               options_.index_hash.Hash(id_number), &pid);
  if (s.IsNotFound()) return absl::NotFoundError("no person has that ID number");
  if (!s.ok()) return FromRocks(s, "reading the person index");
  return SubjectName{v1::PERSON, pid};
}

absl::StatusOr<std::vector<SubjectName>> RocksDbStoreImpl::ListSubjects(v1::SubjectKind kind,
                                                                        absl::string_view after_id,
                                                                        int limit) {
  std::vector<SubjectName> out;
  if (kind != v1::ENTERPRISE && kind != v1::PERSON) {
    return absl::InvalidArgumentError("list subjects of a kind: enterprise or person");
  }
  // Every subject key of a kind starts with its kind byte; "after" is exclusive.
  const std::string start = keys::Subject(SubjectName{kind, std::string(after_id)});
  const char kind_byte = start[0];
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kCurrent]));
  for (it->Seek(start); it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    if (key.empty() || key[0] != kind_byte) break;
    if (!after_id.empty() && key == start) continue;
    SubjectName subject;
    if (!keys::ParseSubject(&key, &subject)) {
      return absl::DataLossError("a stored subject key is unreadable");
    }
    out.push_back(std::move(subject));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing subjects");
  return out;
}

absl::StatusOr<HistoryPage> RocksDbStoreImpl::ListHistory(const SubjectName& subject,
                                                          const HistoryQuery& query) {
  const std::string prefix = keys::Subject(subject);
  rocksdb::ReadOptions ro;
  std::string lower = prefix;
  ro.iterate_lower_bound = nullptr;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kHistory]));
  if (query.before_revision > 0) {
    it->SeekForPrev(keys::SubjectRevision(subject, query.before_revision - 1));
  } else {
    it->SeekForPrev(keys::SubjectRevision(subject, INT64_MAX));
  }
  HistoryPage page;
  const int page_size = std::clamp(query.page_size, 1, 1000);
  int scanned = 0;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    v1::ChangeSet cs;
    if (!cs.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored change set is unreadable");
    }
    int64_t t = cs.commit_time().seconds() * 1000000 + cs.commit_time().nanos() / 1000;
    if (query.since_us != 0 && t < query.since_us) break;  // older ones are older still
    bool match = query.until_us == 0 || t <= query.until_us;
    if (match && !query.field.empty()) {
      match = std::any_of(cs.changes().begin(), cs.changes().end(),
                          [&](const v1::FieldChange& c) { return c.field() == query.field; });
    }
    const int64_t revision = cs.revision();  // cs may be moved into the page below
    if (match) {
      if (static_cast<int>(page.change_sets.size()) == page_size) {
        page.next_before_revision = revision + 1;
        return page;
      }
      page.change_sets.push_back(std::move(cs));
    }
    if (++scanned >= kMaxHistoryScan) {
      page.next_before_revision = revision;
      return page;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return page;
}

absl::StatusOr<std::vector<v1::ChangeSet>> RocksDbStoreImpl::ReadChangesAfter(
    int64_t after_sequence, int limit) {
  std::vector<v1::ChangeSet> out;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSequence]));
  absl::Status status;
  // A caller's position past every sequence there can be reads nothing (and does not wrap).
  const int64_t from = after_sequence < INT64_MAX ? after_sequence + 1 : INT64_MAX;
  for (it->Seek(keys::Sequence(from)); it->Valid() && static_cast<int>(out.size()) < limit;
       it->Next()) {
    sv1::SequenceEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      status = absl::DataLossError("a sequence entry is unreadable");
      break;
    }
    auto subject = catalog::ParseSubjectName(e.subject());
    if (!subject.ok()) {
      status = absl::DataLossError("a sequence entry names no subject");
      break;
    }
    rocksdb::PinnableSlice bytes;
    rocksdb::Status s =
        db_->Get(ro, handles_[kHistory], keys::SubjectRevision(*subject, e.revision()), &bytes);
    if (!s.ok()) {
      status = FromRocks(s, "reading a change set");
      break;
    }
    v1::ChangeSet& cs = out.emplace_back();
    if (!cs.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      status = absl::DataLossError("a stored change set is unreadable");
      break;
    }
  }
  if (status.ok() && !it->status().ok()) status = FromRocks(it->status(), "reading sequence");
  it.reset();
  db_->ReleaseSnapshot(snap);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::shared_ptr<const catalog::Catalog>> RocksDbStoreImpl::GetCatalog(
    v1::SubjectKind kind) {
  absl::MutexLock lock(&state_mu_);
  auto it = catalogs_.find(kind);
  if (it == catalogs_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no ", catalog::KindName(kind), " catalog has been applied"));
  }
  return it->second;
}

absl::StatusOr<v1::AuditEntry> RocksDbStoreImpl::ReadAuditEntry(uint64_t index) {
  std::string bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kAudit], keys::AuditIndex(index), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no audit entry ", index));
  if (!s.ok()) return FromRocks(s, "reading the audit log");
  v1::AuditEntry e;
  const absl::string_view entry = DecodeAuditValue(bytes).entry;
  if (!e.ParseFromArray(entry.data(), static_cast<int>(entry.size()))) {
    return absl::DataLossError("an audit entry is unreadable");
  }
  return e;
}

absl::StatusOr<std::vector<Store::RawAuditEntry>> RocksDbStoreImpl::ReadAuditEntries(uint64_t start,
                                                                                     int limit,
                                                                                     bool reverse) {
  std::vector<RawAuditEntry> out;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kAudit]));
  absl::Status status;
  if (reverse) {
    if (start == 0) {
      it.reset();
      db_->ReleaseSnapshot(snap);
      return out;
    }
    it->SeekForPrev(keys::AuditIndex(start - 1));
  } else {
    it->Seek(keys::AuditIndex(start));
  }
  for (; it->Valid() && static_cast<int>(out.size()) < limit; reverse ? it->Prev() : it->Next()) {
    RawAuditEntry e;
    absl::string_view key(it->key().data(), it->key().size());
    uint64_t index = 0;
    if (key.size() != 8 || !GetFixed64BE(&key, &index)) {
      status = absl::DataLossError("an audit key is malformed");
      break;
    }
    e.index = index;
    const AuditValue value =
        DecodeAuditValue(absl::string_view(it->value().data(), it->value().size()));
    e.bytes = std::string(value.entry);
    e.stored_leaf_hash = std::string(value.leaf_hash);
    if (e.stored_leaf_hash.empty()) {  // written before format 4: the leaf is a stored node
      rocksdb::Status s =
          db_->Get(ro, handles_[kAuditNodes], keys::AuditNode(0, index), &e.stored_leaf_hash);
      if (!s.ok() && !s.IsNotFound()) {
        status = FromRocks(s, "reading audit nodes");
        break;
      }
    }
    v1::AuditEntry parsed;
    if (parsed.ParseFromString(e.bytes) && parsed.has_change()) {
      auto subject = catalog::ParseSubjectName(parsed.change().subject());
      std::string cs;
      if (subject.ok() && db_->Get(ro, handles_[kHistory],
                                   keys::SubjectRevision(*subject, parsed.change().revision()), &cs)
                              .ok()) {
        e.stored_change_set_sha256 = Sha256(cs);
      }
    }
    out.push_back(std::move(e));
  }
  if (status.ok() && !it->status().ok()) status = FromRocks(it->status(), "reading the audit log");
  it.reset();
  db_->ReleaseSnapshot(snap);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::pair<std::vector<uint64_t>, std::string>> RocksDbStoreImpl::ListAccessEvents(
    const SubjectName& subject, const std::string& before_key, int limit) {
  const std::string prefix = keys::Subject(subject);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAccessIndex]));
  if (before_key.empty()) {
    it->SeekForPrev(keys::PrefixSuccessor(prefix));
    if (it->Valid() && it->key() == keys::PrefixSuccessor(prefix)) it->Prev();
  } else {
    if (before_key.compare(0, prefix.size(), prefix) != 0) {
      return absl::InvalidArgumentError("the page token belongs to another subject");
    }
    it->SeekForPrev(before_key);
    if (it->Valid() && it->key() == before_key) it->Prev();
  }
  std::vector<uint64_t> indexes;
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (static_cast<int>(indexes.size()) == limit) return std::make_pair(indexes, last);
    last = it->key().ToString();
    indexes.push_back(keys::AccessIndexAuditIndex(absl::string_view(last)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading access events");
  return std::make_pair(indexes, std::string());
}

// ---------------------------------------------------------------- writes

void RocksDbStoreImpl::Write(WriteRequest request, WriteCallback done) {
  WriteOp op;
  auto cat = GetCatalog(request.subject ? request.subject->kind : request.kind);
  if (!cat.ok()) {
    done(WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG"), {});
    return;
  }
  if (!request.subject && request.kind != v1::PERSON) {
    done(absl::InvalidArgumentError("a write names its subject (only a person may be found by "
                                    "ID number)"),
         {});
    return;
  }
  // Value checks need no stored state: run them here, on the caller's thread.
  CheckRequestValues(**cat, Today(NowMicros()), &request, &op.violations);
  op.catalog_version = (*cat)->version();
  if (!op.violations.empty()) {
    absl::Status st = catalog::ViolationsToStatus(op.violations, "the write");
    done(st, std::move(op.violations));
    return;
  }
  if (!request.subject) {
    const std::string& lookup = (*cat)->proto().lookup_field();
    for (const auto& c : request.changes) {
      if (c.field == lookup && c.value) {
        op.lookup_value = c.value->string_value();
        op.lookup_hash = options_.index_hash.Hash(op.lookup_value);
      }
    }
    if (op.lookup_hash.empty()) {
      done(absl::InvalidArgumentError(absl::StrCat("a write without a person's name must give ",
                                                   lookup, " to find the person")),
           {{lookup, "REQUIRED", "needed to find or create the person"}});
      return;
    }
  }
  if (request.request_id.size() > 128) {
    done(absl::InvalidArgumentError("a request id is at most 128 characters"),
         {{"request_id", "LENGTH", "at most 128 characters"}});
    return;
  }
  if (!request.request_id.empty()) op.digest = RequestDigest(request);
  op.request = std::move(request);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::RecordAccess(AccessRecord access, std::function<void(absl::Status)> done) {
  AccessOp op;
  op.access = std::move(access);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::ApplyCatalogAsync(
    v1::Catalog proto, const std::string& principal, bool dry_run,
    std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done) {
  catalog::Violations v;
  proto.clear_version();
  proto.clear_update_time();
  proto.clear_etag();
  auto compiled = catalog::Catalog::Compile(proto, &v);
  if (!compiled.ok()) return done(compiled.status(), std::move(v));
  auto existing = GetCatalog(proto.kind());
  if (existing.ok()) {
    (*compiled)->CheckEvolutionFrom(**existing, &v);
    if (!v.empty()) {
      absl::Status st = catalog::ViolationsToStatus(v, "the catalog change");
      return done(st, std::move(v));
    }
    v1::Catalog old = (*existing)->proto();
    old.clear_version();
    old.clear_update_time();
    old.clear_etag();
    if (old.SerializeAsString() == (*compiled)->proto().SerializeAsString()) {
      return done((*existing)->proto(), {});  // identical: not a new version
    }
  }
  if (dry_run) {
    v1::Catalog out = (*compiled)->proto();
    out.set_version(existing.ok() ? (*existing)->version() + 1 : 1);
    return done(out, {});
  }
  CatalogOp op;
  op.catalog = (*compiled)->proto();
  op.principal = principal;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void RocksDbStoreImpl::Enqueue(Op op) {
  absl::Status refused;
  {
    absl::MutexLock lock(&state_mu_);
    refused = failed_;
  }
  if (refused.ok()) {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(op));
      return;
    }
    refused = absl::UnavailableError("the store is shutting down");
  }
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, WriteOp> || std::is_same_v<T, CatalogOp>) {
          o.done(refused, {});
        } else {
          o.done(refused);
        }
      },
      op);
}

void RocksDbStoreImpl::CommitLoop() {
  std::unique_ptr<Group> previous;  // handed to the writer, perhaps still being written
  for (;;) {
    auto g = std::make_unique<Group>();
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->queue_mu_) {
            return s->stopping_ || !s->queue_.empty();
          },
          this));
      if (queue_.empty()) break;  // stopping and drained
      size_t n = std::min<size_t>(queue_.size(), options_.max_group_size);
      g->ops.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        g->ops.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    absl::Status refused = Health();
    if (refused.ok()) {
      g->earlier = previous.get();
      PrepareGroup(*g);
    }
    // Where the counters go back to if this group cannot be written.
    const Group* restore = refused.ok() ? g.get() : nullptr;
    if (previous != nullptr) {
      if (!AwaitWritten(*previous).ok()) restore = previous.get();  // g was built on it
    }
    if (refused.ok()) refused = Health();
    if (!refused.ok()) {
      // Nothing of the group is acknowledged. The store stops taking writes: its in-memory
      // counters may no longer match the disk, and failing loudly beats guessing.
      if (restore != nullptr) {
        next_sequence_ = restore->first_sequence;
        appender_ = restore->appender_before;
        last_time_us_ = restore->time_before_us;
      }
      previous.reset();
      FailGroup(*g, refused);
      PostCompletions(std::move(g->ops));
      continue;
    }
    previous.reset();
    g->earlier = nullptr;
    HandToWriter(g.get());
    previous = std::move(g);
  }
  if (previous != nullptr) AwaitWritten(*previous).IgnoreError();  // its callbacks are posted
}

void RocksDbStoreImpl::HandToWriter(Group* g) {
  absl::MutexLock lock(&writer_mu_);
  to_write_ = g;  // the slot is free: the committer waited for the previous group
}

absl::Status RocksDbStoreImpl::AwaitWritten(const Group& g) {
  absl::MutexLock lock(&writer_mu_);
  writer_mu_.Await(absl::Condition(
      +[](const Group* x) { return x->written; }, &g));
  return g.write_status;
}

void RocksDbStoreImpl::WriteLoop() {
  for (;;) {
    Group* g = nullptr;
    {
      absl::MutexLock lock(&writer_mu_);
      writer_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->writer_mu_) {
            return s->writer_stopping_ || s->to_write_ != nullptr;
          },
          this));
      if (to_write_ == nullptr) return;  // stopping, and the committer has nothing left
      g = std::exchange(to_write_, nullptr);
    }
    absl::Status written;
    if (g->batch.Count() > 0) {
      rocksdb::WriteOptions wo;
      wo.sync = options_.sync;
      written = FromRocks(db_->Write(wo, &g->batch), "committing");
      // The writes of the failing group carry the same reason as every later one.
      if (!written.ok()) written = WithReason(std::move(written), "STORE_FAILED");
    }
    if (written.ok()) {
      {
        absl::MutexLock lock(&state_mu_);
        last_sequence_ = g->last_sequence;
        audit_size_ = g->audit_size;
        published_time_us_ = g->time_after_us;
        if (g->batch.Count() > 0) node_reader_->SetLowEdge(std::move(g->low_edge));
        for (auto& [kind, cat] : g->catalogs) catalogs_[kind] = cat;
      }
      if (g->batch.Count() > 0) {
        absl::MutexLock lock(&listeners_mu_);
        for (auto& [id, listener] : listeners_) listener(g->last_sequence);
      }
    } else {
      {
        absl::MutexLock lock(&state_mu_);
        failed_ = WithReason(
            absl::UnavailableError(absl::StrCat(
                "the store failed a write and takes no more until restarted: ", written.message())),
            "STORE_FAILED");
      }
      FailGroup(*g, written);
    }
    PostCompletions(std::move(g->ops));
    absl::MutexLock lock(&writer_mu_);
    g->write_status = written;
    g->written = true;  // the committer may free g from here on
  }
}

void RocksDbStoreImpl::FailGroup(Group& g, const absl::Status& status) {
  for (Op& op : g.ops) {
    std::visit(
        [&](auto& o) {
          if (o.result.ok()) o.result = status;
        },
        op);
  }
}

std::shared_ptr<const catalog::Catalog> RocksDbStoreImpl::LatestCatalog(const Group& g,
                                                                        v1::SubjectKind kind) {
  std::shared_ptr<const catalog::Catalog> cat;
  {
    absl::MutexLock lock(&state_mu_);
    auto it = catalogs_.find(kind);
    if (it != catalogs_.end()) cat = it->second;
  }
  for (const Group* x : {g.earlier, &g}) {
    if (x == nullptr) continue;
    for (const auto& [k, c] : x->catalogs) {
      if (k == kind) cat = c;
    }
  }
  return cat;
}

void RocksDbStoreImpl::PostCompletions(std::vector<Op> ops) {
  absl::MutexLock lock(&done_mu_);
  done_.push_back(std::move(ops));
}

void RocksDbStoreImpl::CompleteLoop() {
  for (;;) {
    std::deque<std::vector<Op>> batches;
    {
      absl::MutexLock lock(&done_mu_);
      done_mu_.Await(absl::Condition(
          +[](RocksDbStoreImpl* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->done_mu_) {
            return s->done_stopping_ || !s->done_.empty();
          },
          this));
      if (done_.empty()) return;  // stopping and drained
      batches.swap(done_);
    }
    for (auto& ops : batches) {
      for (Op& op : ops) {
        std::visit(
            [&](auto& o) {
              using T = std::decay_t<decltype(o)>;
              if constexpr (std::is_same_v<T, WriteOp> || std::is_same_v<T, CatalogOp>) {
                o.done(std::move(o.result), std::move(o.violations));
              } else {
                o.done(std::move(o.result));
              }
            },
            op);
      }
    }
  }
}

int64_t RocksDbStoreImpl::NextCommitTime() {
  // Strictly increasing, so that commit time orders change sets as the sequence does even
  // if the wall clock steps back.
  last_time_us_ = std::max(NowMicros(), last_time_us_ + 1);
  return last_time_us_;
}

void RocksDbStoreImpl::AppendAudit(Group& g, v1::AuditEntry entry) {
  if (options_.benchmark_without_audit_log) return;
  entry.set_format_version(1);
  entry.set_index(appender_.size());
  if (!entry.has_time()) *entry.mutable_time() = MicrosToTimestamp(last_time_us_);
  std::string bytes;
  entry.SerializeToString(&bytes);
  std::vector<audit::NodeWrite> nodes;
  const audit::Hash leaf = audit::LeafHash(bytes);
  appender_.Append(leaf, &nodes);
  g.batch.Put(handles_[kAudit], keys::AuditIndex(entry.index()), EncodeAuditValue(leaf, bytes));
  for (const auto& n : nodes) {
    if (n.level < kLowestStoredAuditLevel) continue;
    g.batch.Put(handles_[kAuditNodes], keys::AuditNode(n.level, n.index),
                rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
  }
}

void RocksDbStoreImpl::PrepareGroup(Group& g) {
  g.first_sequence = next_sequence_;
  g.appender_before = appender_;
  g.time_before_us = last_time_us_;
  for (Op& op : g.ops) {
    std::visit(
        [&](auto& o) {
          using T = std::decay_t<decltype(o)>;
          // Every Apply* checks everything before it assigns a sequence, appends to the audit
          // log or puts anything, so a failed operation only needs its puts rolled back (and
          // has none in practice); the Merkle frontier is never copied per operation.
          g.batch.SetSavePoint();
          if constexpr (std::is_same_v<T, WriteOp>) {
            ApplyWrite(g, o);
            if (!o.result.ok()) g.batch.RollbackToSavePoint();
          } else if constexpr (std::is_same_v<T, AccessOp>) {
            ApplyAccess(g, o);
          } else if constexpr (std::is_same_v<T, ReuseOp>) {
            sv1::ReuseEvent e;
            e.set_forms_served(static_cast<int32_t>(o.counts.forms_served));
            e.set_fields_requested(static_cast<int32_t>(o.counts.fields_requested));
            e.set_fields_prefilled(static_cast<int32_t>(o.counts.fields_prefilled));
            e.set_fields_collected(static_cast<int32_t>(o.counts.fields_collected));
            g.batch.Put(handles_[kReuse], keys::Reuse(o.form, NextCommitTime()),
                        e.SerializeAsString());
          } else if constexpr (std::is_same_v<T, ObjectOp>) {
            ApplyObjectOp(g, o);
            if (!o.result.ok()) g.batch.RollbackToSavePoint();
          } else {
            ApplyCatalogOp(g, o);
            if (!o.result.ok()) g.batch.RollbackToSavePoint();
          }
        },
        op);
  }
  g.last_sequence = next_sequence_ - 1;
  g.audit_size = appender_.size();
  g.time_after_us = last_time_us_;
  if (g.batch.Count() > 0) {
    sv1::StoreMeta meta;
    meta.set_last_commit_sequence(g.last_sequence);
    meta.set_last_commit_time_us(last_time_us_);
    meta.set_audit_size(appender_.size());
    meta.set_format_version(kFormatVersion);
    meta.set_index_key_check(index_key_check_);
    g.low_edge = LowEdgeOf(appender_);
    for (const auto& n : g.low_edge) {
      meta.add_audit_low_frontier(reinterpret_cast<const char*>(n.hash.data()), n.hash.size());
    }
    g.batch.Put(handles_[kMeta], keys::kMetaKey, meta.SerializeAsString());
  }
}

void RocksDbStoreImpl::ApplyWrite(Group& g, WriteOp& op) {
  WriteRequest& req = op.request;
  auto fail = [&op](absl::Status s) { op.result = std::move(s); };

  std::shared_ptr<const catalog::Catalog> cat =
      LatestCatalog(g, req.subject ? req.subject->kind : req.kind);
  if (!cat) return fail(absl::FailedPreconditionError("no catalog for this kind of subject"));

  // Find the subject; a person given by ID number may be new.
  bool new_person = false;
  if (!req.subject) {
    std::string pid;
    if (const std::string* found = g.Find(&Group::person_index, op.lookup_hash)) {
      pid = *found;
    } else {
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_[kPersonIndex], op.lookup_hash, &pid);
      if (!s.ok() && !s.IsNotFound()) return fail(FromRocks(s, "reading the person index"));
    }
    if (pid.empty()) {
      pid = options_.new_person_id ? options_.new_person_id() : NewPersonId(NowMicros());
      new_person = true;
    }
    req.subject = SubjectName{v1::PERSON, pid};
  }
  const SubjectName& subject = *req.subject;
  const std::string key = keys::Subject(subject);

  // Idempotency: a request id seen before returns the first outcome.
  std::string request_key;
  if (!req.request_id.empty()) {
    request_key = keys::Request(req.principal, req.request_id);
    std::optional<sv1::RequestOutcome> seen;
    if (const sv1::RequestOutcome* found = g.Find(&Group::requests, request_key)) {
      seen = *found;
    } else {
      std::string bytes;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_[kRequests], request_key, &bytes);
      if (s.ok()) {
        seen.emplace();
        if (!seen->ParseFromString(bytes)) return fail(absl::DataLossError("bad request record"));
      } else if (!s.IsNotFound()) {
        return fail(FromRocks(s, "reading request ids"));
      }
    }
    if (seen) {
      if (seen->request_digest() != op.digest) {
        return fail(WithReason(
            absl::FailedPreconditionError(absl::StrCat(
                "request id '", req.request_id.substr(0, 64),
                "' was already used for a different request; use a new id for a new request")),
            "REQUEST_ID_REUSED"));
      }
      auto replay_subject = catalog::ParseSubjectName(seen->subject());
      if (!replay_subject.ok()) return fail(absl::DataLossError("bad request record"));
      WriteResult r;
      r.replayed = true;
      // The outcome's revision as it was committed. It may not be on disk yet: it is this
      // group's or the earlier group's latest state, or one of them superseded it.
      const int64_t revision = seen->revision();
      const std::string* bytes = g.Find(&Group::states, keys::Subject(*replay_subject));
      sv1::RecordState state;
      if (bytes != nullptr && !state.ParseFromString(*bytes)) {
        return fail(absl::InternalError("a state of this commit group is unreadable"));
      }
      if (bytes == nullptr || state.revision() != revision) {
        bytes = g.Find(&Group::superseded, keys::SubjectRevision(*replay_subject, revision));
        if (bytes != nullptr && !state.ParseFromString(*bytes)) {
          return fail(absl::InternalError("a state of this commit group is unreadable"));
        }
      }
      if (bytes != nullptr) {
        r.record = ToRecord(*replay_subject, state);  // not yet written
      } else {
        auto rec = GetRecord(*replay_subject, AsOf::Revision(revision), {});
        if (!rec.ok()) return fail(rec.status());
        r.record = *std::move(rec);
      }
      op.result = std::move(r);
      return;
    }
  }

  // The current state, as this group has left it, parsed into a committer-owned message
  // reused from write to write; its bytes become the superseded revision's snapshot.
  const sv1::RecordState* current = nullptr;
  const std::string* current_bytes = nullptr;
  if (const std::string* bytes = g.Find(&Group::states, key)) {
    if (!current_scratch_.ParseFromString(*bytes)) {
      return fail(absl::InternalError("a state of this commit group is unreadable"));
    }
    current = &current_scratch_;
    current_bytes = bytes;
  } else if (!new_person) {
    auto found = ReadState(rocksdb::ReadOptions(), key, &current_scratch_, &current_bytes_scratch_);
    if (!found.ok()) return fail(found.status());
    if (*found) {
      current = &current_scratch_;
      current_bytes = &current_bytes_scratch_;
    }
  }

  const int64_t current_revision = current ? current->revision() : 0;
  if (req.expected_revision && *req.expected_revision != current_revision) {
    return fail(WithReason(
        absl::AbortedError(
            current_revision == 0
                ? absl::StrCat(subject.ToString(), " does not exist; the write expected revision ",
                               *req.expected_revision)
                : absl::StrCat(subject.ToString(), " is at revision ", current_revision,
                               "; the write expected ", *req.expected_revision,
                               ". Read it again and reapply the change.")),
        "REVISION_MISMATCH"));
  }
  if (req.expected_etag &&
      (!current || *req.expected_etag != Etag(current->revision(), current->commit_sequence()))) {
    return fail(WithReason(
        absl::AbortedError(absl::StrCat(
            "the etag does not match ", subject.ToString(),
            current ? absl::StrCat(" at revision ", current_revision) : std::string(" (no record)"),
            "; read it again and reapply the change")),
        "ETAG_MISMATCH"));
  }

  // The catalog may have changed since the values were checked.
  if (cat->version() != op.catalog_version) {
    catalog::Violations v;
    const int64_t now = last_time_us_ + 1;
    CheckRequestValues(*cat, Today(now), &req, &v);
    if (!v.empty()) {
      op.violations = std::move(v);
      return fail(catalog::ViolationsToStatus(op.violations, "the write"));
    }
  }

  const int64_t commit_time = NextCommitTime();
  const int64_t revision = current_revision + 1;
  BuiltChange& built = built_scratch_;
  absl::Status st = BuildChange(*cat, current, req, Today(commit_time), commit_time, revision,
                                &built, &op.violations);
  if (!st.ok()) return fail(st);
  if (built.unchanged) {
    WriteResult r;
    r.unchanged = true;
    r.record = ToRecord(subject, *current, req.return_values);
    op.result = std::move(r);
    return;
  }

  // A person just created from the ID number it was looked up by: that lookup found no
  // owner, and its hash is the one to index.
  const bool indexed_as_looked_up = new_person && built.new_lookup == op.lookup_value;
  std::string new_lookup_hash;
  if (built.lookup_changed && !built.new_lookup.empty()) {
    new_lookup_hash =
        indexed_as_looked_up ? op.lookup_hash : options_.index_hash.Hash(built.new_lookup);
  }
  if (!new_lookup_hash.empty() && !indexed_as_looked_up) {
    const std::string& h = new_lookup_hash;
    std::string owner;
    if (const std::string* found = g.Find(&Group::person_index, h)) {
      owner = *found;
    } else {
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kPersonIndex], h, &owner);
      if (!s.ok() && !s.IsNotFound()) return fail(FromRocks(s, "reading the person index"));
    }
    if (!owner.empty() && owner != subject.id) {
      op.violations.push_back({cat->proto().lookup_field(), "ID_NUMBER_IN_USE",
                               "another person already has this ID number"});
      return fail(WithReason(
          absl::FailedPreconditionError(
              "the ID number already belongs to another person's file; correct that file first"),
          "ID_NUMBER_IN_USE"));
    }
  }

  const int64_t sequence = next_sequence_++;
  built.next.set_commit_sequence(sequence);
  v1::ChangeSet& cs = built.change_set;
  cs.set_subject(subject.ToString());
  cs.set_name(absl::StrCat(subject.ToString(), "/revisions/", revision));
  cs.set_commit_sequence(sequence);

  std::string cs_bytes = cs.SerializeAsString();
  std::string state_bytes = built.next.SerializeAsString();
  g.batch.Put(handles_[kCurrent], key, state_bytes);
  // The state this write supersedes becomes a snapshot; the new one lives in `current` only,
  // so a subject that never changes (most of a bulk load) is stored once.
  if (current) {
    std::string snapshot_key = keys::SubjectRevision(subject, current_revision);
    g.batch.Put(handles_[kSnapshots], snapshot_key, *current_bytes);
    g.superseded[std::move(snapshot_key)] = *current_bytes;
    // Revision 1 needs no timeline entry: the state's create time is its commit time.
    g.batch.Put(handles_[kTimeline], keys::Timeline(subject, commit_time, revision), "");
    // Revision 1's values are read from its snapshot; later ones are indexed by valid time.
    for (const auto& a : built.assertions) {
      sv1::Assertion entry;
      *entry.mutable_field() = a;
      entry.set_cleared(!a.has_value());
      g.batch.Put(
          handles_[kValidTime],
          keys::ValidTime(subject, a.field(), ToCivilDay(a.provenance().valid_from()), revision),
          entry.SerializeAsString());
    }
  }
  g.batch.Put(handles_[kHistory], keys::SubjectRevision(subject, revision), cs_bytes);
  sv1::SequenceEntry se;
  se.set_subject(subject.ToString());
  se.set_revision(revision);
  g.batch.Put(handles_[kSequence], keys::Sequence(sequence), se.SerializeAsString());
  if (built.lookup_changed) {
    if (!built.old_lookup.empty()) {
      const std::string h = options_.index_hash.Hash(built.old_lookup);
      g.batch.Delete(handles_[kPersonIndex], h);
      g.person_index[h] = "";
    }
    if (!built.new_lookup.empty()) {
      g.batch.Put(handles_[kPersonIndex], new_lookup_hash, subject.id);
      g.person_index[new_lookup_hash] = subject.id;
    }
  }
  if (!request_key.empty()) {
    sv1::RequestOutcome outcome;
    outcome.set_subject(subject.ToString());
    outcome.set_revision(revision);
    outcome.set_commit_sequence(sequence);
    outcome.set_request_digest(op.digest);
    outcome.set_commit_time_us(commit_time);
    g.batch.Put(handles_[kRequests], request_key, outcome.SerializeAsString());
    g.requests[request_key] = outcome;
  }

  v1::AuditEntry entry;
  *entry.mutable_time() = cs.commit_time();
  entry.set_principal(req.principal);
  entry.set_request_id(req.request_id);
  auto* ev = entry.mutable_change();
  ev->set_subject(cs.subject());
  ev->set_revision(revision);
  ev->set_commit_sequence(sequence);
  for (const auto& c : cs.changes()) ev->add_fields(c.field());
  ev->set_source(cs.source());
  ev->set_matter(cs.matter());
  ev->set_reason(cs.reason());
  ev->set_change_set_sha256(Sha256(cs_bytes));
  AppendAudit(g, std::move(entry));

  WriteResult r;
  r.record = ToRecord(subject, built.next, req.return_values);
  if (req.return_values) r.change_set = std::move(cs);
  g.states[key] = std::move(state_bytes);
  op.result = std::move(r);
}

void RocksDbStoreImpl::ApplyAccess(Group& g, AccessOp& op) {
  auto subject = catalog::ParseSubjectName(op.access.event.subject());
  if (!subject.ok()) {
    op.result = subject.status();
    return;
  }
  v1::AuditEntry entry;
  const int64_t t = NextCommitTime();
  *entry.mutable_time() = MicrosToTimestamp(t);
  entry.set_principal(op.access.principal);
  entry.set_request_id(op.access.request_id);
  *entry.mutable_access() = op.access.event;
  const uint64_t index = appender_.size();
  AppendAudit(g, std::move(entry));
  g.batch.Put(handles_[kAccessIndex], keys::AccessIndex(*subject, t, index), "");
  op.result = absl::OkStatus();
}

void RocksDbStoreImpl::ApplyCatalogOp(Group& g, CatalogOp& op) {
  const auto latest = LatestCatalog(g, op.catalog.kind());
  if (latest) {
    v1::Catalog same = latest->proto();
    same.clear_version();
    same.clear_update_time();
    same.clear_etag();
    if (same.SerializeAsString() == op.catalog.SerializeAsString()) {
      op.result = latest->proto();  // identical to the one just applied: not a new version
      return;
    }
  }
  const int64_t version = latest ? latest->version() + 1 : 1;
  const int64_t t = NextCommitTime();
  op.catalog.set_version(version);
  *op.catalog.mutable_update_time() = MicrosToTimestamp(t);
  op.catalog.set_etag(absl::StrCat(version));
  auto compiled = catalog::Catalog::Compile(op.catalog);
  if (!compiled.ok()) {
    op.result = compiled.status();
    return;
  }
  if (latest) {
    // Checked when queued against the published catalog; another apply queued or being
    // written since then is checked here, or it could drop or retype that one's fields.
    (*compiled)->CheckEvolutionFrom(*latest, &op.violations);
    if (!op.violations.empty()) {
      op.result = catalog::ViolationsToStatus(op.violations, "the catalog change");
      return;
    }
  }
  sv1::GovernanceObject obj;
  obj.set_version(version);
  obj.set_update_time_us(t);
  obj.set_payload(op.catalog.SerializeAsString());
  const std::string bytes = obj.SerializeAsString();
  const absl::string_view kind_name = catalog::KindName(op.catalog.kind());
  g.batch.Put(handles_[kGovernance], keys::Governance(kCatalogType, kind_name), bytes);
  g.batch.Put(handles_[kGovernance], keys::GovernanceVersion(kCatalogType, kind_name, version),
              bytes);
  v1::AuditEntry entry;
  *entry.mutable_time() = op.catalog.update_time();
  entry.set_principal(op.principal);
  auto* ev = entry.mutable_governance();
  ev->set_resource(op.catalog.name());
  ev->set_version(version);
  ev->set_action("APPLY");
  ev->set_object_sha256(Sha256(bytes));
  AppendAudit(g, std::move(entry));
  g.catalogs.emplace_back(op.catalog.kind(), *compiled);
  op.result = op.catalog;
}

void RocksDbStoreImpl::ApplyObjectOp(Group& g, ObjectOp& op) {
  const std::string key = keys::Governance(op.type, op.name);
  int64_t version = 1;
  std::string bytes;
  if (const std::string* found = g.Find(&Group::objects, key)) {
    bytes = *found;
  } else {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kGovernance], key, &bytes);
    if (!s.ok() && !s.IsNotFound()) {
      op.result = FromRocks(s, "reading a governance object");
      return;
    }
  }
  if (!bytes.empty()) {
    sv1::GovernanceObject old;
    if (!old.ParseFromString(bytes)) {
      op.result = absl::DataLossError("a stored governance object is unreadable");
      return;
    }
    if (old.payload() == op.payload) {
      op.result = StoredObject{op.name, old.version(), old.update_time_us(), old.payload()};
      return;  // identical: not a new version
    }
    version = old.version() + 1;
  }
  const int64_t t = NextCommitTime();
  sv1::GovernanceObject obj;
  obj.set_version(version);
  obj.set_update_time_us(t);
  obj.set_payload(op.payload);
  const std::string value = obj.SerializeAsString();
  g.batch.Put(handles_[kGovernance], key, value);
  g.batch.Put(handles_[kGovernance], keys::GovernanceVersion(op.type, op.name, version), value);
  g.objects[key] = value;
  v1::AuditEntry entry;
  *entry.mutable_time() = MicrosToTimestamp(t);
  entry.set_principal(op.principal);
  auto* ev = entry.mutable_governance();
  ev->set_resource(op.name);
  ev->set_version(version);
  ev->set_action("APPLY");
  ev->set_object_sha256(Sha256(value));
  AppendAudit(g, std::move(entry));
  op.result = StoredObject{op.name, version, t, op.payload};
}

void RocksDbStoreImpl::AddReuseAsync(const std::string& form, const ReuseCounts& counts,
                                     std::function<void(absl::Status)> done) {
  ReuseOp op;
  op.form = form;
  op.counts = counts;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

absl::StatusOr<Store::ReuseCounts> RocksDbStoreImpl::SumReuse(const std::string& form,
                                                              int64_t since_us, int64_t until_us) {
  ReuseCounts sum;
  const std::string prefix = keys::Reuse(form, 0).substr(0, form.size() + 1);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kReuse]));
  for (it->Seek(keys::Reuse(form, since_us == 0 ? INT64_MIN : since_us));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (until_us != 0 && it->key().compare(keys::Reuse(form, until_us)) > 0) break;
    sv1::ReuseEvent e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a reuse entry is unreadable");
    }
    sum.forms_served += e.forms_served();
    sum.fields_requested += e.fields_requested();
    sum.fields_prefilled += e.fields_prefilled();
    sum.fields_collected += e.fields_collected();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the reuse ledger");
  return sum;
}

absl::StatusOr<BackupInfo> RocksDbStoreImpl::CreateBackup(const std::string& directory) {
  rocksdb::BackupEngineOptions opts(directory);
  opts.share_files_with_checksum = true;
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), opts, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening backup directory ", directory));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // The meta record and the audit log are captured with everything else: the backup is one
  // consistent point (flush, then the live files).
  StoreStats stats = Stats();
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(create, db_.get(), &id);
  if (!s.ok()) return FromRocks(s, "creating a backup");
  s = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return FromRocks(s, "verifying the new backup");
  rocksdb::BackupInfo info;
  s = engine->GetBackupInfo(id, &info);
  if (!s.ok()) return FromRocks(s, "reading backup info");
  BackupInfo out;
  out.backup_id = id;
  out.size_bytes = info.size;
  out.files = info.number_files;
  out.last_commit_sequence = stats.last_commit_sequence;
  out.audit_size = stats.audit_size;
  return out;
}

void RocksDbStoreImpl::PutObjectAsync(const std::string& type, const std::string& name,
                                      std::string payload, const std::string& principal,
                                      std::function<void(absl::StatusOr<StoredObject>)> done) {
  ObjectOp op;
  op.type = type;
  op.name = name;
  op.payload = std::move(payload);
  op.principal = principal;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

absl::StatusOr<StoredObject> RocksDbStoreImpl::GetObject(const std::string& type,
                                                         const std::string& name) {
  std::string bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kGovernance], keys::Governance(type, name), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  if (!s.ok()) return FromRocks(s, "reading a governance object");
  sv1::GovernanceObject obj;
  if (!obj.ParseFromString(bytes)) return absl::DataLossError("a governance object is unreadable");
  return StoredObject{name, obj.version(), obj.update_time_us(), obj.payload()};
}

absl::StatusOr<std::vector<StoredObject>> RocksDbStoreImpl::ListObjects(
    const std::string& type, const std::string& after_name, int limit) {
  std::vector<StoredObject> out;
  const std::string prefix = keys::Governance(type, "");
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kGovernance]));
  if (after_name.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(keys::Governance(type, after_name));
    if (it->Valid() && it->key() == keys::Governance(type, after_name)) it->Next();
  }
  for (; it->Valid() && it->key().starts_with(prefix) && static_cast<int>(out.size()) < limit;
       it->Next()) {
    sv1::GovernanceObject obj;
    if (!obj.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a governance object is unreadable");
    }
    out.push_back(StoredObject{
        std::string(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
        obj.version(), obj.update_time_us(), obj.payload()});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing governance objects");
  return out;
}

}  // namespace

RocksDbStore::~RocksDbStore() = default;

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(RocksDbStoreOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("the store needs a data dir");
  auto store = std::make_unique<RocksDbStoreImpl>(std::move(options));
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<RocksDbStore>(std::move(store));
}

absl::StatusOr<WriteResult> Store::WriteAndWait(WriteRequest request,
                                                catalog::Violations* violations) {
  absl::Notification done;
  absl::StatusOr<WriteResult> result = absl::UnknownError("not committed");
  Write(std::move(request), [&](absl::StatusOr<WriteResult> r, catalog::Violations v) {
    result = std::move(r);
    if (violations) *violations = std::move(v);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<v1::Catalog> Store::ApplyCatalog(v1::Catalog catalog, const std::string& principal,
                                                bool dry_run, catalog::Violations* violations) {
  absl::Notification done;
  absl::StatusOr<v1::Catalog> result = absl::UnknownError("not committed");
  ApplyCatalogAsync(std::move(catalog), principal, dry_run,
                    [&](absl::StatusOr<v1::Catalog> r, catalog::Violations v) {
                      result = std::move(r);
                      if (violations) *violations = std::move(v);
                      done.Notify();
                    });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<StoredObject> Store::PutObject(const std::string& type, const std::string& name,
                                              std::string payload, const std::string& principal) {
  absl::Notification done;
  absl::StatusOr<StoredObject> result = absl::UnknownError("not committed");
  PutObjectAsync(type, name, std::move(payload), principal, [&](absl::StatusOr<StoredObject> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::Status Store::AddReuse(const std::string& form, const ReuseCounts& counts) {
  absl::Notification done;
  absl::Status result;
  AddReuseAsync(form, counts, [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::Status Store::RecordAccessAndWait(AccessRecord access) {
  absl::Notification done;
  absl::Status result;
  RecordAccess(std::move(access), [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace collectonce::store
