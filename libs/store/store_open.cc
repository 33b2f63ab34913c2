#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace collectonce::store::internal {

namespace {

// RocksDB's info log, from WARN up, handed to the daemon's logger (or stderr) instead of a
// LOG file on the data disk: Debian's RocksDB is built with assertions on, and its file
// logger aborts the process when it fails to write that file on a full disk.
class InfoLog : public rocksdb::Logger {
 public:
  explicit InfoLog(std::function<void(bool, std::string)> sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}

  void Logv(const char* format, va_list ap) override {
    Emit(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    Emit(level, format, ap);
  }

 private:
  void Emit(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    if (n <= 0) return;
    std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    const bool error = level >= rocksdb::InfoLogLevel::ERROR_LEVEL;
    if (sink_) return sink_(error, std::move(line));
    line = absl::StrCat("rocksdb: ", line, "\n");
    // One write(2), so that lines of several threads do not interleave; nothing to do if
    // stderr is gone.
    [[maybe_unused]] ssize_t written = ::write(2, line.data(), line.size());
  }

  std::function<void(bool, std::string)> sink_;
};

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

}  // namespace

absl::Status RocksDbStoreImpl::Init() {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.max_background_jobs = 2;
  opts.bytes_per_sync = 1 << 20;
  if (options_.env) opts.env = options_.env;
  opts.info_log = std::make_shared<InfoLog>(options_.info_log);
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
  if (s.IsNoSpace()) {
    return WithReason(absl::UnavailableError(absl::StrCat("no space left on the disk of ",
                                                          options_.data_dir, ": ", s.ToString())),
                      "NO_SPACE");
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening the store in ", options_.data_dir));
  db_.reset(raw);
  node_reader_ = std::make_unique<DbNodeReader>(db_.get(), handles_[kAuditNodes], handles_[kAudit]);
  // A log entry's batch names column families by id: a replica whose ids differ from a
  // fresh store's (a column family added out of order) could not apply another's batch.
  for (size_t i = 0; i < handles_.size(); ++i) {
    if (handles_[i]->GetID() != i) canonical_cf_ids_ = false;
  }

  // A person index built with one key finds nobody with another: the store refuses a
  // key that is not its own rather than create every person again. (A store from before
  // the check has none; it is written with the next commit.)
  index_key_check_ = IndexKeyCheck();
  ASSIGN_OR_RETURN(sv1::StoreMeta meta, ReadMeta());
  // Format 6 seals every value reads serve; an older store's values are sealed now, under
  // the index key ReadMeta just checked, before anything reads them. (A new store's meta
  // says 0.)
  if (meta.format_version() > 0 && meta.format_version() < kFormatVersion) {
    RETURN_IF_ERROR(SealOlderValues(&meta));
  }
  RETURN_IF_ERROR(RecoverPublished(meta));
  RETURN_IF_ERROR(RecoverCommitter(meta));
  if (options_.start_following) {
    absl::MutexLock lock(&state_mu_);
    role_ = Role::kFollowing;
    following_because_ = absl::FailedPreconditionError("the replica starts as a follower");
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

absl::StatusOr<sv1::StoreMeta> RocksDbStoreImpl::ReadMeta() {
  std::string meta_bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kMeta], keys::kMetaKey, &meta_bytes);
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
  if (!meta.index_key_check().empty() && meta.index_key_check() != index_key_check_) {
    return WithReason(
        absl::FailedPreconditionError(
            "the index key is not the key this store's person index was built with; start "
            "with the key file of the store's first start (a backup keeps it beside the "
            "data: registryctl backup restore --index-key)"),
        "INDEX_KEY_MISMATCH");
  }
  return meta;
}

absl::Status RocksDbStoreImpl::RecoverPublished(const sv1::StoreMeta& meta) {
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
  {
    absl::MutexLock lock(&state_mu_);
    last_sequence_ = meta.last_commit_sequence();
    audit_size_ = meta.audit_size();
    published_time_us_ = meta.last_commit_time_us();
    applied_log_index_ = meta.last_log_index();
  }
  return LoadCatalogs();
}

absl::Status RocksDbStoreImpl::RecoverCommitter(const sv1::StoreMeta& meta) {
  next_sequence_ = meta.last_commit_sequence() + 1;
  last_time_us_ = meta.last_commit_time_us();
  next_log_index_ = meta.last_log_index() + 1;
  ASSIGN_OR_RETURN(appender_, audit::MerkleAppender::Load(*node_reader_, meta.audit_size()));
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::LoadCatalogs() {
  for (v1::SubjectKind kind : {v1::ENTERPRISE, v1::PERSON}) {
    std::string bytes;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kGovernance],
                                 keys::Governance(kCatalogType, catalog::KindName(kind)), &bytes);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "reading a catalog");
    sv1::GovernanceObject obj;
    RETURN_IF_ERROR(OpenObject(keys::Governance(kCatalogType, catalog::KindName(kind)),
                               absl::StrCat("catalogs/", catalog::KindName(kind)), bytes, &obj));
    {
      absl::MutexLock lock(&state_mu_);
      auto it = catalogs_.find(kind);
      if (it != catalogs_.end() && it->second->version() == obj.version()) continue;
    }
    v1::Catalog proto;
    if (!proto.ParseFromString(obj.payload())) {
      return absl::DataLossError("a stored catalog is unreadable");
    }
    auto compiled = catalog::Catalog::Compile(proto);
    if (!compiled.ok()) return compiled.status();
    absl::MutexLock lock(&state_mu_);
    catalogs_[kind] = *std::move(compiled);
  }
  return absl::OkStatus();
}

}  // namespace collectonce::store::internal
