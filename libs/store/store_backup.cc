#include "absl/strings/str_cat.h"
#include "libs/store/rocksdb_store_impl.h"
#include "rocksdb/utilities/backup_engine.h"

namespace collectonce::store::internal {

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
  out.last_log_index = stats.applied_log_index;
  return out;
}

}  // namespace collectonce::store::internal
