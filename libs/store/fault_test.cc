// The store under a simulated power cut and under injected I/O faults (FaultFs): what was
// acknowledged survives, a failed write is never acknowledged and never half there, and the
// store says it is unhealthy until it is reopened.
#include <pthread.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/log_verifier.h"
#include "libs/base/status_matchers.h"
#include "libs/ident/uscc.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "libs/store/testing/fault_fs.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using testing::Enterprise;
using testing::FaultFs;
using testing::FieldText;
using ::testing::HasSubstr;

// One acknowledged write: the subject had `value` in "name" at `revision`.
struct Acked {
  std::string subject;
  std::string value;
  int64_t revision;
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("fault");
    fs_ = std::make_shared<FaultFs>();
    env_ = FaultFs::MakeEnv(fs_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(bool sync, std::function<int64_t()> now_us = nullptr) {
    store_.reset();
    RocksDbStoreOptions o;
    o.data_dir = dir_;
    o.sync = sync;
    if (now_us) {
      o.clock = Clock(DefaultCityZone(), [now_us] { return absl::FromUnixMicros(now_us()); });
    }
    o.env = env_.get();
    o.index_hash = KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.block_cache_bytes = 8 << 20;
    o.write_buffer_bytes = 16 << 20;
    auto s = RocksDbStore::Open(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  void ApplyCatalogs() {
    catalog::Violations v;
    ASSERT_THAT(
        store_->ApplyCatalog(testing::ExampleCatalog("enterprise"), "governance", false, &v),
        IsOk());
  }

  static WriteRequest NameWrite(const std::string& subject, const std::string& value) {
    WriteRequest r;
    r.subject = *catalog::ParseSubjectName(subject);
    r.provenance.set_source("market-regulation");
    r.principal = "test-principal";
    r.changes = {{"name", testing::Str(value)}};
    return r;
  }

  // Every acknowledged write is there at its revision, and each subject's revisions run
  // 1..current with no gap.
  void ExpectAllPresent(const std::vector<Acked>& acked) {
    std::map<std::string, int64_t> highest;
    for (const Acked& a : acked) {
      auto rec =
          store_->GetRecord(*catalog::ParseSubjectName(a.subject), AsOf::Revision(a.revision));
      ASSERT_TRUE(rec.ok()) << a.subject << " revision " << a.revision << ": " << rec.status();
      EXPECT_EQ(FieldText(*rec, "name"), a.value) << a.subject << " revision " << a.revision;
      highest[a.subject] = std::max(highest[a.subject], a.revision);
    }
    for (const auto& [subject, top] : highest) {
      auto current = store_->GetRecord(*catalog::ParseSubjectName(subject), AsOf::Current());
      ASSERT_TRUE(current.ok()) << current.status();
      ASSERT_GE(current->revision(), top) << subject;
      for (int64_t r = 1; r <= current->revision(); ++r) {
        EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(subject), AsOf::Revision(r)),
                    IsOk())
            << subject << " has no revision " << r << " below " << current->revision();
      }
    }
  }

  // Recomputes the audit log from its entries (as `registryctl audit verify` does).
  absl::Status VerifyAuditLog() {
    const uint64_t size = store_->Stats().audit_size;
    audit::LogVerifier v;
    uint64_t next = 0;
    while (next < size) {
      auto entries = store_->ReadAuditEntries(next, 500, false);
      if (!entries.ok()) return entries.status();
      if (entries->empty()) break;
      for (const auto& e : *entries) {
        v1::AuditEntry parsed;
        if (!parsed.ParseFromString(e.bytes)) return absl::DataLossError("unreadable entry");
        if (absl::Status s = v.Add(e.index, parsed.index(), e.bytes, e.stored_leaf_hash); !s.ok()) {
          return s;
        }
        next = e.index + 1;
      }
    }
    if (v.size() != size) {
      return absl::DataLossError(absl::StrCat("read ", v.size(), " entries of ", size));
    }
    auto root = audit::RootAt(store_->AuditNodes(), size);
    return root.ok() ? absl::OkStatus() : root.status();
  }

  std::string dir_;
  std::shared_ptr<FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<RocksDbStore> store_;
};

TEST_F(FaultTest, AcknowledgedWritesSurviveAPowerCutWithSyncOn) {
  Open(/*sync=*/true);
  ApplyCatalogs();
  constexpr int kWriters = 4, kSubjects = 8;
  std::mutex mu;
  std::vector<Acked> acked;
  std::atomic<int> acked_count{0};
  std::atomic<bool> cut{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      // Each writer owns its subjects, so it knows which revision each write got.
      for (int i = 0; !cut.load(); ++i) {
        const std::string subject = Enterprise(w * kSubjects + i % kSubjects);
        const std::string value = absl::StrCat("企业", w, "-", i);
        auto r = store_->WriteAndWait(NameWrite(subject, value));
        if (!r.ok()) continue;  // after the cut: refused, never acknowledged
        std::lock_guard<std::mutex> lock(mu);
        acked.push_back({subject, value, r->record.revision()});
        ++acked_count;
      }
    });
  }
  // Cut the power while the writers are busy (after a fixed number of acknowledgements,
  // not after a guessed time).
  while (acked_count.load() < 300) std::this_thread::yield();
  fs_->CutPower();
  cut = true;
  for (auto& t : writers) t.join();
  store_.reset();
  fs_->RestoreAfterPowerCut();

  Open(/*sync=*/true);
  ExpectAllPresent(acked);
  EXPECT_THAT(VerifyAuditLog(), IsOk());
  EXPECT_THAT(store_->Health(), IsOk());
  // And it takes writes again.
  EXPECT_THAT(store_->WriteAndWait(NameWrite(Enterprise(999), "之后")), IsOk());
}

// The negative control: with syncing off, acknowledged writes are lost at a power cut, so
// the test above would notice a store that stopped syncing.
TEST_F(FaultTest, PowerCutLosesAcknowledgedWritesWhenSyncIsOff) {
  Open(/*sync=*/true);
  ApplyCatalogs();
  ASSERT_THAT(store_->WriteAndWait(NameWrite(Enterprise(1), "同步写入")), IsOk());
  Open(/*sync=*/false);  // a clean close: everything so far is on disk
  std::vector<Acked> acked;
  for (int i = 0; i < 50; ++i) {
    auto r = store_->WriteAndWait(NameWrite(Enterprise(2), absl::StrCat("未同步", i)));
    ASSERT_THAT(r, IsOk());
    acked.push_back({Enterprise(2), absl::StrCat("未同步", i), r->record.revision()});
  }
  fs_->CutPower();
  store_.reset();
  fs_->RestoreAfterPowerCut();
  EXPECT_GT(fs_->dropped_bytes(), 0u);

  Open(/*sync=*/true);
  // What was written before the clean close is there; the unsynced writes are gone.
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(Enterprise(1)), AsOf::Current()),
              IsOk());
  int missing = 0;
  for (const Acked& a : acked) {
    if (!store_->GetRecord(*catalog::ParseSubjectName(a.subject), AsOf::Revision(a.revision))
             .ok()) {
      ++missing;
    }
  }
  EXPECT_GT(missing, 0) << "a power cut with syncing off lost nothing: is the model broken?";
  EXPECT_THAT(VerifyAuditLog(), IsOk());
}

// The committer prepares a group while the writer is still syncing the one before. These
// tests hold that sync open and watch the committer's clock reads (one per write it
// prepares) to know the second write was prepared while the first was not yet on disk.
class PipelineTest : public FaultTest {
 protected:
  void SetUp() override {
    FaultTest::SetUp();
    Open(/*sync=*/true, [this] {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      if (std::string(name) == "committer") {
        absl::MutexLock lock(&mu_);
        ++committer_clock_reads_;
      }
      return absl::ToUnixMicros(absl::Now());
    });
    ApplyCatalogs();
  }
  int ClockReads() {
    absl::MutexLock lock(&mu_);
    return committer_clock_reads_;
  }
  bool AwaitClockReadsAbove(int n) {
    absl::MutexLock lock(&mu_);
    auto above = [this, n]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return committer_clock_reads_ > n; };
    return mu_.AwaitWithTimeout(absl::Condition(&above), absl::Seconds(30));
  }

  struct Pending {
    absl::Notification done;
    absl::StatusOr<WriteResult> result = absl::UnknownError("not answered");
  };
  void Submit(WriteRequest request, Pending* p) {
    store_->Write(std::move(request), [p](absl::StatusOr<WriteResult> r, catalog::Violations) {
      p->result = std::move(r);
      p->done.Notify();
    });
  }

  // Writes "第一" to Enterprise(0) and holds its sync; then submits "第二" expecting
  // revision 1 and returns once the committer has prepared it.
  void StartDependentWrites(Pending* first, Pending* second) {
    fs_->HoldSyncs(true);
    Submit(NameWrite(Enterprise(0), "第一"), first);
    ASSERT_TRUE(fs_->AwaitHeldSync(absl::Seconds(30))) << "the first write never synced";
    const int reads = ClockReads();
    WriteRequest next = NameWrite(Enterprise(0), "第二");
    next.expected_revision = 1;
    Submit(std::move(next), second);
    ASSERT_TRUE(AwaitClockReadsAbove(reads)) << "the committer never prepared the second write";
    ASSERT_FALSE(first->done.HasBeenNotified()) << "the first write finished while held";
  }

  absl::Mutex mu_;
  int committer_clock_reads_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(PipelineTest, NextGroupSeesTheGroupStillBeingWritten) {
  Pending first, second;
  StartDependentWrites(&first, &second);
  fs_->HoldSyncs(false);
  ASSERT_TRUE(first.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(second.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_THAT(first.result, IsOk());
  ASSERT_THAT(second.result, IsOk());
  EXPECT_EQ(first.result->record.revision(), 1);
  EXPECT_EQ(second.result->record.revision(), 2);
  EXPECT_EQ(second.result->record.commit_sequence(), first.result->record.commit_sequence() + 1);

  Open(/*sync=*/true);
  ExpectAllPresent({{Enterprise(0), "第一", 1}, {Enterprise(0), "第二", 2}});
  EXPECT_THAT(VerifyAuditLog(), IsOk());
}

// A retry whose first outcome was overtaken by a later write still waiting for its sync
// gets the first outcome back, not the later state.
TEST_F(PipelineTest, RetryAnsweredWithItsOwnRevisionWhileALaterOneIsBeingWritten) {
  fs_->HoldSyncs(true);
  WriteRequest original = NameWrite(Enterprise(0), "第一");
  original.request_id = "amr-2026-0417";
  Pending first, later, retry;
  Submit(original, &first);
  ASSERT_TRUE(fs_->AwaitHeldSync(absl::Seconds(30))) << "the first write never synced";
  const int reads = ClockReads();
  Submit(NameWrite(Enterprise(0), "第二"), &later);
  ASSERT_TRUE(AwaitClockReadsAbove(reads)) << "the committer never prepared the later write";
  Submit(original, &retry);  // a group of its own, built on the later write's group
  fs_->HoldSyncs(false);
  for (Pending* p : {&first, &later, &retry}) {
    ASSERT_TRUE(p->done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    ASSERT_THAT(p->result, IsOk());
  }
  EXPECT_FALSE(first.result->replayed);
  EXPECT_EQ(later.result->record.revision(), 2);
  EXPECT_TRUE(retry.result->replayed);
  EXPECT_EQ(retry.result->record.revision(), 1);
  EXPECT_EQ(FieldText(retry.result->record, "name"), "第一");
  EXPECT_EQ(retry.result->record.commit_sequence(), first.result->record.commit_sequence());

  // Once everything is on disk, the same retry reads the same revision from there.
  Pending again;
  Submit(original, &again);
  ASSERT_TRUE(again.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_THAT(again.result, IsOk());
  EXPECT_TRUE(again.result->replayed);
  EXPECT_EQ(again.result->record.revision(), 1);
  EXPECT_EQ(FieldText(again.result->record, "name"), "第一");
}

// Two catalog changes, the second checked when queued against the catalog before the first
// (still being written): the committer checks it again against the first, so it cannot
// drop the field the first added.
TEST_F(PipelineTest, CatalogChangeIsCheckedAgainstOneStillBeingWritten) {
  const v1::Catalog base = (*store_->GetCatalog(v1::ENTERPRISE))->proto();
  v1::FieldDefinition extra;
  for (const auto& f : base.fields()) {
    if (f.name() == "contact_phone") extra = f;
  }
  v1::Catalog with_a = base, with_b = base;
  extra.set_name("fax_a");
  extra.set_label("传真甲");
  *with_a.add_fields() = extra;
  extra.set_name("fax_b");
  extra.set_label("传真乙");
  *with_b.add_fields() = extra;

  struct Applied {
    absl::Notification done;
    absl::StatusOr<v1::Catalog> result = absl::UnknownError("not answered");
    catalog::Violations violations;
  };
  auto apply = [this](const v1::Catalog& c, Applied* out) {
    store_->ApplyCatalogAsync(c, "governance", false,
                              [out](absl::StatusOr<v1::Catalog> r, catalog::Violations v) {
                                out->result = std::move(r);
                                out->violations = std::move(v);
                                out->done.Notify();
                              });
  };
  fs_->HoldSyncs(true);
  Applied first, second, again;
  apply(with_a, &first);
  ASSERT_TRUE(fs_->AwaitHeldSync(absl::Seconds(30))) << "the first change never synced";
  apply(with_b, &second);  // passes the queueing check: fax_a is not published yet
  apply(with_a, &again);   // the same as the first: no new version
  fs_->HoldSyncs(false);
  for (Applied* a : {&first, &second, &again}) {
    ASSERT_TRUE(a->done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  }
  ASSERT_THAT(first.result, IsOk());
  EXPECT_THAT(second.result, StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_FALSE(second.violations.empty());
  EXPECT_EQ(second.violations[0].field, "fax_a");
  EXPECT_EQ(second.violations[0].rule, "FIELD_REMOVED");
  ASSERT_THAT(again.result, IsOk());
  EXPECT_EQ(again.result->version(), first.result->version());

  auto now = *store_->GetCatalog(v1::ENTERPRISE);
  EXPECT_EQ(now->version(), first.result->version());
  EXPECT_NE(now->FindField("fax_a"), nullptr);
  EXPECT_EQ(now->FindField("fax_b"), nullptr);
}

TEST_F(PipelineTest, GroupBuiltOnAFailedWriteFailsWithItAndIsNeverWritten) {
  const StoreStats before = store_->Stats();
  Pending first, second;
  StartDependentWrites(&first, &second);
  fs_->FailSyncs(true);
  fs_->HoldSyncs(false);
  ASSERT_TRUE(first.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(second.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_THAT(first.result, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(second.result, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
  EXPECT_THAT(store_->Health(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(store_->Stats().last_commit_sequence, before.last_commit_sequence);
  EXPECT_EQ(store_->Stats().audit_size, before.audit_size);

  fs_->FailSyncs(false);
  Open(/*sync=*/true);
  // The first write's bytes may have reached the log before its sync failed; the second
  // was never handed to RocksDB.
  auto now = store_->GetRecord(*catalog::ParseSubjectName(Enterprise(0)), AsOf::Current());
  if (now.ok()) {
    EXPECT_EQ(now->revision(), 1);
    EXPECT_EQ(FieldText(*now, "name"), "第一");
  } else {
    EXPECT_THAT(now, StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_THAT(VerifyAuditLog(), IsOk());
}

struct FaultCase {
  const char* name;
  std::function<void(FaultFs&)> inject;
  std::function<void(FaultFs&)> clear;
};

// Names the case in test output (instead of its bytes).
void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

class IoFaultTest : public FaultTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(IoFaultTest, FailedWriteIsNeverAcknowledgedNorHalfWrittenAndStoreTurnsUnhealthy) {
  Open(/*sync=*/true);
  ApplyCatalogs();
  std::vector<Acked> acked;
  for (int i = 0; i < 5; ++i) {
    auto r = store_->WriteAndWait(NameWrite(Enterprise(i % 2), absl::StrCat("之前", i)));
    ASSERT_THAT(r, IsOk());
    acked.push_back({Enterprise(i % 2), absl::StrCat("之前", i), r->record.revision()});
  }
  const StoreStats before = store_->Stats();
  const int64_t revision_before =
      store_->GetRecord(*catalog::ParseSubjectName(Enterprise(0)), AsOf::Current())->revision();

  GetParam().inject(*fs_);
  auto failed = store_->WriteAndWait(NameWrite(Enterprise(0), "故障中"));
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_->Health(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
  // Nothing more is taken, even once the disk is fine again, until the store is reopened.
  GetParam().clear(*fs_);
  EXPECT_THAT(store_->WriteAndWait(NameWrite(Enterprise(5), "之后")),
              StatusIs(absl::StatusCode::kUnavailable));
  // Reads still serve what was acknowledged; the failed write is not visible.
  EXPECT_EQ(
      store_->GetRecord(*catalog::ParseSubjectName(Enterprise(0)), AsOf::Current())->revision(),
      revision_before);
  EXPECT_EQ(store_->Stats().last_commit_sequence, before.last_commit_sequence);

  Open(/*sync=*/true);  // the restart
  EXPECT_THAT(store_->Health(), IsOk());
  ExpectAllPresent(acked);
  EXPECT_THAT(VerifyAuditLog(), IsOk());
  // The failed write is all there or not at all: after a failed sync its bytes may have
  // reached the log, and then recovery finds the whole change set, never a part of it.
  auto now = store_->GetRecord(*catalog::ParseSubjectName(Enterprise(0)), AsOf::Current());
  ASSERT_THAT(now, IsOk());
  if (now->revision() != revision_before) {
    EXPECT_EQ(now->revision(), revision_before + 1);
    EXPECT_EQ(FieldText(*now, "name"), "故障中");
    EXPECT_EQ(store_->Stats().last_commit_sequence, before.last_commit_sequence + 1);
  } else {
    EXPECT_EQ(store_->Stats().last_commit_sequence, before.last_commit_sequence);
    EXPECT_EQ(store_->Stats().audit_size, before.audit_size);
  }
  auto again = store_->WriteAndWait(NameWrite(Enterprise(0), "恢复"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->record.revision(), now->revision() + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, IoFaultTest,
    ::testing::Values(FaultCase{"WriteError",
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kIoError); },
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNone); }},
                      FaultCase{"DiskFull",
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNoSpace); },
                                [](FaultFs& f) { f.FailWrites(FaultFs::Fault::kNone); }},
                      FaultCase{"SyncError", [](FaultFs& f) { f.FailSyncs(true); },
                                [](FaultFs& f) { f.FailSyncs(false); }}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.name; });

}  // namespace
}  // namespace collectonce::store
