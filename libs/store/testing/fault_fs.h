// A RocksDB FileSystem for fault tests: it remembers how much of each file was synced and
// whether the file's directory entry was, so that a simulated power cut can drop exactly
// what a real one may lose; and it fails appends or syncs on demand (an I/O error or a full
// disk). Test infrastructure only.
//
// The model of a power cut: bytes appended to a file after its last Sync/Fsync are lost; a
// file created (or renamed into place) since its directory was last fsynced disappears,
// and a file it replaced by rename comes back. Deletions are taken as durable at once, and
// RangeSync (sync_file_range) does not count as a sync.
#ifndef COLLECTONCE_LIBS_STORE_TESTING_FAULT_FS_H_
#define COLLECTONCE_LIBS_STORE_TESTING_FAULT_FS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace collectonce::store::testing {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault { kNone, kIoError, kNoSpace };

  // Wraps the default (POSIX) file system.
  FaultFs();
  // An Env that runs on `fs` (for RocksDbStoreOptions::env); keep `fs` alive as long.
  static std::unique_ptr<rocksdb::Env> MakeEnv(const std::shared_ptr<FaultFs>& fs);

  const char* Name() const override { return "CollectOnceFaultFs"; }

  // From now on appends to (and creation of) writable files fail with `fault`.
  void FailWrites(Fault fault);
  // From now on Sync/Fsync of writable files and directories fail with an I/O error.
  void FailSyncs(bool fail);
  // While held, every file and directory sync waits before it starts (a write stays in
  // flight for as long as a test needs); on release the syncs go on, failing if FailSyncs
  // says so by then.
  void HoldSyncs(bool hold);
  // Waits until at least one sync is held; false after `timeout`.
  bool AwaitHeldSync(absl::Duration timeout);
  // Stops every write, as at the instant of a power cut: later appends, syncs, creations,
  // renames and deletions fail and change nothing. Call before closing the database.
  void CutPower();
  // After the database is closed: drops what the cut lost (see above), then lets writes
  // through again.
  void RestoreAfterPowerCut();

  // Bytes dropped by the last RestoreAfterPowerCut (for negative controls).
  uint64_t dropped_bytes() const;
  // Syncs seen (file and directory), for tests that check syncing happened at all.
  uint64_t syncs() const;

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Dir;
  friend class File;
  friend class Dir;

  struct FileState {
    uint64_t size = 0;    // bytes appended (what the page cache holds)
    uint64_t synced = 0;  // bytes that survive a power cut
    // Created or renamed here since the directory was last fsynced.
    bool entry_durable = false;
    // What a rename replaced and a power cut would bring back (nullopt: nothing).
    std::optional<std::string> replaced_content;
  };

  rocksdb::IOStatus Refuse(bool is_write) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  rocksdb::IOStatus Track(const std::string& name, rocksdb::IOStatus s, bool fresh, bool existed,
                          std::unique_ptr<rocksdb::FSWritableFile>* r);
  static bool Exists(const std::string& name);
  // Called by File.
  rocksdb::IOStatus BeforeAppend(const std::string& name);
  void AfterAppend(const std::string& name, uint64_t n);
  void AfterPositionedAppend(const std::string& name, uint64_t end);
  rocksdb::IOStatus BeforeSync();
  void AfterSync(const std::string& name);
  void AfterTruncate(const std::string& name, uint64_t size);
  // Called by Dir.
  void AfterDirSync(const std::string& dir);

  mutable absl::Mutex mu_;
  Fault write_fault_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  bool sync_fault_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_syncs_ ABSL_GUARDED_BY(mu_) = false;
  int held_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  bool cut_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace collectonce::store::testing

#endif  // COLLECTONCE_LIBS_STORE_TESTING_FAULT_FS_H_
