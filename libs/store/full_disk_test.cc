// A full disk never aborts the process: RocksDB's info log goes through the store's own
// logger (never a file on the data disk), a write that finds no space fails and is not
// acknowledged, reads go on, closing and reopening return. On a real 16 MiB tmpfs when the
// test may mount one (root), else on FaultFs answering "no space"; the test prints which.
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "libs/store/testing/fault_fs.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;

TEST(FullDiskTest, AFullDiskFailsWritesAndNeverAborts) {
  const std::string base = testing::MakeTempDir("full-disk");
  const bool tmpfs = geteuid() == 0 &&
                     mount("tmpfs", base.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=16m") == 0;
  std::shared_ptr<testing::FaultFs> fs;
  std::unique_ptr<rocksdb::Env> env;
  if (tmpfs) {
    std::cout << "full disk: a real 16 MiB tmpfs at " << base << "\n";
  } else {
    std::cout << "full disk: FaultFs (no tmpfs could be mounted here)\n";
    fs = std::make_shared<testing::FaultFs>();
    env = testing::FaultFs::MakeEnv(fs);
  }
  absl::Mutex mu;
  std::vector<std::string> logged;
  RocksDbStoreOptions o;
  o.data_dir = base + "/db";
  o.sync = true;
  o.env = env.get();
  o.block_cache_bytes = 4 << 20;
  o.write_buffer_bytes = 8 << 20;
  o.info_log = [&](bool, std::string line) {
    absl::MutexLock lock(&mu);
    logged.push_back(std::move(line));
  };
  auto store = RocksDbStore::Open(o);
  ASSERT_THAT(store, IsOk());
  catalog::Violations v;
  ASSERT_THAT(
      (*store)->ApplyCatalog(testing::ExampleCatalog("enterprise"), "governance", false, &v),
      IsOk());
  const std::string padding(180, 'x');
  absl::Status failed;
  int written = 0;
  for (int i = 0; i < 200000 && failed.ok(); ++i) {
    if (fs != nullptr && i == 200) fs->FailWrites(testing::FaultFs::Fault::kNoSpace);
    WriteRequest r;
    r.subject = *catalog::ParseSubjectName(testing::Enterprise(i));
    r.provenance.set_source("market-regulation");
    r.principal = "test";
    r.changes = {{"name", testing::Str(absl::StrCat("企业", i, padding))}};
    auto w = (*store)->WriteAndWait(r);
    if (w.ok()) {
      ++written;
    } else {
      failed = w.status();
    }
  }
  ASSERT_GT(written, 0);
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT((*store)->Health(), StatusIs(absl::StatusCode::kUnavailable));
  // What was acknowledged is still served.
  EXPECT_THAT(
      (*store)->GetRecord(*catalog::ParseSubjectName(testing::Enterprise(0)), AsOf::Current()),
      IsOk());
  EXPECT_FALSE(std::filesystem::exists(o.data_dir + "/LOG")) << "RocksDB's info log is on disk";
  store->reset();  // closes without aborting

  // Starting again on the full disk returns, whatever it answers.
  auto again = RocksDbStore::Open(o);
  std::cout << "reopened on the full disk: " << again.status() << "\n";
  if (again.ok()) again->reset();
  if (tmpfs) {
    EXPECT_EQ(umount2(base.c_str(), MNT_DETACH), 0);
  }
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace collectonce::store
