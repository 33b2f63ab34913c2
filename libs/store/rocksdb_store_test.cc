#include "libs/store/rocksdb_store.h"

#include <filesystem>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/store/change_builder.h"
#include "libs/store/keys.h"
#include "libs/store/state_mac.h"
#include "libs/store/test_util.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/backup_engine.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::ReasonIs;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using namespace ::collectonce::store::testing;  // NOLINT

const v1::FieldValue* FindField(const v1::Record& r, absl::string_view name) {
  for (const auto& f : r.fields()) {
    if (f.field() == name) return &f;
  }
  return nullptr;
}

class RocksDbStoreTest : public StoreFixture {
 protected:
  WriteResult CreateSteel() {
    WriteRequest r = Req(kSteel);
    r.changes = {{"name", Str("福建省钢源粉体材料有限公司")},
                 {"legal_representative_name", Str("吴秀英")},
                 {"registered_capital", Dec("5000")},
                 {"status", Code("1")}};
    r.reason = "设立登记";
    auto w = store_->WriteAndWait(r);
    EXPECT_THAT(w, IsOk());
    return w.ok() ? *w : WriteResult();
  }
  WriteResult CreateSong() {
    WriteRequest r = Req("", "public-security.household");
    r.kind = v1::PERSON;
    r.changes = {{"id_number", Str(kSongId)},
                 {"name", Str("宋文富")},
                 {"gender", Code("1")},
                 {"birth_date", DateV(1945, 3, 12)},
                 {"household_address", Str("三明市三元区富文新村12幢301室")}};
    auto w = store_->WriteAndWait(r);
    EXPECT_THAT(w, IsOk());
    return w.ok() ? *w : WriteResult();
  }
};

TEST_F(RocksDbStoreTest, CreatesAndReadsAnEnterprise) {
  WriteResult w = CreateSteel();
  EXPECT_EQ(w.record.revision(), 1);
  EXPECT_EQ(w.record.commit_sequence(), 1);
  ASSERT_TRUE(w.change_set.has_value());
  EXPECT_THAT(w.change_set->changes(), SizeIs(4));

  auto r = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->name(), kSteel);
  EXPECT_EQ(r->revision(), 1);
  EXPECT_EQ(r->etag(), w.record.etag());
  const v1::FieldValue* capital = FindField(*r, "registered_capital");
  ASSERT_NE(capital, nullptr);
  EXPECT_EQ(capital->value().decimal_value(), "5000");
  EXPECT_EQ(capital->provenance().source(), "market-regulation");
  EXPECT_EQ(capital->provenance().principal(), "test-principal");
  EXPECT_EQ(capital->provenance().revision(), 1);
  EXPECT_EQ(capital->provenance().valid_from().year(), 2026);  // defaults to the commit date
  EXPECT_EQ(store_->Stats().last_commit_sequence, 1);
}

TEST_F(RocksDbStoreTest, UnknownSubjectIsNotFound) {
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kPowder), AsOf::Current()),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RocksDbStoreTest, PersonIsFoundByIdNumberAndCreatedOnce) {
  WriteResult first = CreateSong();
  const std::string name = first.record.name();
  EXPECT_THAT(name, ::testing::StartsWith("persons/"));
  EXPECT_EQ(name.find(kSongId), std::string::npos);

  // The same ID number (lower-case check character would be normalised too) finds him.
  WriteRequest again = Req("", "public-security.household");
  again.kind = v1::PERSON;
  again.changes = {{"id_number", Str(kSongId)}, {"residential_address", Str("三元区富文新村12幢")}};
  auto w = store_->WriteAndWait(again);
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ(w->record.name(), name);
  EXPECT_EQ(w->record.revision(), 2);

  auto found = store_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), name);
  EXPECT_THAT(store_->FindPerson(kWuId), StatusIs(absl::StatusCode::kNotFound));

  // Found and read at once: the current revision, or an earlier one.
  auto current = store_->GetPersonRecord(kSongId, AsOf::Current(), {});
  ASSERT_THAT(current, IsOk());
  EXPECT_EQ(current->name(), name);
  EXPECT_EQ(current->revision(), 2);
  auto earlier = store_->GetPersonRecord(kSongId, AsOf::Revision(1), {});
  ASSERT_THAT(earlier, IsOk());
  EXPECT_EQ(earlier->revision(), 1);
  EXPECT_THAT(store_->GetPersonRecord(kWuId, AsOf::Current(), {}),
              StatusIs(absl::StatusCode::kNotFound));
}

// The person index is only as good as its key: with another key the store would find
// nobody and create every person again, so it refuses to open.
TEST_F(RocksDbStoreTest, AStoreRefusesAnIndexKeyThatIsNotItsOwn) {
  const std::string name = CreateSong().record.name();
  store_.reset();
  RocksDbStoreOptions other = Options();
  other.index_hash = KeyedHash::FromKey("fedcba9876543210fedcba9876543210");
  auto refused = RocksDbStore::Open(std::move(other));
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("not the key this store's person index")));
  EXPECT_EQ(ReasonOf(refused.status()), "INDEX_KEY_MISMATCH");

  Reopen();  // its own key: the person is found, not created again
  auto found = store_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), name);
}

TEST_F(RocksDbStoreTest, PersonIndexKeysAreKeyedHashesNotIdNumbers) {
  CreateSong();
  store_.reset();
  // Open the directory behind the store's back and look at every index key.
  RawDb raw(dir_);
  int index_keys = 0;
  for (const std::string& key : raw.Keys(keys::kPersonIndexCf)) {
    ++index_keys;
    EXPECT_EQ(key.size(), 32u);
    EXPECT_EQ(key.find("350403"), std::string::npos);
  }
  EXPECT_EQ(index_keys, 1);
}

TEST_F(RocksDbStoreTest, OnlySupersededStatesAreSnapshotsAndVersionOneStoresStillRead) {
  CreateSteel();
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  WriteRequest r = Req(kSteel);
  r.changes = {{"legal_representative_name", Str("林志强")}};
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  store_.reset();
  {
    RawDb raw(dir_);
    // Revision 2 is current: only revision 1's state went to `snapshots`.
    EXPECT_THAT(raw.Keys(keys::kSnapshotsCf), ElementsAre(keys::SubjectRevision(steel, 1)));
    // What a version 1 build left: the current revision in `snapshots` too.
    std::string current;
    ASSERT_TRUE(
        raw.db()
            ->Get(rocksdb::ReadOptions(), raw.cf(keys::kCurrentCf), keys::Subject(steel), &current)
            .ok());
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.cf(keys::kSnapshotsCf),
                          keys::SubjectRevision(steel, 2), current)
                    .ok());
    raw.MakeOlderFormat(1);
  }
  Reopen();
  Advance(absl::Hours(1));
  WriteRequest third = Req(kSteel);
  third.changes = {{"legal_representative_name", Str("陈建华")}};
  ASSERT_THAT(store_->WriteAndWait(third), IsOk());
  const std::vector<std::string> names = {"", "吴秀英", "林志强", "陈建华"};
  for (int64_t rev : {1, 2, 3}) {
    auto rec = store_->GetRecord(steel, AsOf::Revision(rev), {});
    ASSERT_THAT(rec, IsOk()) << rev;
    EXPECT_EQ(rec->revision(), rev);
    std::string legal_rep;
    for (const auto& f : rec->fields()) {
      if (f.field() == "legal_representative_name") legal_rep = f.value().string_value();
    }
    EXPECT_EQ(legal_rep, names[rev]) << rev;
  }
  EXPECT_THAT(store_->GetRecord(steel, AsOf::Revision(4), {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("at revision 3")));

  // A store written by a newer format is refused, not misread.
  store_.reset();
  {
    RawDb raw(dir_);
    raw.SetFormatVersion(8);
  }
  auto newer = RocksDbStore::Open(Options());
  EXPECT_THAT(newer.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("format version 8")));
}

// Since format 5 revision 1 writes no timeline entry: reads as of a time find it by the
// record's create time. Stores that have the entry (format 4 and before) read the same.
TEST_F(RocksDbStoreTest, RevisionOneHasNoTimelineEntryYetReadsAsOfATimeFindIt) {
  const WriteResult created = CreateSteel();
  const auto& ct = created.record.create_time();
  const int64_t t1 = ct.seconds() * 1000000 + ct.nanos() / 1000;
  Advance(absl::Hours(1));
  WriteRequest r = Req(kSteel);
  r.changes = {{"legal_representative_name", Str("林志强")}};
  auto second = store_->WriteAndWait(r);
  ASSERT_THAT(second, IsOk());
  const auto& ut = second->record.update_time();
  const int64_t t2 = ut.seconds() * 1000000 + ut.nanos() / 1000;
  ASSERT_GT(t2, t1);
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);

  auto check = [&](const char* store_kind) {
    SCOPED_TRACE(store_kind);
    EXPECT_THAT(store_->GetRecord(steel, AsOf::CommitTime(t1 - 1), {}),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("had no record at that time")));
    for (int64_t t : {t1, t1 + 1, t2 - 1}) {
      auto rec = store_->GetRecord(steel, AsOf::CommitTime(t), {});
      ASSERT_THAT(rec, IsOk()) << t;
      EXPECT_EQ(rec->revision(), 1) << t;
    }
    for (int64_t t : {t2, t2 + 1}) {
      auto rec = store_->GetRecord(steel, AsOf::CommitTime(t), {});
      ASSERT_THAT(rec, IsOk()) << t;
      EXPECT_EQ(rec->revision(), 2) << t;
    }
  };
  check("format 5");
  store_.reset();
  {
    RawDb raw(dir_);
    EXPECT_THAT(raw.Keys(keys::kTimelineCf), ElementsAre(keys::Timeline(steel, t2, 2)));
    // What a format 4 build wrote for revision 1.
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.cf(keys::kTimelineCf),
                          keys::Timeline(steel, t1, 1), "")
                    .ok());
    raw.MakeOlderFormat(4);
  }
  Reopen();
  check("format 4");
}

// Format 3 keeps a write's provenance once per state, not once per field; states of a
// version 2 store (provenance in every field) still read, and take new writes, correctly.
TEST_F(RocksDbStoreTest, StatesKeepEachProvenanceOnceAndVersionTwoStatesStillRead) {
  CreateSteel();
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  store_.reset();
  {
    RawDb raw(dir_);
    std::string bytes;
    ASSERT_TRUE(
        raw.db()
            ->Get(rocksdb::ReadOptions(), raw.cf(keys::kCurrentCf), keys::Subject(steel), &bytes)
            .ok());
    storage::v1::RecordState state;
    ASSERT_TRUE(StateMac::IsSealed(bytes));  // format 6; what format 2 wrote was bare
    ASSERT_TRUE(state.ParseFromString(bytes.substr(StateMac::kOverhead)));
    ASSERT_EQ(state.fields_size(), 4);
    ASSERT_EQ(state.provenances_size(), 1);
    EXPECT_EQ(state.provenances(0).source(), "market-regulation");
    EXPECT_EQ(state.provenances(0).revision(), 1);
    for (const auto& f : state.fields()) {
      EXPECT_EQ(f.provenance().ByteSizeLong(), 2u) << f.field() << ": only the revision";
    }
    // What a version 2 build left: the full provenance in every field, no table.
    storage::v1::RecordState old = state;
    old.clear_provenances();
    for (int i = 0; i < old.fields_size(); ++i) {
      ExpandField(state, state.fields(i), old.mutable_fields(i));
    }
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.cf(keys::kCurrentCf), keys::Subject(steel),
                          old.SerializeAsString())
                    .ok());
    raw.MakeOlderFormat(2);
  }
  Reopen();
  Advance(absl::Hours(1));
  WriteRequest second = Req(kSteel);
  second.principal = "registration-system";
  second.changes = {{"legal_representative_name", Str("林志强")}};
  ASSERT_THAT(store_->WriteAndWait(second), IsOk());

  auto source_of = [](const v1::Record& r, const std::string& field) {
    for (const auto& f : r.fields()) {
      if (f.field() == field) {
        return absl::StrCat(f.provenance().source(), "@", f.provenance().revision(), " by ",
                            f.provenance().principal());
      }
    }
    return std::string("missing");
  };
  auto now = store_->GetRecord(steel, AsOf::Current(), {});
  ASSERT_THAT(now, IsOk());
  EXPECT_EQ(source_of(*now, "name"), "market-regulation@1 by test-principal");
  EXPECT_EQ(source_of(*now, "legal_representative_name"),
            "market-regulation@2 by registration-system");
  auto first = store_->GetRecord(steel, AsOf::Revision(1), {});
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(source_of(*first, "legal_representative_name"),
            "market-regulation@1 by test-principal");
  for (const auto& f : now->fields()) EXPECT_TRUE(f.provenance().has_commit_time()) << f.field();
}

TEST_F(RocksDbStoreTest, StaleExpectedRevisionIsAbortedAndWritesNothing) {
  CreateSteel();
  WriteRequest r = Req(kSteel);
  r.changes = {{"legal_representative_name", Str("林志强")}};
  r.expected_revision = 1;
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());

  WriteRequest stale = Req(kSteel);
  stale.changes = {{"legal_representative_name", Str("陈建华")}};
  stale.expected_revision = 1;
  EXPECT_THAT(store_->WriteAndWait(stale),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("is at revision 2")));

  WriteRequest create_only = Req(kSteel);
  create_only.changes = {{"legal_representative_name", Str("陈建华")}};
  create_only.expected_revision = 0;
  EXPECT_THAT(store_->WriteAndWait(create_only), StatusIs(absl::StatusCode::kAborted));

  WriteRequest bad_etag = Req(kSteel);
  bad_etag.changes = {{"legal_representative_name", Str("陈建华")}};
  bad_etag.expected_etag = "1-1";
  EXPECT_THAT(store_->WriteAndWait(bad_etag), StatusIs(absl::StatusCode::kAborted));

  auto rec = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(rec, IsOk());
  EXPECT_EQ(rec->revision(), 2);
  EXPECT_EQ(FindField(*rec, "legal_representative_name")->value().string_value(), "林志强");
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
}

TEST_F(RocksDbStoreTest, RequestIdMakesAWriteIdempotent) {
  CreateSteel();
  WriteRequest r = Req(kSteel);
  r.changes = {{"employee_count", Int(120)}};
  r.provenance.set_source("human-resources.social-insurance");
  r.request_id = "si-2026-0001";
  auto first = store_->WriteAndWait(r);
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->replayed);
  const auto audit_size = store_->Stats().audit_size;

  auto retry = store_->WriteAndWait(r);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->record.revision(), first->record.revision());
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
  EXPECT_EQ(store_->Stats().audit_size, audit_size);

  WriteRequest other = r;
  other.changes = {{"employee_count", Int(121)}};
  EXPECT_THAT(store_->WriteAndWait(other),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already used")));

  // Another principal may use the same id for its own request.
  WriteRequest mine = other;
  mine.principal = "another-system";
  ASSERT_THAT(store_->WriteAndWait(mine), IsOk());
}

TEST_F(RocksDbStoreTest, LowerPrecedenceSourceCannotReplaceAuthorityValue) {
  CreateSong();
  WriteRequest r = Req("", "service-center");
  r.kind = v1::PERSON;
  r.changes = {{"id_number", Str(kSongId)}, {"name", Str("宋文福")}};
  catalog::Violations v;
  auto w = store_->WriteAndWait(r, &v);
  EXPECT_THAT(
      w, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("public-security.household")));
  EXPECT_THAT(w.status().message(), HasSubstr("service-center"));
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_EQ(v[0].field, "name");
  EXPECT_EQ(v[0].rule, "SOURCE_AUTHORITY");

  // The authority itself may correct it.
  r.provenance.set_source("public-security.household");
  r.reason = "更正姓名";
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());
}

TEST_F(RocksDbStoreTest, EveryBadValueIsReportedAndNothingIsWritten) {
  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("")},
               {"registered_capital", Dec("-5")},
               {"status", Code("99")},
               {"contact_phone", Str("12345")},
               {"employee_count", Str("many")},
               {"no_such_field", Str("x")}};
  catalog::Violations v;
  EXPECT_THAT(store_->WriteAndWait(r, &v), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& x : v) fields.push_back(x.field + "/" + x.rule);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("name/LENGTH", "registered_capital/RANGE",
                                                      "status/CODE", "contact_phone/FORMAT",
                                                      "employee_count/TYPE",
                                                      "no_such_field/UNKNOWN_FIELD"));
  EXPECT_THAT(store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store_->Stats().last_commit_sequence, 0);
}

TEST_F(RocksDbStoreTest, BadIdNumberIsRejectedWithoutEchoingIt) {
  WriteRequest r = Req("", "public-security.household");
  r.kind = v1::PERSON;
  std::string bad = kSongId;
  bad[17] = bad[17] == '2' ? '3' : '2';
  r.changes = {{"id_number", Str(bad)}, {"name", Str("宋文富")}};
  catalog::Violations v;
  auto w = store_->WriteAndWait(r, &v);
  EXPECT_THAT(w, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check character")));
  EXPECT_EQ(std::string(w.status().message()).find(bad.substr(0, 12)), std::string::npos);
  EXPECT_EQ(store_->Stats().last_commit_sequence, 0);
}

TEST_F(RocksDbStoreTest, BirthDateMustAgreeWithIdNumber) {
  WriteRequest r = Req("", "public-security.household");
  r.kind = v1::PERSON;
  r.changes = {{"id_number", Str(kWuId)},
               {"name", Str("吴丽华")},
               {"gender", Code("1")},
               {"birth_date", DateV(1992, 8, 16)}};
  catalog::Violations v;
  EXPECT_THAT(store_->WriteAndWait(r, &v), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& x : v) fields.push_back(x.field + "/" + x.rule);
  EXPECT_THAT(fields,
              ::testing::UnorderedElementsAre("birth_date/CROSS_FIELD", "gender/CROSS_FIELD"));
  EXPECT_THAT(store_->FindPerson(kWuId), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RocksDbStoreTest, RequiredFieldsOnCreateAndClear) {
  WriteRequest r = Req(kSteel);
  r.changes = {{"status", Code("1")}};
  catalog::Violations v;
  EXPECT_THAT(store_->WriteAndWait(r, &v), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_EQ(v[0].field, "name");
  EXPECT_EQ(v[0].rule, "REQUIRED");

  CreateSteel();
  WriteRequest clear = Req(kSteel);
  clear.changes = {{"name", std::nullopt}};
  EXPECT_THAT(store_->WriteAndWait(clear), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RocksDbStoreTest, SameValuesWriteNothing) {
  CreateSteel();
  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("福建省钢源粉体材料有限公司")}, {"registered_capital", Dec("5000.00")}};
  auto w = store_->WriteAndWait(r);
  ASSERT_THAT(w, IsOk());
  EXPECT_TRUE(w->unchanged);
  EXPECT_FALSE(w->change_set.has_value());
  EXPECT_EQ(w->record.revision(), 1);
  EXPECT_EQ(store_->Stats().last_commit_sequence, 1);
}

TEST_F(RocksDbStoreTest, ClearingAFieldRemovesItAndKeepsHistory) {
  CreateSteel();
  WriteRequest r = Req(kSteel);
  r.changes = {{"status", std::nullopt}};
  r.reason = "状态待核实";
  auto w = store_->WriteAndWait(r);
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ(FindField(w->record, "status"), nullptr);
  ASSERT_TRUE(w->change_set);
  EXPECT_TRUE(w->change_set->changes(0).cleared());
  EXPECT_EQ(w->change_set->changes(0).old_value().code_value(), "1");
  auto old = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Revision(1));
  ASSERT_THAT(old, IsOk());
  ASSERT_NE(FindField(*old, "status"), nullptr);
}

TEST_F(RocksDbStoreTest, IdNumberOfAnotherPersonIsRefused) {
  CreateSong();
  WriteRequest wu = Req("", "public-security.household");
  wu.kind = v1::PERSON;
  wu.changes = {{"id_number", Str(kWuId)}, {"name", Str("吴丽华")}};
  auto w = store_->WriteAndWait(wu);
  ASSERT_THAT(w, IsOk());
  WriteRequest steal = Req(w->record.name(), "public-security.household");
  steal.changes = {{"id_number", Str(kSongId)}};
  // ALREADY_EXISTS: the ID number exists in another file, whatever state this one is in.
  EXPECT_THAT(store_->WriteAndWait(steal),
              AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ReasonIs("ID_NUMBER_IN_USE")));
  auto found = store_->FindPerson(kWuId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), w->record.name());
}

TEST_F(RocksDbStoreTest, FutureValidFromIsRefused) {
  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("三明市梅列区某某商贸有限公司")}};
  r.provenance.mutable_valid_from()->set_year(2026);
  r.provenance.mutable_valid_from()->set_month(3);
  r.provenance.mutable_valid_from()->set_day(2);
  EXPECT_THAT(store_->WriteAndWait(r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("future")));
}

TEST_F(RocksDbStoreTest, HistoryIsNewestFirstPagedAndFiltered) {
  CreateSteel();
  for (int i = 0; i < 5; ++i) {
    Advance(absl::Hours(1));
    WriteRequest r = Req(kSteel);
    r.changes = {{i % 2 ? "registered_capital" : "legal_representative_name",
                  i % 2 ? Dec(absl::StrCat(6000 + i)) : Str(absl::StrCat("法人", i))}};
    r.reason = absl::StrCat("变更 ", i);
    ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  }
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  HistoryQuery q;
  q.page_size = 4;
  auto page = store_->ListHistory(steel, q);
  ASSERT_THAT(page, IsOk());
  std::vector<int64_t> revs;
  for (const auto& cs : page->change_sets) revs.push_back(cs.revision());
  EXPECT_THAT(revs, ElementsAre(6, 5, 4, 3));
  EXPECT_EQ(page->change_sets[0].reason(), "变更 4");
  EXPECT_EQ(page->change_sets[0].principal(), "test-principal");
  q.before_revision = page->next_before_revision;
  page = store_->ListHistory(steel, q);
  ASSERT_THAT(page, IsOk());
  revs.clear();
  for (const auto& cs : page->change_sets) revs.push_back(cs.revision());
  EXPECT_THAT(revs, ElementsAre(2, 1));
  EXPECT_EQ(page->next_before_revision, 0);

  HistoryQuery by_field;
  by_field.field = "registered_capital";
  page = store_->ListHistory(steel, by_field);
  ASSERT_THAT(page, IsOk());
  revs.clear();
  for (const auto& cs : page->change_sets) revs.push_back(cs.revision());
  EXPECT_THAT(revs, ElementsAre(5, 3, 1));
  // old and new values are both in the change set
  EXPECT_EQ(page->change_sets[0].changes(0).old_value().decimal_value(), "6001");
  EXPECT_EQ(page->change_sets[0].changes(0).new_value().decimal_value(), "6003");
}

TEST_F(RocksDbStoreTest, ChangesAfterASequenceComeInOrder) {
  CreateSteel();
  CreateSong();
  WriteRequest r = Req(kSteel);
  r.changes = {{"employee_count", Int(40)}};
  r.provenance.set_source("human-resources.social-insurance");
  ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  auto all = store_->ReadChangesAfter(0, 10);
  ASSERT_THAT(all, IsOk());
  ASSERT_THAT(*all, SizeIs(3));
  EXPECT_EQ((*all)[0].commit_sequence(), 1);
  EXPECT_EQ((*all)[2].commit_sequence(), 3);
  EXPECT_EQ((*all)[2].subject(), kSteel);
  auto tail = store_->ReadChangesAfter(2, 10);
  ASSERT_THAT(tail, IsOk());
  ASSERT_THAT(*tail, SizeIs(1));
  EXPECT_EQ((*tail)[0].commit_sequence(), 3);
}

TEST_F(RocksDbStoreTest, ReopenKeepsEverything) {
  WriteResult steel = CreateSteel();
  WriteResult song = CreateSong();
  const auto stats = store_->Stats();
  Reopen();
  auto r = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->etag(), steel.record.etag());
  auto found = store_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), song.record.name());
  EXPECT_EQ(store_->Stats().last_commit_sequence, stats.last_commit_sequence);
  EXPECT_EQ(store_->Stats().audit_size, stats.audit_size);
  auto cat = store_->GetCatalog(v1::PERSON);
  ASSERT_THAT(cat, IsOk());
  EXPECT_EQ((*cat)->version(), 1);
  // The sequence continues where it stopped.
  WriteRequest w = Req(kSteel);
  w.changes = {{"employee_count", Int(7)}};
  auto next = store_->WriteAndWait(w);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->record.commit_sequence(), stats.last_commit_sequence + 1);
}

TEST_F(RocksDbStoreTest, ConcurrentWritersLoseNoUpdate) {
  CreateSteel();
  const SubjectName steel = *catalog::ParseSubjectName(kSteel);
  constexpr int kThreads = 8, kIncrements = 40;
  std::vector<std::thread> threads;
  std::atomic<int> aborted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto cur = store_->GetRecord(steel, AsOf::Current());
        ASSERT_THAT(cur, IsOk());
        const v1::FieldValue* f = FindField(*cur, "employee_count");
        int64_t n = f ? f->value().int64_value() : 0;
        WriteRequest w = Req(kSteel);
        w.changes = {{"employee_count", Int(n + 1)}};
        w.expected_revision = cur->revision();
        auto res = store_->WriteAndWait(w);
        if (res.ok()) {
          ++i;
        } else {
          ASSERT_THAT(res, StatusIs(absl::StatusCode::kAborted));
          ++aborted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto fin = store_->GetRecord(steel, AsOf::Current());
  ASSERT_THAT(fin, IsOk());
  EXPECT_EQ(FindField(*fin, "employee_count")->value().int64_value(), kThreads * kIncrements);
  EXPECT_EQ(fin->revision(), 1 + kThreads * kIncrements);
  // Revisions have no gap: every one of them is readable.
  for (int64_t rev = 1; rev <= fin->revision(); ++rev) {
    auto r = store_->GetRecord(steel, AsOf::Revision(rev));
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->revision(), rev);
  }
}

TEST_F(RocksDbStoreTest, AsOfReadsCostTheSameAtOneAndTenThousandRevisions) {
  const SubjectName one = *catalog::ParseSubjectName(kSteel);
  const SubjectName many = *catalog::ParseSubjectName(kPowder);
  for (const SubjectName* s : {&one, &many}) {
    WriteRequest r = Req(s->ToString());
    r.changes = {{"name", Str("三明市测试企业有限公司")},
                 {"legal_representative_name", Str("郑明")},
                 {"registered_capital", Dec("100")},
                 {"status", Code("1")}};
    ASSERT_THAT(store_->WriteAndWait(r), IsOk());
  }
  // 10,000 revisions on one subject, submitted without waiting so they commit in groups.
  absl::Mutex mu;
  int pending = 9999;
  absl::Status first_error;
  for (int i = 0; i < 9999; ++i) {
    Advance(absl::Seconds(30));
    WriteRequest r = Req(many.ToString());
    r.changes = {{i % 2 ? "legal_representative_name" : "registered_capital",
                  i % 2 ? Str(absl::StrCat("法人", i)) : Dec(absl::StrCat(1000 + i))}};
    store_->Write(std::move(r), [&](absl::StatusOr<WriteResult> w, catalog::Violations) {
      absl::MutexLock lock(&mu);
      if (!w.ok() && first_error.ok()) first_error = w.status();
      --pending;
    });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* p) { return *p == 0; }, &pending));
    ASSERT_THAT(first_error, IsOk());
  }
  auto head = store_->GetRecord(many, AsOf::Current());
  ASSERT_THAT(head, IsOk());
  ASSERT_EQ(head->revision(), 10000);

  auto cost = [&](const SubjectName& s, const AsOf& as_of) {
    OperationCounts before = store_->Counts();
    auto r = store_->GetRecord(s, as_of, {});
    EXPECT_THAT(r, IsOk());
    OperationCounts after = store_->Counts();
    return std::make_pair(after.gets - before.gets, after.seeks - before.seeks);
  };
  const int64_t now = now_us_.load();
  // The writes above commit in groups, at times the committer reads from the clock as it
  // gets to them: read the commit times of revisions back rather than predict them.
  auto commit_time_of = [&](int64_t revision) -> int64_t {
    auto r = store_->GetRecord(many, AsOf::Revision(revision), {});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->update_time().seconds() * 1000000 + r->update_time().nanos() / 1000 : 0;
  };
  const int64_t t_early = commit_time_of(2);
  const int64_t t_mid = commit_time_of(5000);
  // A superseded revision is one get in `snapshots` at any depth; the current revision is a
  // miss there and one get in `current`, also at any depth.
  EXPECT_EQ(cost(many, AsOf::Revision(1)), cost(many, AsOf::Revision(5000)));
  EXPECT_EQ(cost(one, AsOf::Revision(1)), cost(many, AsOf::Revision(10000)));
  EXPECT_EQ(cost(many, AsOf::CommitTime(t_early)), cost(many, AsOf::CommitTime(t_mid)));
  // Revision 1 has no timeline entry: the seek misses, then the current state (for its
  // create time) and revision 1's snapshot.
  const auto first_of_many = cost(many, AsOf::CommitTime(t_early - 1));
  EXPECT_EQ(first_of_many.first, 2u);
  EXPECT_EQ(first_of_many.second, 1u);
  const int64_t later = now + absl::ToInt64Microseconds(absl::Hours(1));  // after every commit
  // A record still at revision 1 has no timeline entry: the seek misses and its current
  // state answers, one get fewer than the newest of 10,000 revisions.
  const auto time_one = cost(one, AsOf::CommitTime(later));
  const auto time_many = cost(many, AsOf::CommitTime(later));
  EXPECT_EQ(time_one.first + 1, time_many.first);
  EXPECT_EQ(time_one.second, time_many.second);
  // Valid time reads revision 1, which for `one` is the current state already in hand.
  const auto valid_one = cost(one, AsOf::ValidDay(absl::CivilDay(2026, 3, 2)));
  const auto valid_many = cost(many, AsOf::ValidDay(absl::CivilDay(2026, 3, 2)));
  EXPECT_EQ(valid_one.first + 1, valid_many.first);
  EXPECT_EQ(valid_one.second, valid_many.second);
  EXPECT_EQ(cost(one, AsOf::Current()), cost(many, AsOf::Current()));
  // And the reads are a handful of operations, not a scan.
  auto [gets, seeks] = cost(many, AsOf::ValidDay(absl::CivilDay(2026, 3, 2)));
  EXPECT_LE(gets + seeks, 8u);
}

TEST_F(RocksDbStoreTest, AuditLogHasALeafForEveryCommittedEvent) {
  // Two catalogs were applied in SetUp.
  EXPECT_EQ(store_->Stats().audit_size, 2u);
  CreateSteel();
  WriteResult song = CreateSong();
  AccessRecord access;
  access.principal = "approval.real-estate";
  access.event.set_subject(song.record.name());
  access.event.add_fields("name");
  access.event.set_purpose("matters/real-estate-transfer");
  ASSERT_THAT(store_->RecordAccessAndWait(access), IsOk());
  EXPECT_EQ(store_->Stats().audit_size, 5u);
  auto e = store_->ReadAuditEntry(2);
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->index(), 2u);
  ASSERT_TRUE(e->has_change());
  EXPECT_EQ(e->change().subject(), kSteel);
  EXPECT_EQ(e->change().change_set_sha256().size(), 32u);
  auto a = store_->ReadAuditEntry(4);
  ASSERT_THAT(a, IsOk());
  ASSERT_TRUE(a->has_access());
  EXPECT_EQ(a->access().purpose(), "matters/real-estate-transfer");
  EXPECT_EQ(a->principal(), "approval.real-estate");
}

TEST_F(RocksDbStoreTest, CatalogEvolutionRules) {
  v1::Catalog c = ExampleCatalog("enterprise");
  // Identical: no new version.
  auto same = store_->ApplyCatalog(c, "governance", false, nullptr);
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->version(), 1);
  // Removing a field is refused.
  v1::Catalog removed = c;
  removed.mutable_fields()->RemoveLast();
  catalog::Violations v;
  EXPECT_THAT(store_->ApplyCatalog(removed, "governance", false, &v),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].rule, "FIELD_REMOVED");
  // Retyping is refused.
  v1::Catalog retyped = c;
  retyped.mutable_fields(0)->set_type(v1::INT64);
  v.clear();
  EXPECT_THAT(store_->ApplyCatalog(retyped, "governance", false, &v),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Adding a field is a new version; a dry run stores nothing.
  v1::Catalog added = c;
  auto* f = added.add_fields();
  f->set_name("website");
  f->set_label("网址");
  f->set_type(v1::STRING);
  auto dry = store_->ApplyCatalog(added, "governance", true, nullptr);
  ASSERT_THAT(dry, IsOk());
  EXPECT_EQ(dry->version(), 2);
  EXPECT_EQ((*store_->GetCatalog(v1::ENTERPRISE))->version(), 1);
  auto applied = store_->ApplyCatalog(added, "governance", false, nullptr);
  ASSERT_THAT(applied, IsOk());
  EXPECT_EQ(applied->version(), 2);
  EXPECT_EQ((*store_->GetCatalog(v1::ENTERPRISE))->version(), 2);
  Reopen();
  EXPECT_EQ((*store_->GetCatalog(v1::ENTERPRISE))->version(), 2);
}

TEST_F(RocksDbStoreTest, BackupRestoresEveryRecordAndTheAuditLog) {
  WriteResult steel = CreateSteel();
  WriteResult song = CreateSong();
  const std::string backups = dir_ + "-backups";
  auto info = store_->CreateBackup(backups);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->last_commit_sequence, 2);
  EXPECT_GT(info->files, 0u);
  // Written after the backup: not in it.
  WriteRequest later = Req(kSteel);
  later.changes = {{"employee_count", Int(3)}};
  ASSERT_THAT(store_->WriteAndWait(later), IsOk());
  const auto audit_at_backup = info->audit_size;

  rocksdb::BackupEngineReadOnly* raw = nullptr;
  ASSERT_TRUE(rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                  rocksdb::BackupEngineOptions(backups), &raw)
                  .ok());
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  const std::string restored = dir_ + "-restored";
  ASSERT_TRUE(engine->RestoreDBFromLatestBackup(restored, restored).ok());
  store_.reset();
  const std::string original = dir_;
  dir_ = restored;
  Reopen();
  auto r = store_->GetRecord(*catalog::ParseSubjectName(kSteel), AsOf::Current());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->etag(), steel.record.etag());
  auto found = store_->FindPerson(kSongId);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->ToString(), song.record.name());
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
  EXPECT_EQ(store_->Stats().audit_size, audit_at_backup);
  store_.reset();
  std::filesystem::remove_all(backups);
  std::filesystem::remove_all(original);
}

TEST_F(RocksDbStoreTest, WritesWithoutCatalogAreRefused) {
  store_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Reopen();
  WriteRequest r = Req(kSteel);
  r.changes = {{"name", Str("x")}};
  EXPECT_THAT(store_->WriteAndWait(r), StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace collectonce::store
