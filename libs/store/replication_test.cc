// The commit-log seam (commit_log.h) with real RocksDB: a leader store appends every group
// to a log kept in memory, a follower store applies what the log holds, and the two serve
// the same bytes. Faults of the log (fenced, unknown, unavailable) are injected here; the
// etcd log has its own tests in libs/replication.
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/merkle.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/store/commit_log.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::IsOkAndHolds;
using ::collectonce::testing::StatusIs;
using ::testing::SizeIs;
using namespace ::collectonce::store::testing;  // NOLINT

// A commit log in memory: keeps what it is given (through Encode, as etcd would), or
// answers the next appends with the statuses queued in `faults`.
class MemoryLog : public CommitLog {
 public:
  absl::Status Append(const CommitEntry& entry) override {
    absl::MutexLock lock(&mu_);
    if (held_) {
      ++waiting_;
      mu_.Await(absl::Condition(
          +[](bool* held) { return !*held; }, &held_));
      --waiting_;
    }
    if (!faults_.empty()) {
      absl::Status s = faults_.front();
      faults_.pop_front();
      return s;
    }
    EXPECT_EQ(entry.log_index, entries_.size() + 1) << "entries are dense";
    entries_.push_back(entry.Encode());
    return absl::OkStatus();
  }
  void Fail(absl::Status s) {
    absl::MutexLock lock(&mu_);
    faults_.push_back(std::move(s));
  }
  std::vector<std::string> entries() {
    absl::MutexLock lock(&mu_);
    return entries_;
  }
  // Appends wait (as on a slow etcd) until Release(); AwaitHeld() returns once one does.
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void AwaitHeld() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* w) { return *w > 0; }, &waiting_));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }

 private:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<absl::Status> faults_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> entries_ ABSL_GUARDED_BY(mu_);
};

class ReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_us_ = absl::ToUnixMicros(
        absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), DefaultCityZone()));
    leader_dir_ = MakeTempDir("leader");
    follower_dir_ = MakeTempDir("follower");
    leader_ = OpenFollowing(leader_dir_);
    follower_ = OpenFollowing(follower_dir_);
    ASSERT_THAT(leader_->Lead(&log_, [this](absl::Status why) { StepDownCalled(why); }), IsOk());
    catalog::Violations v;
    ASSERT_THAT(leader_->ApplyCatalog(ExampleCatalog("enterprise"), "governance", false, &v),
                IsOk());
    ASSERT_THAT(leader_->ApplyCatalog(ExampleCatalog("person"), "governance", false, &v), IsOk());
  }
  void TearDown() override {
    leader_.reset();
    follower_.reset();
    std::filesystem::remove_all(leader_dir_);
    std::filesystem::remove_all(follower_dir_);
  }

  RocksDbStoreOptions Options(const std::string& dir) {
    RocksDbStoreOptions o;
    o.data_dir = dir;
    o.sync = false;
    o.index_hash = KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.clock = Clock(DefaultCityZone(), [this] { return absl::FromUnixMicros(now_us_.load()); });
    o.block_cache_bytes = 8 << 20;
    o.write_buffer_bytes = 16 << 20;
    o.start_following = true;
    o.max_entry_bytes = max_entry_bytes_;
    o.max_group_size = max_group_size_;
    return o;
  }
  std::unique_ptr<RocksDbStore> OpenFollowing(const std::string& dir) {
    auto s = RocksDbStore::Open(Options(dir));
    EXPECT_THAT(s, IsOk());
    return s.ok() ? *std::move(s) : nullptr;
  }
  // Applies to `store` every entry of `log` it lacks, decoded from the log's bytes.
  static void CatchUp(RocksDbStore& store, MemoryLog& log) {
    const std::vector<std::string> entries = log.entries();
    for (uint64_t i = store.Stats().applied_log_index; i < entries.size(); ++i) {
      auto entry = CommitEntry::Decode(entries[i]);
      ASSERT_THAT(entry, IsOk());
      ASSERT_THAT(store.ApplyLogEntry(*entry), IsOk()) << "entry " << i + 1;
    }
  }
  void StepDownCalled(const absl::Status& why) {
    absl::MutexLock lock(&mu_);
    step_downs_.push_back(why);
  }
  std::vector<absl::Status> step_downs() {
    absl::MutexLock lock(&mu_);
    return step_downs_;
  }

  static WriteRequest Req(absl::string_view name, absl::string_view source = "market-regulation") {
    WriteRequest r;
    if (!name.empty()) r.subject = *catalog::ParseSubjectName(name);
    r.provenance.set_source(std::string(source));
    r.principal = "test-principal";
    return r;
  }
  absl::StatusOr<WriteResult> WriteSteel(RocksDbStore& store, const std::string& legal_rep,
                                         const std::string& request_id = "") {
    WriteRequest r = Req(kSteel);
    r.changes = {{"name", Str("福建省钢源粉体材料有限公司")},
                 {"legal_representative_name", Str(legal_rep)},
                 {"registered_capital", Dec("5000")},
                 {"status", Code("1")}};
    r.request_id = request_id;
    return store.WriteAndWait(r);
  }
  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }

  // Both stores serve the same: every audit entry as stored, the tree's size and root.
  void ExpectSameAuditLog() {
    const StoreStats a = leader_->Stats(), b = follower_->Stats();
    ASSERT_EQ(a.audit_size, b.audit_size);
    EXPECT_EQ(a.last_commit_sequence, b.last_commit_sequence);
    EXPECT_EQ(a.last_commit_time_us, b.last_commit_time_us);
    EXPECT_EQ(a.applied_log_index, b.applied_log_index);
    auto ea = leader_->ReadAuditEntries(0, 1000, false);
    auto eb = follower_->ReadAuditEntries(0, 1000, false);
    ASSERT_THAT(ea, IsOk());
    ASSERT_THAT(eb, IsOk());
    ASSERT_THAT(*eb, SizeIs(ea->size()));
    for (size_t i = 0; i < ea->size(); ++i) {
      EXPECT_EQ((*ea)[i].bytes, (*eb)[i].bytes) << "entry " << i;
      EXPECT_EQ((*ea)[i].stored_leaf_hash, (*eb)[i].stored_leaf_hash) << "entry " << i;
    }
    auto ra = audit::RootAt(leader_->AuditNodes(), a.audit_size);
    auto rb = audit::RootAt(follower_->AuditNodes(), b.audit_size);
    ASSERT_THAT(ra, IsOk());
    ASSERT_THAT(rb, IsOk());
    EXPECT_EQ(*ra, *rb);
  }

  std::atomic<int64_t> now_us_{0};
  size_t max_entry_bytes_ = 1 << 20;
  int max_group_size_ = 1024;
  std::string leader_dir_, follower_dir_;
  MemoryLog log_;
  std::unique_ptr<RocksDbStore> leader_, follower_;
  absl::Mutex mu_;
  std::vector<absl::Status> step_downs_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ReplicationTest, FollowerServesWhatTheLeaderWrote) {
  ASSERT_THAT(WriteSteel(*leader_, "吴秀英", "req-1"), IsOk());
  const int64_t after_first = leader_->Stats().last_commit_time_us;
  Advance(absl::Hours(24));
  ASSERT_THAT(WriteSteel(*leader_, "林志强"), IsOk());
  WriteRequest song = Req("", "public-security.household");
  song.kind = v1::PERSON;
  song.changes = {{"id_number", Str(kSongId)},
                  {"name", Str("宋文富")},
                  {"gender", Code("1")},
                  {"birth_date", DateV(1945, 3, 12)},
                  {"household_address", Str("三明市三元区富文新村12幢301室")}};
  auto person = leader_->WriteAndWait(song);
  ASSERT_THAT(person, IsOk());
  AccessRecord access;
  access.principal = "approval.real-estate";
  access.event.set_subject(person->record.name());
  access.event.add_fields("name");
  access.event.set_purpose("matters/real-estate-transfer");
  ASSERT_THAT(leader_->RecordAccessAndWait(access), IsOk());
  ASSERT_THAT(leader_->PutObject("matters", "matters/m1", "payload-1", "governance"), IsOk());
  Store::ReuseCounts counts;
  counts.forms_served = 1;
  counts.fields_prefilled = 7;
  ASSERT_THAT(leader_->AddReuse("forms/f1", counts), IsOk());

  CatchUp(*follower_, log_);
  EXPECT_GT(follower_->Stats().applied_log_index, 0u);
  EXPECT_TRUE(leader_->Stats().leading);
  EXPECT_FALSE(follower_->Stats().leading);

  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  for (const AsOf& as_of : {AsOf::Current(), AsOf::Revision(1), AsOf::CommitTime(after_first),
                            AsOf::ValidDay(absl::CivilDay(2026, 3, 1))}) {
    auto a = leader_->GetRecord(steel, as_of);
    auto b = follower_->GetRecord(steel, as_of);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString());
  }
  EXPECT_EQ(FieldText(*follower_->GetRecord(steel, AsOf::Current()), "legal_representative_name"),
            "林志强");
  auto ha = leader_->ListHistory(steel, {});
  auto hb = follower_->ListHistory(steel, {});
  ASSERT_THAT(ha, IsOk());
  ASSERT_THAT(hb, IsOk());
  ASSERT_THAT(hb->change_sets, SizeIs(2));
  for (size_t i = 0; i < ha->change_sets.size(); ++i) {
    EXPECT_EQ(ha->change_sets[i].SerializeAsString(), hb->change_sets[i].SerializeAsString());
  }
  auto found = follower_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), person->record.name());
  auto events = follower_->ListAccessEvents(*found, "", 10);
  ASSERT_THAT(events, IsOk());
  EXPECT_THAT(events->first, SizeIs(1));
  auto object = follower_->GetObject("matters", "matters/m1");
  ASSERT_THAT(object, IsOk());
  EXPECT_EQ(object->payload, "payload-1");
  auto reuse = follower_->SumReuse("forms/f1", 0, 0);
  ASSERT_THAT(reuse, IsOk());
  EXPECT_EQ(reuse->fields_prefilled, 7);
  auto cat = follower_->GetCatalog(v1::PERSON);
  ASSERT_THAT(cat, IsOk());
  EXPECT_EQ((*cat)->version(), 1);
  ExpectSameAuditLog();
}

TEST_F(ReplicationTest, FollowerRefusesWritesAndKeepsServingReads) {
  ASSERT_THAT(WriteSteel(*leader_, "吴秀英"), IsOk());
  CatchUp(*follower_, log_);
  auto w = WriteSteel(*follower_, "林志强");
  EXPECT_THAT(w, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(w.status()), "NOT_LEADER");
  AccessRecord access;
  access.principal = "approval.real-estate";
  access.event.set_subject(kSteel);
  EXPECT_EQ(ReasonOf(follower_->RecordAccessAndWait(access)), "NOT_LEADER");
  EXPECT_EQ(ReasonOf(follower_->PutObject("matters", "m", "p", "g").status()), "NOT_LEADER");
  EXPECT_EQ(ReasonOf(follower_->AddReuse("forms/f", {})), "NOT_LEADER");
  catalog::Violations v;
  v1::Catalog changed = ExampleCatalog("enterprise");
  changed.mutable_fields(0)->set_description("changed");
  EXPECT_EQ(ReasonOf(follower_->ApplyCatalog(changed, "governance", false, &v).status()),
            "NOT_LEADER");
  EXPECT_THAT(follower_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current()), IsOk());
  EXPECT_THAT(follower_->Health(), IsOk());
}

TEST_F(ReplicationTest, EntriesApplyInOrderOnly) {
  ASSERT_THAT(WriteSteel(*leader_, "吴秀英"), IsOk());
  ASSERT_THAT(WriteSteel(*leader_, "林志强"), IsOk());
  const std::vector<std::string> entries = log_.entries();
  ASSERT_GE(entries.size(), 4u);  // two catalogs, two writes
  auto second = CommitEntry::Decode(entries[1]);
  ASSERT_THAT(second, IsOk());
  absl::Status gap = follower_->ApplyLogEntry(*second);
  EXPECT_THAT(gap, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(gap), "LOG_GAP");
  EXPECT_EQ(follower_->Stats().applied_log_index, 0u);
  auto first = CommitEntry::Decode(entries[0]);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(follower_->ApplyLogEntry(*first), IsOk());
  ASSERT_THAT(follower_->ApplyLogEntry(*first), IsOk());  // again: nothing done
  EXPECT_EQ(follower_->Stats().applied_log_index, 1u);
  // A leader applies nothing; a damaged entry is refused.
  EXPECT_EQ(ReasonOf(leader_->ApplyLogEntry(*second)), "NOT_FOLLOWING");
  EXPECT_THAT(CommitEntry::Decode("not an entry"), StatusIs(absl::StatusCode::kDataLoss));
  CatchUp(*follower_, log_);
  ExpectSameAuditLog();
  // What is on each disk after a sync: everything applied.
  EXPECT_THAT(follower_->SyncLog(), IsOkAndHolds(follower_->Stats().applied_log_index));
  EXPECT_THAT(leader_->SyncLog(), IsOkAndHolds(leader_->Stats().applied_log_index));
}

TEST_F(ReplicationTest, FencedAppendStepsDownAndShowsNothing) {
  ASSERT_THAT(WriteSteel(*leader_, "吴秀英"), IsOk());
  const StoreStats before = leader_->Stats();
  log_.Fail(absl::AbortedError("leader key changed"));
  auto w = WriteSteel(*leader_, "林志强");
  EXPECT_THAT(w, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(w.status()), "NOT_LEADER");
  EXPECT_THAT(step_downs(), SizeIs(1));
  EXPECT_FALSE(leader_->Stats().leading);
  EXPECT_EQ(leader_->Stats().last_commit_sequence, before.last_commit_sequence);
  EXPECT_EQ(leader_->Stats().audit_size, before.audit_size);
  auto r = leader_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(FieldText(*r, "legal_representative_name"), "吴秀英");
  EXPECT_EQ(ReasonOf(WriteSteel(*leader_, "陈建华").status()), "NOT_LEADER");
  EXPECT_THAT(step_downs(), SizeIs(1));  // once
  EXPECT_THAT(leader_->Health(), IsOk());
}

TEST_F(ReplicationTest, WritesQueuedWhileTheLeaderStepsDownAreRefusedAsNotLeader) {
  // One write per group, so that the third is admitted only after the first was fenced.
  leader_.reset();
  std::filesystem::remove_all(leader_dir_);
  max_group_size_ = 1;
  leader_dir_ = MakeTempDir("leader");
  leader_ = OpenFollowing(leader_dir_);
  MemoryLog log;
  ASSERT_THAT(leader_->Lead(&log, [](absl::Status) {}), IsOk());
  catalog::Violations v;
  ASSERT_THAT(leader_->ApplyCatalog(ExampleCatalog("enterprise"), "governance", false, &v), IsOk());
  log.Hold();
  log.Fail(absl::AbortedError("leader key changed"));
  std::vector<absl::StatusOr<WriteResult>> results(3, absl::UnknownError("no answer"));
  std::vector<absl::Notification> done(3);
  auto write = [&](int i) {
    WriteRequest r = Req(kSteel);
    r.changes = {{"name", Str("福建省钢源粉体材料有限公司")},
                 {"legal_representative_name", Str(absl::StrCat("代表", i))},
                 {"registered_capital", Dec("5000")},
                 {"status", Code("1")}};
    leader_->Write(std::move(r), [&, i](absl::StatusOr<WriteResult> res, catalog::Violations) {
      results[i] = std::move(res);
      done[i].Notify();
    });
  };
  write(0);
  log.AwaitHeld();  // the first group is being appended; the next two queue behind it
  write(1);
  write(2);
  log.Release();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(done[i].WaitForNotificationWithTimeout(absl::Seconds(10))) << i;
    EXPECT_EQ(ReasonOf(results[i].status()), "NOT_LEADER") << i << ": " << results[i].status();
    EXPECT_EQ(results[i].status().code(), absl::StatusCode::kFailedPrecondition) << i;
  }
}

TEST_F(ReplicationTest, UnknownAppendStepsDown) {
  log_.Fail(absl::UnknownError("etcd did not answer"));
  auto w = WriteSteel(*leader_, "吴秀英", "req-u");
  EXPECT_EQ(ReasonOf(w.status()), "COMMIT_OUTCOME_UNKNOWN");
  EXPECT_THAT(step_downs(), SizeIs(1));
  EXPECT_FALSE(leader_->Stats().leading);
  EXPECT_EQ(ReasonOf(WriteSteel(*leader_, "吴秀英", "req-u").status()), "NOT_LEADER");
}

TEST_F(ReplicationTest, UnavailableLogFailsTheGroupAndKeepsLeading) {
  ASSERT_THAT(WriteSteel(*leader_, "吴秀英"), IsOk());
  const size_t appended = log_.entries().size();
  log_.Fail(absl::UnavailableError("no quorum"));
  auto w = WriteSteel(*leader_, "林志强");
  EXPECT_THAT(w, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ReasonOf(w.status()), "COMMIT_LOG_UNAVAILABLE");
  EXPECT_TRUE(leader_->Stats().leading);
  EXPECT_THAT(step_downs(), SizeIs(0));
  // The next group takes the same index, sequence and audit position.
  auto again = WriteSteel(*leader_, "林志强");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->record.revision(), 2);
  EXPECT_EQ(log_.entries().size(), appended + 1);
  CatchUp(*follower_, log_);
  ExpectSameAuditLog();
}

TEST_F(ReplicationTest, ReplayAfterPromotionReturnsTheFirstOutcome) {
  auto first = WriteSteel(*leader_, "吴秀英", "req-1");
  ASSERT_THAT(first, IsOk());
  CatchUp(*follower_, log_);
  leader_->Follow(absl::FailedPreconditionError("lease lost"));
  EXPECT_EQ(ReasonOf(WriteSteel(*leader_, "林志强").status()), "NOT_LEADER");
  EXPECT_THAT(step_downs(), SizeIs(0));  // Follow tells nobody

  ASSERT_THAT(follower_->Lead(&log_, [](absl::Status) {}), IsOk());
  auto replay = WriteSteel(*follower_, "吴秀英", "req-1");
  ASSERT_THAT(replay, IsOk());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->record.revision(), first->record.revision());
  EXPECT_EQ(replay->record.commit_sequence(), first->record.commit_sequence());
  auto next = WriteSteel(*follower_, "林志强", "req-2");
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->record.revision(), 2);
  EXPECT_EQ(next->record.commit_sequence(), first->record.commit_sequence() + 1);

  // The old leader follows the new one.
  CatchUp(*leader_, log_);
  std::swap(leader_, follower_);
  ExpectSameAuditLog();
}

TEST_F(ReplicationTest, EntriesStayWithinTheirBound) {
  leader_.reset();
  std::filesystem::remove_all(leader_dir_);
  max_entry_bytes_ = 4 << 10;
  leader_dir_ = MakeTempDir("leader");
  leader_ = OpenFollowing(leader_dir_);
  MemoryLog log;
  ASSERT_THAT(leader_->Lead(&log, [](absl::Status) {}), IsOk());
  catalog::Violations v;
  // A catalog is larger than the bound: it cannot be replicated in one entry.
  auto too_large = leader_->ApplyCatalog(ExampleCatalog("enterprise"), "governance", false, &v);
  ASSERT_THAT(too_large, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReasonOf(too_large.status()), "TOO_LARGE");
  EXPECT_EQ(leader_->Stats().audit_size, 0u);

  // Many small operations queued at once split into several entries, each within bounds.
  constexpr int kN = 200;
  absl::Mutex mu;
  int done = 0, ok = 0;
  for (int i = 0; i < kN; ++i) {
    leader_->AddReuseAsync("forms/f", {1, 2, 3, 4}, [&](absl::Status s) {
      absl::MutexLock lock(&mu);
      ++done;
      if (s.ok()) ++ok;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* d) { return *d == kN; }, &done));
  }
  EXPECT_EQ(ok, kN);
  const std::vector<std::string> entries = log.entries();
  EXPECT_GT(entries.size(), 1u);
  for (const std::string& bytes : entries) {
    auto e = CommitEntry::Decode(bytes);
    ASSERT_THAT(e, IsOk());
    EXPECT_LE(e->batch.size(), max_entry_bytes_);
  }
  auto sum = leader_->SumReuse("forms/f", 0, 0);
  ASSERT_THAT(sum, IsOk());
  EXPECT_EQ(sum->forms_served, kN);
  leader_.reset();  // before `log`
}

TEST_F(ReplicationTest, LocalModeWritesNoLogIndex) {
  const std::string dir = MakeTempDir("local");
  RocksDbStoreOptions o = Options(dir);
  o.start_following = false;
  auto local = RocksDbStore::Open(o);
  ASSERT_THAT(local, IsOk());
  catalog::Violations v;
  ASSERT_THAT((*local)->ApplyCatalog(ExampleCatalog("enterprise"), "governance", false, &v),
              IsOk());
  EXPECT_EQ((*local)->Stats().applied_log_index, 0u);
  EXPECT_FALSE((*local)->Stats().leading);
  EXPECT_EQ(ReasonOf((*local)->ApplyLogEntry(*CommitEntry::Decode(log_.entries()[0]))),
            "NOT_FOLLOWING");
  local->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce::store
