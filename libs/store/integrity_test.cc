// Stored values edited, swapped or put back with the store closed, as a tester with the data
// disk (and RocksDB, or ldb) would: reads refuse them with DATA_LOSS, never serving the
// altered bytes, and VerifyStates names the first state that is not the fold of its change
// sets.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/store/state_mac.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

namespace sv1 = ::collectonce::storage::v1;
using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace ::collectonce::store::testing;  // NOLINT

class IntegrityTest : public StoreFixture {
 protected:
  void Put(const char* name, const std::string& value) {
    WriteRequest r = Req(name);
    r.changes.push_back({"name", Str(value)});
    ASSERT_THAT(store_->WriteAndWait(std::move(r)), IsOk());
    Advance(absl::Seconds(10));
  }
  // Closes the store, lets `f` edit its directory, opens it again.
  void Tamper(const std::function<void(RawDb&)>& f) {
    store_.reset();
    {
      RawDb raw(dir_);
      f(raw);
    }
    Reopen();
  }
  static std::string Key(const char* name) {
    return keys::Subject(*catalog::ParseSubjectName(name));
  }
  static std::string KeyAt(const char* name, int64_t revision) {
    return keys::SubjectRevision(*catalog::ParseSubjectName(name), revision);
  }
  static void RenameTo(sv1::RecordState* s, const std::string& value) {
    for (auto& f : *s->mutable_fields()) {
      if (f.field() == "name") *f.mutable_value() = Str(value);
    }
  }
  // Creates a person found by `id_number`; returns the file's name.
  std::string PutPerson(const char* id_number, const std::string& name) {
    WriteRequest r = Req("", "public-security.household");
    r.kind = v1::PERSON;
    r.changes = {{"id_number", Str(id_number)}, {"name", Str(name)}};
    auto w = store_->WriteAndWait(std::move(r));
    EXPECT_THAT(w, IsOk());
    Advance(absl::Seconds(10));
    return w.ok() ? w->record.name() : "";
  }
  // The person-index key of `id_number` under the fixture's index key.
  std::string IndexHash(const char* id_number) { return Options().index_hash.Hash(id_number); }
  uint64_t Refused() { return store_->Stats().altered_values_refused; }
  // Takes the seals off every governance object (a store of format 6 or older).
  static void StripObjectSeals(RawDb& raw) {
    for (const std::string& key : raw.Keys(keys::kGovernanceCf)) {
      const std::string v = raw.Get(keys::kGovernanceCf, key);
      if (StateMac::IsSealed(v)) raw.Put(keys::kGovernanceCf, key, v.substr(StateMac::kOverhead));
    }
  }
  Store::StateCheck Verify() {
    auto c = store_->VerifyStates("", 1000);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? *c : Store::StateCheck{};
  }
};

MATCHER_P2(AlteredAt, subject, revision, "is DATA_LOSS STORED_DATA_ALTERED naming it") {
  const absl::Status& s = ::collectonce::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == absl::StatusCode::kDataLoss && ReasonOf(s) == "STORED_DATA_ALTERED" &&
         absl::StrContains(s.message(), subject) &&
         absl::StrContains(s.message(), absl::StrCat("revision ", revision));
}

TEST_F(IntegrityTest, AnEditedCurrentStateIsRefusedByEveryReadOfIt) {
  Put(kSteel, "三明钢源有限公司");
  const int64_t t1 = now_us_;
  Tamper([](RawDb& raw) {
    raw.EditSealed<sv1::RecordState>(keys::kCurrentCf, Key(kSteel),
                                     [](sv1::RecordState* s) { RenameTo(s, "改过的名称"); });
  });
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  EXPECT_THAT(store_->GetRecord(steel, AsOf::Current()), AlteredAt(kSteel, 1));
  EXPECT_THAT(store_->GetRecord(steel, AsOf::Revision(1)), AlteredAt(kSteel, 1));
  EXPECT_THAT(store_->GetRecord(steel, AsOf::CommitTime(t1)), AlteredAt(kSteel, 1));
  EXPECT_THAT(store_->GetRecord(steel, AsOf::ValidDay(absl::CivilDay(2026, 3, 1))),
              AlteredAt(kSteel, 1));
  EXPECT_EQ(Refused(), 4u);
  // Nothing is built on it either: a write to the subject is refused the same way.
  WriteRequest r = Req(kSteel);
  r.changes.push_back({"name", Str("新名称有限公司")});
  EXPECT_THAT(store_->WriteAndWait(std::move(r)), AlteredAt(kSteel, 1));
  const Store::StateCheck c = Verify();
  EXPECT_EQ(c.bad_subject, kSteel);
  EXPECT_EQ(c.problem, "the current state does not match its seal");
}

TEST_F(IntegrityTest, AnEditedSnapshotIsRefusedByReadsAsOfItsRevision) {
  Put(kSteel, "一号名称有限公司");
  const int64_t t1 = now_us_ - 1;  // before revision 2's commit time
  Put(kSteel, "二号名称有限公司");
  Tamper([](RawDb& raw) {
    raw.EditSealed<sv1::RecordState>(keys::kSnapshotsCf, KeyAt(kSteel, 1),
                                     [](sv1::RecordState* s) { RenameTo(s, "改过的名称"); });
  });
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  EXPECT_THAT(store_->GetRecord(steel, AsOf::Current()), IsOk());
  EXPECT_THAT(store_->GetRecord(steel, AsOf::Revision(1)), AlteredAt(kSteel, 1));
  EXPECT_THAT(store_->GetRecord(steel, AsOf::CommitTime(t1)), AlteredAt(kSteel, 1));
  EXPECT_EQ(Refused(), 2u);
  const Store::StateCheck c = Verify();
  EXPECT_EQ(c.bad_subject, kSteel);
  EXPECT_EQ(c.bad_revision, 1);
  EXPECT_EQ(c.problem, "the snapshot does not match its seal");
}

TEST_F(IntegrityTest, AnEditedChangeSetIsRefusedByHistoryAndTheChangeFeed) {
  Put(kSteel, "一号名称有限公司");
  Put(kSteel, "二号名称有限公司");
  Tamper([](RawDb& raw) {
    raw.EditSealed<v1::ChangeSet>(keys::kHistoryCf, KeyAt(kSteel, 2), [](v1::ChangeSet* cs) {
      *cs->mutable_changes(0)->mutable_new_value() = Str("改过的名称");
    });
  });
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  EXPECT_THAT(store_->ListHistory(steel, HistoryQuery()), AlteredAt(kSteel, 2));
  EXPECT_THAT(store_->ReadChangesAfter(0, 100), AlteredAt(kSteel, 2));
  const Store::StateCheck c = Verify();
  EXPECT_EQ(c.bad_revision, 2);
  EXPECT_EQ(c.problem, "the change set does not match its seal");
}

// Each value is bound to its subject: two subjects' values exchanged are both refused.
TEST_F(IntegrityTest, SwappedCurrentStatesOfTwoSubjectsAreRefused) {
  Put(kSteel, "钢源有限公司");
  Put(kPowder, "粉体有限公司");
  Tamper([](RawDb& raw) {
    const std::string a = raw.Get(keys::kCurrentCf, Key(kSteel));
    const std::string b = raw.Get(keys::kCurrentCf, Key(kPowder));
    raw.Put(keys::kCurrentCf, Key(kSteel), b);
    raw.Put(keys::kCurrentCf, Key(kPowder), a);
  });
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current()),
              AlteredAt(kSteel, 1));
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kPowder), AsOf::Current()),
              AlteredAt(kPowder, 1));
}

// A state moved to another revision of the same subject does not pass either.
TEST_F(IntegrityTest, ASnapshotMovedToAnotherRevisionIsRefused) {
  Put(kSteel, "一号名称有限公司");
  Put(kSteel, "二号名称有限公司");
  Put(kSteel, "三号名称有限公司");
  Tamper([](RawDb& raw) {
    raw.Put(keys::kSnapshotsCf, KeyAt(kSteel, 2), raw.Get(keys::kSnapshotsCf, KeyAt(kSteel, 1)));
  });
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Revision(2)),
              AlteredAt(kSteel, 2));
}

// What a seal cannot tell: an older state of the same subject put back as the current one
// opens. The fold of the change sets names it.
TEST_F(IntegrityTest, AnOlderStatePutBackAsCurrentIsNamedByTheFold) {
  Put(kPowder, "粉体有限公司");
  Put(kSteel, "一号名称有限公司");
  Put(kSteel, "二号名称有限公司");
  EXPECT_EQ(Verify().bad_subject, "");
  EXPECT_EQ(Verify().states, 3);
  Tamper([](RawDb& raw) {
    // The bytes revision 1 had as the current state: sealed, for this subject.
    raw.Put(keys::kCurrentCf, Key(kSteel), raw.Get(keys::kSnapshotsCf, KeyAt(kSteel, 1)));
  });
  const Store::StateCheck c = Verify();
  EXPECT_EQ(c.bad_subject, kSteel);
  EXPECT_THAT(c.problem, HasSubstr("the current state is at revision 1 but the change sets go on "
                                   "to revision 2"));
}

TEST_F(IntegrityTest, VerifyStatesPagesThroughSubjectsInKeyOrder) {
  for (int i = 0; i < 5; ++i) Put(Enterprise(i).c_str(), absl::StrCat("企业", i, "有限公司"));
  Put(Enterprise(3).c_str(), "改名后的企业有限公司");
  std::string after;
  int64_t subjects = 0, states = 0;
  for (int calls = 0; calls < 10; ++calls) {
    auto c = store_->VerifyStates(after, 2);
    ASSERT_THAT(c, IsOk());
    EXPECT_EQ(c->bad_subject, "");
    subjects += c->subjects;
    states += c->states;
    after = c->next_after;
    if (after.empty()) break;
  }
  EXPECT_TRUE(after.empty());
  EXPECT_EQ(subjects, 5);
  EXPECT_EQ(states, 6);
  EXPECT_THAT(store_->VerifyStates("not a key", 2), StatusIs(absl::StatusCode::kInvalidArgument));
}

// A store of format 5 or older holds bare values: they are sealed when it is opened, and
// read as before.
TEST_F(IntegrityTest, AnOlderStoresValuesAreSealedAtOpen) {
  Put(kSteel, "一号名称有限公司");
  Put(kSteel, "二号名称有限公司");
  Tamper([](RawDb& raw) {
    for (const char* cf :
         {keys::kCurrentCf, keys::kSnapshotsCf, keys::kHistoryCf, keys::kValidTimeCf}) {
      for (const std::string& key : raw.Keys(cf)) {
        const std::string v = raw.Get(cf, key);
        ASSERT_TRUE(StateMac::IsSealed(v));
        raw.Put(cf, key, v.substr(StateMac::kOverhead));
      }
    }
    StripObjectSeals(raw);
    raw.SetFormatVersion(5);
  });
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  auto current = store_->GetRecord(steel, AsOf::Current());
  ASSERT_THAT(current, IsOk());
  EXPECT_EQ(FieldText(*current, "name"), "二号名称有限公司");
  auto first = store_->GetRecord(steel, AsOf::Revision(1));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(FieldText(*first, "name"), "一号名称有限公司");
  auto history = store_->ListHistory(steel, HistoryQuery());
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->change_sets.size(), 2u);
  EXPECT_EQ(Verify().states, 2);
  EXPECT_EQ(Refused(), 0u);
  store_.reset();
  RawDb raw(dir_);
  for (const char* cf : {keys::kCurrentCf, keys::kSnapshotsCf, keys::kHistoryCf}) {
    for (const std::string& key : raw.Keys(cf)) EXPECT_TRUE(StateMac::IsSealed(raw.Get(cf, key)));
  }
  sv1::StoreMeta meta;
  ASSERT_TRUE(meta.ParseFromString(raw.Get("default", keys::kMetaKey)));
  EXPECT_EQ(meta.format_version(), 7);
  for (const std::string& key : raw.Keys(keys::kGovernanceCf)) {
    EXPECT_TRUE(StateMac::IsSealed(raw.Get(keys::kGovernanceCf, key)));
  }
}

// A matter kept as governance staff applied it; reads, lists and a new apply of an edited
// copy refuse it.
TEST_F(IntegrityTest, AnEditedGovernanceObjectIsRefusedByGetListAndApply) {
  ASSERT_THAT(store_->PutObject("matters", "matters/she-bao-deng-ji", "社保登记 v1", "governance"),
              IsOk());
  ASSERT_THAT(store_->PutObject("matters", "matters/she-bao-deng-ji", "社保登记 v2", "governance"),
              IsOk());
  Tamper([](RawDb& raw) {
    raw.EditSealed<sv1::GovernanceObject>(
        keys::kGovernanceCf, keys::Governance("matters", "matters/she-bao-deng-ji"),
        [](sv1::GovernanceObject* o) { o->set_payload("社保登记 forged"); });
  });
  auto names_it = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kDataLoss && ReasonOf(s) == "STORED_DATA_ALTERED" &&
           absl::StrContains(s.message(), "matters/she-bao-deng-ji (version 2)");
  };
  auto got = store_->GetObject("matters", "matters/she-bao-deng-ji");
  EXPECT_TRUE(names_it(got.status())) << got.status();
  auto listed = store_->ListObjects("matters", "", 10);
  EXPECT_TRUE(names_it(listed.status())) << listed.status();
  auto applied =
      store_->PutObject("matters", "matters/she-bao-deng-ji", "社保登记 v3", "governance");
  EXPECT_TRUE(names_it(applied.status())) << applied.status();
  EXPECT_EQ(Refused(), 3u);
}

// A listing bound to a name prefix ends at the first name past it without opening it: a
// subject's disputes are read on every GetRecord, and the next subject's (here edited on the
// disk) are none of that read's business.
TEST_F(IntegrityTest, APrefixListingOpensNothingPastItsPrefix) {
  for (const char* name :
       {"persons/a/disputes/1", "persons/a/disputes/2", "persons/b/disputes/1"}) {
    ASSERT_THAT(store_->PutObject("disputes", name, "pending", "governance"), IsOk());
  }
  Tamper([](RawDb& raw) {
    raw.EditSealed<sv1::GovernanceObject>(
        keys::kGovernanceCf, keys::Governance("disputes", "persons/b/disputes/1"),
        [](sv1::GovernanceObject* o) { o->set_payload("forged"); });
  });
  auto all = store_->ListObjects("disputes", "", 10, "persons/a/disputes/");
  ASSERT_THAT(all.status(), IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "persons/a/disputes/1");
  EXPECT_EQ((*all)[1].name, "persons/a/disputes/2");
  auto rest = store_->ListObjects("disputes", "persons/a/disputes/1", 10, "persons/a/disputes/");
  ASSERT_THAT(rest.status(), IsOk());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].name, "persons/a/disputes/2");
  EXPECT_EQ(Refused(), 0u);
  // Unbound, the listing reaches the edited object and refuses it.
  EXPECT_EQ(store_->ListObjects("disputes", "", 10).status().code(), absl::StatusCode::kDataLoss);
}

// A catalog edited on the disk would change what every write checks: the store does not
// open with it.
TEST_F(IntegrityTest, AnEditedCatalogStopsTheStoreFromOpening) {
  store_.reset();
  {
    RawDb raw(dir_);
    raw.EditSealed<sv1::GovernanceObject>(keys::kGovernanceCf,
                                          keys::Governance("catalogs", "person"),
                                          [](sv1::GovernanceObject* o) { o->set_version(9); });
  }
  auto opened = RocksDbStore::Open(Options());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << opened.status();
  EXPECT_THAT(opened.status().message(), HasSubstr("catalogs/person (version 9)"));
}

// Setting the meta's format back would make the open seal whatever it finds unsealed: an
// edited state stripped of its seal would come out sealed and be served. A store that holds
// sealed values is refused instead, and nothing is sealed.
TEST_F(IntegrityTest, AFormatSetBackOverSealedValuesIsRefusedNotResealed) {
  Put(kSteel, "一号名称有限公司");
  Tamper([](RawDb& raw) {
    const std::string key = Key(kSteel);
    sv1::RecordState state;
    ASSERT_TRUE(state.ParseFromString(raw.Get(keys::kCurrentCf, key).substr(StateMac::kOverhead)));
    RenameTo(&state, "伪造名称有限公司");
    raw.Put(keys::kCurrentCf, key, state.SerializeAsString());  // unsealed, edited
  });
  // At format 7 an unsealed value is refused (its revision unknown, as it is not opened).
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current()),
              AlteredAt(kSteel, 0));
  for (int32_t from : {5, 6}) {
    store_.reset();
    {
      RawDb raw(dir_);
      raw.SetFormatVersion(from);
    }
    auto opened = RocksDbStore::Open(Options());
    ASSERT_FALSE(opened.ok()) << "format " << from;
    EXPECT_EQ(ReasonOf(opened.status()), "STORE_FORMAT_SET_BACK") << opened.status();
    EXPECT_THAT(opened.status().message(), HasSubstr(absl::StrCat("says format ", from)));
    RawDb raw(dir_);
    EXPECT_FALSE(StateMac::IsSealed(raw.Get(keys::kCurrentCf, Key(kSteel))));
  }
}

// An upgrade stopped half way has sealed some values; the marker it wrote first (sealed
// under the key) lets the next open go on, and goes with the new meta.
TEST_F(IntegrityTest, AnInterruptedUpgradeGoesOnFromItsMarker) {
  Put(kSteel, "一号名称有限公司");
  Put(kSteel, "二号名称有限公司");
  const StateMac mac = StateMac::FromIndexKey(Options().index_hash);
  Tamper([&mac](RawDb& raw) {
    // Half sealed: the snapshots and history keep their seals, the rest lose them.
    for (const char* cf : {keys::kCurrentCf, keys::kValidTimeCf}) {
      for (const std::string& key : raw.Keys(cf)) {
        raw.Put(cf, key, raw.Get(cf, key).substr(StateMac::kOverhead));
      }
    }
    StripObjectSeals(raw);
    raw.SetFormatVersion(5);
    raw.Put("default", "sealing-upgrade",
            mac.Seal(SealedKind::kUpgrade, "sealing-upgrade", "format 7"));
  });
  auto current = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(current, IsOk());
  EXPECT_EQ(FieldText(*current, "name"), "二号名称有限公司");
  EXPECT_EQ(Refused(), 0u);
  store_.reset();
  RawDb raw(dir_);
  EXPECT_TRUE(raw.Keys("default").size() == 1) << "the marker is gone with the new meta";
}

// A marker made without the key is no marker.
TEST_F(IntegrityTest, AForgedUpgradeMarkerDoesNotLetValuesBeResealed) {
  Put(kSteel, "一号名称有限公司");
  store_.reset();
  {
    RawDb raw(dir_);
    const std::string v = raw.Get(keys::kCurrentCf, Key(kSteel));
    raw.Put(keys::kCurrentCf, Key(kSteel), v.substr(StateMac::kOverhead));
    raw.SetFormatVersion(5);
    const StateMac other = StateMac::FromIndexKey(KeyedHash::FromKey(std::string(32, 'x')));
    raw.Put("default", "sealing-upgrade",
            other.Seal(SealedKind::kUpgrade, "sealing-upgrade", "format 7"));
  }
  auto opened = RocksDbStore::Open(Options());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(ReasonOf(opened.status()), "STORE_FORMAT_SET_BACK") << opened.status();
}

// The person index maps a keyed hash of an ID number to a person id; its entries carry no
// seal of their own. Exchanging two persons' entries must not serve (or write) one person's
// file as the other's: the entry is checked against the sealed state it points at.
TEST_F(IntegrityTest, SwappedPersonIndexEntriesAreRefusedNotServedAsTheOtherPerson) {
  const std::string song = PutPerson(kSongId, "宋文富");
  const std::string wu = PutPerson(kWuId, "吴丽华");
  const std::string song_hash = IndexHash(kSongId), wu_hash = IndexHash(kWuId);
  Tamper([&](RawDb& raw) {
    const std::string a = raw.Get(keys::kPersonIndexCf, song_hash);
    const std::string b = raw.Get(keys::kPersonIndexCf, wu_hash);
    raw.Put(keys::kPersonIndexCf, song_hash, b);
    raw.Put(keys::kPersonIndexCf, wu_hash, a);
  });
  EXPECT_THAT(store_->FindPerson(kSongId), AlteredAt(wu, 1));
  EXPECT_THAT(store_->FindPerson(kWuId), AlteredAt(song, 1));
  EXPECT_THAT(store_->FindPerson(kSongId).status().message(), HasSubstr("person index entry"));
  EXPECT_EQ(Refused(), 3u);
  // Nor is the file read with the lookup (current or as of a revision).
  EXPECT_THAT(store_->GetPersonRecord(kSongId, AsOf::Current(), {}), AlteredAt(wu, 1));
  EXPECT_THAT(store_->GetPersonRecord(kWuId, AsOf::Revision(1), {}), AlteredAt(song, 1));
  EXPECT_EQ(Refused(), 5u);

  // A write that finds its person by ID number is refused too, and touches neither file.
  WriteRequest w = Req("", "public-security.household");
  w.kind = v1::PERSON;
  w.changes = {{"id_number", Str(kSongId)}, {"residential_address", Str("三元区富文新村12幢")}};
  EXPECT_THAT(store_->WriteAndWait(w), AlteredAt(wu, 1));
  for (const std::string& name : {song, wu}) {
    auto r = store_->GetRecord(*catalog::ParseSubjectName(name), AsOf::Current());
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->revision(), 1) << name;
  }
  // So is a write that would take an ID number the damaged index gives to someone else.
  WriteRequest take = Req(wu, "public-security.household");
  take.changes = {{"id_number", Str(kSongId)}};
  EXPECT_THAT(store_->WriteAndWait(take), AlteredAt(wu, 1));
}

TEST_F(IntegrityTest, APersonIndexEntryPointingAtNoFileIsRefused) {
  PutPerson(kSongId, "宋文富");
  const std::string hash = IndexHash(kSongId);
  Tamper([&](RawDb& raw) { raw.Put(keys::kPersonIndexCf, hash, "p0000000000000000000"); });
  EXPECT_THAT(store_->FindPerson(kSongId), AlteredAt("persons/p0000000000000000000", 0));
  EXPECT_THAT(store_->GetPersonRecord(kSongId, AsOf::Current(), {}),
              AlteredAt("persons/p0000000000000000000", 0));
}

TEST_F(IntegrityTest, SoundPersonIndexEntriesAreServed) {
  const std::string song = PutPerson(kSongId, "宋文富");
  const std::string wu = PutPerson(kWuId, "吴丽华");
  Tamper([](RawDb&) {});
  auto found = store_->FindPerson(kWuId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), wu);
  found = store_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), song);
  auto record = store_->GetPersonRecord(kWuId, AsOf::Current(), {});
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(record->name(), wu);
  EXPECT_EQ(Refused(), 0u);
}

}  // namespace
}  // namespace collectonce::store
