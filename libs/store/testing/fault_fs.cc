#include "libs/store/testing/fault_fs.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace collectonce::store::testing {
namespace {

namespace fs = std::filesystem;

std::string Parent(const std::string& path) {
  return fs::path(path).lexically_normal().parent_path().string();
}
std::string Norm(const std::string& path) { return fs::path(path).lexically_normal().string(); }

std::optional<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

class FaultFs::File : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(FaultFs* fs, std::string name, std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeAppend(name_);
    if (!s.ok()) return s;
    s = target()->Append(data, o, dbg);
    if (s.ok()) fs_->AfterAppend(name_, data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo&,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, o, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeAppend(name_);
    if (!s.ok()) return s;
    s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) fs_->AfterPositionedAppend(name_, offset + data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo&,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeAppend(name_);
    if (!s.ok()) return s;
    s = target()->Truncate(size, o, dbg);
    if (s.ok()) fs_->AfterTruncate(name_, size);
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeSync();
    if (!s.ok()) return s;
    s = target()->Sync(o, dbg);
    if (s.ok()) fs_->AfterSync(name_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeSync();
    if (!s.ok()) return s;
    s = target()->Fsync(o, dbg);
    if (s.ok()) fs_->AfterSync(name_);
    return s;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t n, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    // Starts write-back only; nothing is promised to survive a power cut.
    rocksdb::IOStatus s = fs_->BeforeSync();
    if (!s.ok()) return s;
    return target()->RangeSync(offset, n, o, dbg);
  }

 private:
  FaultFs* fs_;
  std::string name_;
};

class FaultFs::Dir : public rocksdb::FSDirectoryWrapper {
 public:
  Dir(FaultFs* fs, std::string name, std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->BeforeSync();
    if (!s.ok()) return s;
    s = FSDirectoryWrapper::Fsync(o, dbg);
    if (s.ok()) fs_->AfterDirSync(name_);
    return s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& d) override {
    rocksdb::IOStatus s = fs_->BeforeSync();
    if (!s.ok()) return s;
    s = FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d);
    if (s.ok()) fs_->AfterDirSync(name_);
    return s;
  }

 private:
  FaultFs* fs_;
  std::string name_;
};

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

std::unique_ptr<rocksdb::Env> FaultFs::MakeEnv(const std::shared_ptr<FaultFs>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

void FaultFs::FailWrites(Fault fault) {
  absl::MutexLock lock(&mu_);
  write_fault_ = fault;
}

void FaultFs::FailSyncs(bool fail) {
  absl::MutexLock lock(&mu_);
  sync_fault_ = fail;
}

void FaultFs::HoldSyncs(bool hold) {
  absl::MutexLock lock(&mu_);
  hold_syncs_ = hold;
}

bool FaultFs::AwaitHeldSync(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](FaultFs* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) { return f->held_syncs_ > 0; },
          this),
      timeout);
}

void FaultFs::CutPower() {
  absl::MutexLock lock(&mu_);
  cut_ = true;
}

uint64_t FaultFs::dropped_bytes() const {
  absl::MutexLock lock(&mu_);
  return dropped_bytes_;
}

uint64_t FaultFs::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

void FaultFs::RestoreAfterPowerCut() {
  absl::MutexLock lock(&mu_);
  dropped_bytes_ = 0;
  for (auto& [name, st] : files_) {
    std::error_code ec;
    const uint64_t on_disk = fs::exists(name, ec) ? fs::file_size(name, ec) : 0;
    if (!st.entry_durable) {
      dropped_bytes_ += on_disk;
      fs::remove(name, ec);
      if (st.replaced_content) {
        std::ofstream out(name, std::ios::binary | std::ios::trunc);
        out << *st.replaced_content;
      }
    } else if (on_disk > st.synced) {
      dropped_bytes_ += on_disk - st.synced;
      fs::resize_file(name, st.synced, ec);
    }
  }
  files_.clear();
  cut_ = false;
}

rocksdb::IOStatus FaultFs::Refuse(bool is_write) const {
  if (cut_) return rocksdb::IOStatus::IOError("simulated power cut");
  if (is_write) {
    if (write_fault_ == Fault::kIoError) return rocksdb::IOStatus::IOError("injected write error");
    if (write_fault_ == Fault::kNoSpace) {
      return rocksdb::IOStatus::NoSpace("injected: no space left on device");
    }
  }
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultFs::Track(const std::string& name, rocksdb::IOStatus s, bool fresh,
                                 bool existed, std::unique_ptr<rocksdb::FSWritableFile>* r) {
  if (!s.ok()) return s;
  const std::string n = Norm(name);
  {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(n);
    if (fresh) {
      FileState st;
      if (it != files_.end()) {
        st.entry_durable = it->second.entry_durable;
        st.replaced_content = it->second.replaced_content;
      } else {
        // An existing file that is not tracked was durable; truncating keeps its entry.
        st.entry_durable = existed;
      }
      files_[n] = std::move(st);
    } else if (it == files_.end()) {
      FileState st;
      st.size = st.synced = (*r)->GetFileSize(rocksdb::IOOptions(), nullptr);
      st.entry_durable = existed;
      files_[n] = std::move(st);
    }
  }
  *r = std::make_unique<File>(this, n, std::move(*r));
  return s;
}

bool FaultFs::Exists(const std::string& name) {
  std::error_code ec;
  return fs::exists(name, ec);
}

rocksdb::IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                           std::unique_ptr<rocksdb::FSWritableFile>* r,
                                           rocksdb::IODebugContext* dbg) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto s = Refuse(true); !s.ok()) return s;
  }
  const bool existed = Exists(f);
  return Track(f, target()->NewWritableFile(f, o, r, dbg), /*fresh=*/true, existed, r);
}

rocksdb::IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                              std::unique_ptr<rocksdb::FSWritableFile>* r,
                                              rocksdb::IODebugContext* dbg) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto s = Refuse(true); !s.ok()) return s;
  }
  const bool existed = Exists(f);
  return Track(f, target()->ReopenWritableFile(f, o, r, dbg), /*fresh=*/false, existed, r);
}

rocksdb::IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                             const rocksdb::FileOptions& o,
                                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                                             rocksdb::IODebugContext* dbg) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto s = Refuse(true); !s.ok()) return s;
  }
  {
    absl::MutexLock lock(&mu_);
    files_.erase(Norm(old));
  }
  return Track(f, target()->ReuseWritableFile(f, old, o, r, dbg), /*fresh=*/true, false, r);
}

rocksdb::IOStatus FaultFs::NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                        std::unique_ptr<rocksdb::FSDirectory>* r,
                                        rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewDirectory(name, o, r, dbg);
  if (s.ok()) *r = std::make_unique<Dir>(this, Norm(name), std::move(*r));
  return s;
}

rocksdb::IOStatus FaultFs::RenameFile(const std::string& src, const std::string& dst,
                                      const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  const std::string s_name = Norm(src), t_name = Norm(dst);
  absl::MutexLock lock(&mu_);
  if (auto s = Refuse(false); !s.ok()) return s;
  // What a power cut before the next directory sync would bring back at `dst`.
  std::optional<std::string> replaced;
  auto old = files_.find(t_name);
  if (old == files_.end() || old->second.entry_durable) {
    replaced = ReadAll(t_name);
  } else {
    replaced = old->second.replaced_content;
  }
  rocksdb::IOStatus s = target()->RenameFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  FileState st;
  if (auto it = files_.find(s_name); it != files_.end()) {
    st = it->second;
    files_.erase(it);
  } else {
    std::error_code ec;
    st.size = st.synced = fs::file_size(t_name, ec);
  }
  st.entry_durable = false;
  st.replaced_content = std::move(replaced);
  files_[t_name] = std::move(st);
  return s;
}

rocksdb::IOStatus FaultFs::DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                                      rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (auto s = Refuse(false); !s.ok()) return s;
  rocksdb::IOStatus s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) files_.erase(Norm(f));
  return s;
}

rocksdb::IOStatus FaultFs::LinkFile(const std::string& src, const std::string& dst,
                                    const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (auto s = Refuse(false); !s.ok()) return s;
  rocksdb::IOStatus s = target()->LinkFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  FileState st;
  std::error_code ec;
  st.size = st.synced = fs::file_size(dst, ec);
  st.entry_durable = false;
  files_[Norm(dst)] = std::move(st);
  return s;
}

rocksdb::IOStatus FaultFs::BeforeAppend(const std::string&) {
  absl::ReaderMutexLock lock(&mu_);
  return Refuse(true);
}

void FaultFs::AfterAppend(const std::string& name, uint64_t n) {
  absl::MutexLock lock(&mu_);
  files_[name].size += n;
}

void FaultFs::AfterPositionedAppend(const std::string& name, uint64_t end) {
  absl::MutexLock lock(&mu_);
  auto& st = files_[name];
  st.size = std::max(st.size, end);
}

void FaultFs::AfterTruncate(const std::string& name, uint64_t size) {
  absl::MutexLock lock(&mu_);
  auto& st = files_[name];
  st.size = size;
  st.synced = std::min(st.synced, size);
}

rocksdb::IOStatus FaultFs::BeforeSync() {
  absl::MutexLock lock(&mu_);
  if (hold_syncs_) {
    ++held_syncs_;
    mu_.Await(absl::Condition(
        +[](FaultFs* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) { return !f->hold_syncs_; }, this));
    --held_syncs_;
  }
  if (cut_) return rocksdb::IOStatus::IOError("simulated power cut");
  if (sync_fault_) return rocksdb::IOStatus::IOError("injected sync error");
  return rocksdb::IOStatus::OK();
}

void FaultFs::AfterSync(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ++syncs_;
  auto& st = files_[name];
  st.synced = st.size;
}

void FaultFs::AfterDirSync(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  ++syncs_;
  for (auto& [name, st] : files_) {
    if (Parent(name) == dir) {
      st.entry_durable = true;
      st.replaced_content.reset();
    }
  }
}

}  // namespace collectonce::store::testing
