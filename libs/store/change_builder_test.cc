// The pure write logic, without RocksDB: value checks, no-op detection, retroactive values,
// source authority, tombstones, the lookup field and record-level rules.
#include "libs/store/change_builder.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

namespace sv1 = ::collectonce::storage::v1;
using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using namespace ::collectonce::store::testing;  // NOLINT

constexpr char kMarket[] = "market-regulation";
constexpr char kTax[] = "tax";
constexpr char kHousehold[] = "public-security.household";

const absl::CivilDay kToday(2026, 3, 1);

int64_t Micros(absl::CivilSecond t) {
  return absl::ToUnixMicros(absl::FromCivil(t, DefaultCityZone()));
}
const int64_t kT1 = Micros(absl::CivilSecond(2026, 3, 1, 9, 0, 0));

google::type::Date D(int y, int m, int d) { return ToDate(absl::CivilDay(y, m, d)); }

bool SameDate(const google::type::Date& a, const google::type::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day();
}

const v1::FieldValue* Field(const sv1::RecordState& s, absl::string_view name) {
  for (const auto& f : s.fields()) {
    if (f.field() == name) return &f;
  }
  return nullptr;
}

const v1::FieldChange* Change(const v1::ChangeSet& cs, absl::string_view name) {
  for (const auto& c : cs.changes()) {
    if (c.field() == name) return &c;
  }
  return nullptr;
}

// The field with its full provenance, as the API shows it, or (after reporting its
// absence) an empty one; or the change.
v1::FieldValue Get(const sv1::RecordState& s, absl::string_view name) {
  const v1::FieldValue* f = Field(s, name);
  if (f == nullptr) ADD_FAILURE() << "no field " << name;
  v1::FieldValue out;
  if (f != nullptr) ExpandField(s, *f, &out);
  return out;
}
const v1::FieldChange& GetChange(const v1::ChangeSet& cs, absl::string_view name) {
  const v1::FieldChange* c = Change(cs, name);
  if (c == nullptr) ADD_FAILURE() << "no change of " << name;
  return c ? *c : v1::FieldChange::default_instance();
}

std::vector<std::string> Rules(const catalog::Violations& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.field + "/" + x.rule);
  return out;
}

WriteRequest Request(absl::string_view source, std::vector<FieldChange> changes) {
  WriteRequest r;
  r.provenance.set_source(std::string(source));
  r.principal = "test-principal";
  r.changes = std::move(changes);
  return r;
}

struct Outcome {
  absl::Status status;
  BuiltChange built;
  catalog::Violations violations;
};

class ChangeBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = catalog::Catalog::Compile(ExampleCatalog("enterprise"));
    ASSERT_THAT(e, IsOk());
    enterprise_ = *e;
    auto p = catalog::Catalog::Compile(ExampleCatalog("person"));
    ASSERT_THAT(p, IsOk());
    person_ = *p;
  }

  // Checks the values as the store does before queueing (expecting them to pass), then
  // builds the change on `current`.
  static Outcome Build(const catalog::Catalog& cat, const sv1::RecordState* current,
                       WriteRequest request, int64_t revision, int64_t time_us = kT1,
                       absl::CivilDay today = kToday) {
    Outcome o;
    CheckRequestValues(cat, today, &request, &o.violations);
    EXPECT_THAT(o.violations, IsEmpty()) << "the request's values should pass";
    o.violations.clear();
    o.status =
        BuildChange(cat, current, request, today, time_us, revision, &o.built, &o.violations);
    return o;
  }

  // A steel enterprise at revision 1, committed at kT1 with valid-from kToday.
  sv1::RecordState Steel() {
    Outcome o = Build(*enterprise_, nullptr,
                      Request(kMarket, {{"name", Str("福建省钢源粉体材料有限公司")},
                                        {"status", Code("1")},
                                        {"registered_capital", Dec("5000")}}),
                      1);
    EXPECT_THAT(o.status, IsOk());
    return o.built.next;
  }

  // Builds, expects success, and returns the next state.
  static sv1::RecordState Apply(const catalog::Catalog& cat, const sv1::RecordState& current,
                                WriteRequest request, int64_t time_us = kT1) {
    Outcome o = Build(cat, &current, std::move(request), current.revision() + 1, time_us);
    EXPECT_THAT(o.status, IsOk());
    EXPECT_FALSE(o.built.unchanged);
    return o.built.next;
  }

  std::shared_ptr<const catalog::Catalog> enterprise_;
  std::shared_ptr<const catalog::Catalog> person_;
};

// ------------------------------------------------------------------ new subjects

TEST_F(ChangeBuilderTest, NewSubjectGetsEveryFieldWithStampedProvenance) {
  WriteRequest r = Request(kMarket, {{"status", Code("1")},
                                     {"name", Str("福建省钢源粉体材料有限公司")},
                                     {"registered_capital", Dec("5000.00")},
                                     {"employee_count", std::nullopt}});
  r.provenance.set_operator_("op-7");
  r.provenance.set_matter("matters/establishment");
  r.provenance.set_evidence_ref("licence-123");
  r.reason = "设立登记";
  r.request_id = "req-1";
  Outcome o = Build(*enterprise_, nullptr, r, 1, kT1 + 17);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_THAT(o.violations, IsEmpty());
  EXPECT_FALSE(o.built.unchanged);
  EXPECT_FALSE(o.built.lookup_changed);

  const sv1::RecordState& next = o.built.next;
  EXPECT_EQ(next.revision(), 1);
  EXPECT_EQ(next.create_time_us(), kT1 + 17);
  EXPECT_EQ(next.update_time_us(), kT1 + 17);
  // Sorted by field name; clearing a field that never had a value adds nothing.
  ASSERT_THAT(next.fields(), SizeIs(3));
  EXPECT_EQ(next.fields(0).field(), "name");
  EXPECT_EQ(next.fields(1).field(), "registered_capital");
  EXPECT_EQ(next.fields(2).field(), "status");
  EXPECT_EQ(next.fields(1).value().decimal_value(), "5000");  // normalised
  for (const auto& f : next.fields()) {
    SCOPED_TRACE(f.field());
    ASSERT_TRUE(f.has_value());
    const v1::Provenance& p = ProvenanceOf(next, f);
    EXPECT_EQ(p.source(), kMarket);
    EXPECT_EQ(p.operator_(), "op-7");
    EXPECT_EQ(p.matter(), "matters/establishment");
    EXPECT_EQ(p.evidence_ref(), "licence-123");
    EXPECT_EQ(p.principal(), "test-principal");
    EXPECT_EQ(p.revision(), 1);
    EXPECT_TRUE(SameDate(p.valid_from(), D(2026, 3, 1)));  // defaults to today
    EXPECT_EQ(p.commit_time().seconds(), (kT1 + 17) / 1000000);
    EXPECT_EQ(p.commit_time().nanos(), 17000);
  }

  const v1::ChangeSet& cs = o.built.change_set;
  EXPECT_EQ(cs.revision(), 1);
  EXPECT_EQ(cs.source(), kMarket);
  EXPECT_EQ(cs.principal(), "test-principal");
  EXPECT_EQ(cs.reason(), "设立登记");
  EXPECT_EQ(cs.request_id(), "req-1");
  EXPECT_EQ(cs.matter(), "matters/establishment");
  EXPECT_TRUE(SameDate(cs.valid_from(), D(2026, 3, 1)));
  EXPECT_EQ(cs.commit_time().seconds(), (kT1 + 17) / 1000000);
  ASSERT_THAT(cs.changes(), SizeIs(3));
  for (const auto& c : cs.changes()) {
    EXPECT_FALSE(c.has_old_value()) << c.field();
    EXPECT_TRUE(c.has_new_value()) << c.field();
    EXPECT_TRUE(c.old_source().empty()) << c.field();
    EXPECT_FALSE(c.cleared()) << c.field();
    EXPECT_FALSE(c.retroactive()) << c.field();
  }
  EXPECT_EQ(GetChange(cs, "registered_capital").new_value().decimal_value(), "5000");
  // Revision 1 is read from its snapshot: nothing goes to the valid-time index.
  EXPECT_THAT(o.built.assertions, IsEmpty());
  for (const auto& f : o.built.next.fields()) {
    EXPECT_TRUE(f.has_value()) << f.field();
    EXPECT_EQ(f.provenance().revision(), 1);
  }
}

// The state keeps one provenance per revision that a field still names: a write adds its
// own once, and a revision whose fields have all been rewritten leaves the table.
TEST_F(ChangeBuilderTest, StateKeepsOneProvenancePerRevisionItsFieldsName) {
  Outcome first =
      Build(*enterprise_, nullptr,
            Request(kMarket, {{"name", Str("三明市测试企业有限公司")}, {"status", Code("1")}}), 1);
  ASSERT_THAT(first.status, IsOk());
  ASSERT_THAT(first.built.next.provenances(), SizeIs(1));
  for (const auto& f : first.built.next.fields()) {
    EXPECT_FALSE(f.provenance().has_commit_time()) << f.field() << " repeats the provenance";
  }

  Outcome second = Build(*enterprise_, &first.built.next, Request(kMarket, {{"status", Code("2")}}),
                         2, kT1 + 1000);
  ASSERT_THAT(second.status, IsOk());
  std::vector<int64_t> revisions;
  for (const auto& p : second.built.next.provenances()) revisions.push_back(p.revision());
  EXPECT_THAT(revisions, ::testing::UnorderedElementsAre(1, 2));
  EXPECT_EQ(Get(second.built.next, "name").provenance().revision(), 1);
  EXPECT_EQ(Get(second.built.next, "status").provenance().revision(), 2);
  EXPECT_EQ(Get(second.built.next, "status").provenance().commit_time().nanos(), 1000000);

  Outcome third = Build(*enterprise_, &second.built.next,
                        Request(kMarket, {{"name", Str("三明市新名称有限公司")}}), 3, kT1 + 2000);
  ASSERT_THAT(third.status, IsOk());
  revisions.clear();
  for (const auto& p : third.built.next.provenances()) revisions.push_back(p.revision());
  EXPECT_THAT(revisions, ::testing::UnorderedElementsAre(2, 3)) << "revision 1 names no field";
}

TEST_F(ChangeBuilderTest, ValidFromGivenInTheRequestIsStamped) {
  WriteRequest r = Request(kMarket, {{"name", Str("三明市测试企业有限公司")}});
  *r.provenance.mutable_valid_from() = D(2019, 7, 31);
  Outcome o = Build(*enterprise_, nullptr, r, 1);
  ASSERT_THAT(o.status, IsOk());
  ASSERT_THAT(o.built.next.fields(), SizeIs(1));
  EXPECT_TRUE(SameDate(Get(o.built.next, "name").provenance().valid_from(), D(2019, 7, 31)));
  EXPECT_TRUE(SameDate(o.built.change_set.valid_from(), D(2019, 7, 31)));
}

TEST_F(ChangeBuilderTest, NewSubjectWithoutARequiredFieldIsRefused) {
  Outcome o = Build(*enterprise_, nullptr, Request(kMarket, {{"status", Code("1")}}), 1);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Rules(o.violations), UnorderedElementsAre("name/REQUIRED"));
}

// ------------------------------------------------------------------ no-ops

TEST_F(ChangeBuilderTest, SameValueFromTheSameSourceChangesNothing) {
  const sv1::RecordState steel = Steel();
  // Also on a later day, and with a decimal that normalises to the stored one.
  const int64_t later = Micros(absl::CivilSecond(2026, 3, 9, 10, 0, 0));
  Outcome o = Build(*enterprise_, &steel,
                    Request(kMarket, {{"status", Code("1")},
                                      {"registered_capital", Dec("5000.000")},
                                      {"name", Str("福建省钢源粉体材料有限公司")}}),
                    2, later, absl::CivilDay(2026, 3, 9));
  ASSERT_THAT(o.status, IsOk());
  EXPECT_TRUE(o.built.unchanged);
  EXPECT_THAT(o.built.change_set.changes(), IsEmpty());
  EXPECT_THAT(o.built.assertions, IsEmpty());
}

TEST_F(ChangeBuilderTest, ClearingAFieldWithoutAValueChangesNothing) {
  const sv1::RecordState steel = Steel();
  Outcome never_set =
      Build(*enterprise_, &steel, Request(kMarket, {{"employee_count", std::nullopt}}), 2);
  ASSERT_THAT(never_set.status, IsOk());
  EXPECT_TRUE(never_set.built.unchanged);

  // A field cleared before (a tombstone) is still without value.
  const sv1::RecordState cleared =
      Apply(*enterprise_, steel, Request(kMarket, {{"status", std::nullopt}}));
  Outcome again = Build(*enterprise_, &cleared, Request(kMarket, {{"status", std::nullopt}}), 3);
  ASSERT_THAT(again.status, IsOk());
  EXPECT_TRUE(again.built.unchanged);
  // Even with an earlier valid-from.
  WriteRequest earlier = Request(kMarket, {{"status", std::nullopt}});
  *earlier.provenance.mutable_valid_from() = D(2026, 1, 1);
  Outcome retro = Build(*enterprise_, &cleared, earlier, 3);
  ASSERT_THAT(retro.status, IsOk());
  EXPECT_TRUE(retro.built.unchanged);
}

TEST_F(ChangeBuilderTest, OnlyRealChangesEnterTheChangeSet) {
  const sv1::RecordState steel = Steel();
  Outcome o = Build(*enterprise_, &steel,
                    Request(kMarket, {{"name", Str("福建省钢源粉体材料有限公司")},
                                      {"status", Code("6")},
                                      {"employee_count", std::nullopt}}),
                    2, kT1 + 1000);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_FALSE(o.built.unchanged);
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  const v1::FieldChange& c = o.built.change_set.changes(0);
  EXPECT_EQ(c.field(), "status");
  EXPECT_EQ(c.old_value().code_value(), "1");
  EXPECT_EQ(c.new_value().code_value(), "6");
  EXPECT_EQ(c.old_source(), kMarket);
  ASSERT_THAT(o.built.assertions, SizeIs(1));
  EXPECT_EQ(o.built.assertions[0].field(), "status");
  EXPECT_EQ(o.built.next.revision(), 2);
  EXPECT_EQ(o.built.next.create_time_us(), kT1);
  EXPECT_EQ(o.built.next.update_time_us(), kT1 + 1000);
  // Unchanged fields keep their provenance.
  EXPECT_EQ(Get(o.built.next, "name").provenance().revision(), 1);
  EXPECT_EQ(Get(o.built.next, "status").provenance().revision(), 2);
}

// ------------------------------------------------------------------ tombstones

TEST_F(ChangeBuilderTest, ClearingKeepsATombstoneWithTheClearingProvenance) {
  const sv1::RecordState steel = Steel();
  WriteRequest clear = Request(kMarket, {{"status", std::nullopt}});
  clear.principal = "clearing-system";
  Outcome o = Build(*enterprise_, &steel, clear, 2, kT1 + 5);
  ASSERT_THAT(o.status, IsOk());
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  const v1::FieldChange& c = o.built.change_set.changes(0);
  EXPECT_TRUE(c.cleared());
  EXPECT_FALSE(c.retroactive());
  EXPECT_EQ(c.old_value().code_value(), "1");
  EXPECT_FALSE(c.has_new_value());

  ASSERT_NE(Field(o.built.next, "status"), nullptr);
  const v1::FieldValue tomb = Get(o.built.next, "status");
  EXPECT_FALSE(tomb.has_value());
  EXPECT_EQ(tomb.provenance().revision(), 2);
  EXPECT_EQ(tomb.provenance().principal(), "clearing-system");
  EXPECT_TRUE(SameDate(tomb.provenance().valid_from(), D(2026, 3, 1)));
  ASSERT_THAT(o.built.assertions, SizeIs(1));
  EXPECT_FALSE(o.built.assertions[0].has_value());
  EXPECT_EQ(o.built.assertions[0].provenance().revision(), 2);

  // Setting it again: no old value, but the old source is the clearing's.
  Outcome again =
      Build(*enterprise_, &o.built.next, Request(kMarket, {{"status", Code("2")}}), 3, kT1 + 10);
  ASSERT_THAT(again.status, IsOk());
  ASSERT_THAT(again.built.change_set.changes(), SizeIs(1));
  EXPECT_FALSE(again.built.change_set.changes(0).has_old_value());
  EXPECT_EQ(again.built.change_set.changes(0).old_source(), kMarket);
  EXPECT_FALSE(again.built.change_set.changes(0).cleared());
  EXPECT_EQ(Get(again.built.next, "status").value().code_value(), "2");
}

TEST_F(ChangeBuilderTest, RequiredFieldCannotBeCleared) {
  const sv1::RecordState steel = Steel();
  Outcome o = Build(*enterprise_, &steel,
                    Request(kMarket, {{"name", std::nullopt}, {"status", Code("2")}}), 2);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
  EXPECT_THAT(Rules(o.violations), UnorderedElementsAre("name/REQUIRED"));
}

// ------------------------------------------------------------------ retroactive values

TEST_F(ChangeBuilderTest, EarlierValidFromIsRetroactiveAndLeavesTheCurrentValue) {
  const sv1::RecordState steel = Steel();  // status "1" valid from 2026-03-01
  WriteRequest r = Request(kMarket, {{"status", Code("2")}, {"registered_capital", Dec("100")}});
  *r.provenance.mutable_valid_from() = D(2026, 1, 15);
  Outcome o = Build(*enterprise_, &steel, r, 2, kT1 + 99);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_FALSE(o.built.unchanged);
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(2));
  for (const auto& c : o.built.change_set.changes()) {
    EXPECT_TRUE(c.retroactive()) << c.field();
    EXPECT_FALSE(c.cleared()) << c.field();
    EXPECT_TRUE(c.has_old_value()) << c.field();
  }
  EXPECT_EQ(GetChange(o.built.change_set, "status").old_value().code_value(), "1");
  EXPECT_EQ(GetChange(o.built.change_set, "status").new_value().code_value(), "2");

  // The current values and their provenance are untouched; the revision still moves.
  const v1::FieldValue* status = Field(o.built.next, "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->value().code_value(), "1");
  EXPECT_EQ(status->provenance().revision(), 1);
  EXPECT_EQ(Get(o.built.next, "registered_capital").value().decimal_value(), "5000");
  EXPECT_EQ(o.built.next.revision(), 2);
  EXPECT_EQ(o.built.next.update_time_us(), kT1 + 99);

  // The assertions carry the retroactive values for the valid-time index.
  ASSERT_THAT(o.built.assertions, SizeIs(2));
  for (const auto& a : o.built.assertions) {
    EXPECT_TRUE(SameDate(a.provenance().valid_from(), D(2026, 1, 15))) << a.field();
    EXPECT_EQ(a.provenance().revision(), 2) << a.field();
  }
  EXPECT_TRUE(std::any_of(o.built.assertions.begin(), o.built.assertions.end(),
                          [](const v1::FieldValue& a) {
                            return a.field() == "status" && a.value().code_value() == "2";
                          }));
}

TEST_F(ChangeBuilderTest, ValidFromOnOrAfterTheCurrentOneReplacesIt) {
  WriteRequest create =
      Request(kMarket, {{"name", Str("三明市测试企业有限公司")}, {"status", Code("1")}});
  *create.provenance.mutable_valid_from() = D(2026, 2, 1);
  Outcome first = Build(*enterprise_, nullptr, create, 1);
  ASSERT_THAT(first.status, IsOk());

  for (const google::type::Date& day : {D(2026, 2, 1), D(2026, 2, 20)}) {
    SCOPED_TRACE(day.DebugString());
    WriteRequest r = Request(kMarket, {{"status", Code("3")}});
    *r.provenance.mutable_valid_from() = day;
    Outcome o = Build(*enterprise_, &first.built.next, r, 2);
    ASSERT_THAT(o.status, IsOk());
    ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
    EXPECT_FALSE(o.built.change_set.changes(0).retroactive());
    EXPECT_EQ(Get(o.built.next, "status").value().code_value(), "3");
    EXPECT_EQ(Get(o.built.next, "status").provenance().revision(), 2);
    EXPECT_TRUE(SameDate(Get(o.built.next, "status").provenance().valid_from(), day));
  }
  // One day earlier is retroactive.
  WriteRequest r = Request(kMarket, {{"status", Code("3")}});
  *r.provenance.mutable_valid_from() = D(2026, 1, 31);
  Outcome o = Build(*enterprise_, &first.built.next, r, 2);
  ASSERT_THAT(o.status, IsOk());
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  EXPECT_TRUE(o.built.change_set.changes(0).retroactive());
  EXPECT_EQ(Get(o.built.next, "status").value().code_value(), "1");
}

TEST_F(ChangeBuilderTest, RetroactiveClearingAndSameValueAreRecorded) {
  const sv1::RecordState steel = Steel();
  // Clearing with an earlier valid-from: the field had no value then, but has one now.
  WriteRequest clear = Request(kMarket, {{"status", std::nullopt}});
  *clear.provenance.mutable_valid_from() = D(2026, 2, 1);
  Outcome o = Build(*enterprise_, &steel, clear, 2);
  ASSERT_THAT(o.status, IsOk());
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  EXPECT_TRUE(o.built.change_set.changes(0).retroactive());
  EXPECT_TRUE(o.built.change_set.changes(0).cleared());
  EXPECT_EQ(Get(o.built.next, "status").value().code_value(), "1");
  ASSERT_THAT(o.built.assertions, SizeIs(1));
  EXPECT_FALSE(o.built.assertions[0].has_value());

  // The current value asserted from an earlier day says something new about that period
  // (valid-time reads change), so it is a retroactive change, not a no-op.
  WriteRequest same = Request(kMarket, {{"status", Code("1")}});
  *same.provenance.mutable_valid_from() = D(2026, 2, 1);
  Outcome s = Build(*enterprise_, &steel, same, 2);
  ASSERT_THAT(s.status, IsOk());
  EXPECT_FALSE(s.built.unchanged);
  ASSERT_THAT(s.built.change_set.changes(), SizeIs(1));
  EXPECT_TRUE(s.built.change_set.changes(0).retroactive());
  EXPECT_EQ(Get(s.built.next, "status").provenance().revision(), 1);
}

// ------------------------------------------------------------------ source authority

class SourceAuthorityTest : public ChangeBuilderTest {
 protected:
  // Steel with industry_code (market-regulation 1, tax 2) held by `holder`.
  sv1::RecordState SteelWithIndustry(absl::string_view holder, const char* code) {
    return Apply(*enterprise_, Steel(), Request(holder, {{"industry_code", Str(code)}}), kT1 + 1);
  }
};

// One write for a bundle: a value another department's matter collected is vouched for,
// stored and judged under that department's source.
TEST_F(SourceAuthorityTest, AValueFromAnotherSourceKeepsItsOwnProvenance) {
  WriteRequest r = Request(kMarket, {{"status", Code("2")}});
  r.changes.push_back({"industry_code", Str("C31"), std::string(kTax)});
  const sv1::RecordState steel = Steel();
  Outcome o = Build(*enterprise_, &steel, r, 2);
  ASSERT_THAT(o.status, IsOk());
  const v1::FieldValue industry = Get(o.built.next, "industry_code");
  EXPECT_EQ(industry.provenance().source(), kTax);
  EXPECT_EQ(industry.provenance().revision(), 2);
  EXPECT_EQ(Get(o.built.next, "status").provenance().source(), kMarket);
  EXPECT_EQ(o.built.change_set.source(), kMarket);
  EXPECT_EQ(GetChange(o.built.change_set, "industry_code").source(), kTax);
  EXPECT_EQ(GetChange(o.built.change_set, "status").source(), "");

  // The next write names its revision for its own fields; the tax value keeps its source.
  const sv1::RecordState after =
      Apply(*enterprise_, o.built.next, Request(kMarket, {{"registered_capital", Dec("6000")}}));
  EXPECT_EQ(Get(after, "industry_code").provenance().source(), kTax);
  EXPECT_EQ(Get(after, "status").provenance().source(), kMarket);
  EXPECT_EQ(Get(after, "status").provenance().revision(), 2);

  // Its precedence is its own: tax (2) may not replace market regulation's value (1), even
  // within a write recorded under market regulation.
  const sv1::RecordState held = SteelWithIndustry(kMarket, "C31");
  WriteRequest over = Request(kMarket, {{"status", Code("2")}});
  over.changes.push_back({"industry_code", Str("C32"), std::string(kTax)});
  Outcome refused = Build(*enterprise_, &held, over, 3);
  EXPECT_THAT(refused.status, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("'tax'")));
  EXPECT_THAT(Rules(refused.violations), UnorderedElementsAre("industry_code/SOURCE_AUTHORITY"));
}

TEST_F(SourceAuthorityTest, LowerPrecedenceSourceIsRefusedNamingBothSources) {
  const sv1::RecordState held = SteelWithIndustry(kMarket, "C31");
  Outcome o = Build(*enterprise_, &held, Request(kTax, {{"industry_code", Str("C32")}}), 3);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 AllOf(HasSubstr("market-regulation"), HasSubstr("'tax'"))));
  ASSERT_THAT(o.violations, SizeIs(1));
  EXPECT_EQ(o.violations[0].field, "industry_code");
  EXPECT_EQ(o.violations[0].rule, "SOURCE_AUTHORITY");
  EXPECT_THAT(o.violations[0].message, AllOf(HasSubstr("market-regulation"), HasSubstr("tax"),
                                             HasSubstr("precedence 1"), HasSubstr("precedence 2")));
}

TEST_F(SourceAuthorityTest, UnlistedSourceIsRefusedAndTheWholeWriteFails) {
  // A person's name is held by the household register; the service centre is not listed.
  Outcome song =
      Build(*person_, nullptr,
            Request(kHousehold, {{"id_number", Str(kSongId)}, {"name", Str("宋文富")}}), 1);
  ASSERT_THAT(song.status, IsOk());
  Outcome o = Build(*person_, &song.built.next,
                    Request("service-center", {{"residential_address", Str("三元区富文新村")},
                                               {"name", Str("宋文福")}}),
                    2);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 AllOf(HasSubstr(kHousehold), HasSubstr("service-center"))));
  ASSERT_THAT(Rules(o.violations), UnorderedElementsAre("name/SOURCE_AUTHORITY"));
  EXPECT_THAT(o.violations[0].message, HasSubstr("not listed"));
}

TEST_F(SourceAuthorityTest, LowerPrecedenceSourceConfirmingTheValueChangesNothing) {
  const sv1::RecordState held = SteelWithIndustry(kMarket, "C31");
  Outcome o = Build(*enterprise_, &held, Request(kTax, {{"industry_code", Str("C31")}}), 3);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_TRUE(o.built.unchanged);
}

TEST_F(SourceAuthorityTest, HigherPrecedenceSourceReplacesTheValue) {
  const sv1::RecordState held = SteelWithIndustry(kTax, "C31");
  Outcome o = Build(*enterprise_, &held, Request(kMarket, {{"industry_code", Str("C3130")}}), 3);
  ASSERT_THAT(o.status, IsOk());
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  const v1::FieldChange& c = o.built.change_set.changes(0);
  EXPECT_EQ(c.old_source(), kTax);
  EXPECT_EQ(c.old_value().string_value(), "C31");
  EXPECT_EQ(c.new_value().string_value(), "C3130");
  EXPECT_EQ(Get(o.built.next, "industry_code").provenance().source(), kMarket);
  // Once the authority holds it, the lower source may no longer replace it.
  Outcome back =
      Build(*enterprise_, &o.built.next, Request(kTax, {{"industry_code", Str("C31")}}), 4);
  EXPECT_THAT(back.status, StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(SourceAuthorityTest, EqualValueFromAHigherSourceUpgradesTheProvenance) {
  const sv1::RecordState held = SteelWithIndustry(kTax, "C31");
  Outcome o = Build(*enterprise_, &held, Request(kMarket, {{"industry_code", Str("C31")}}), 3);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_FALSE(o.built.unchanged);
  ASSERT_THAT(o.built.change_set.changes(), SizeIs(1));
  const v1::FieldChange& c = o.built.change_set.changes(0);
  EXPECT_EQ(c.old_value().string_value(), "C31");
  EXPECT_EQ(c.new_value().string_value(), "C31");
  EXPECT_EQ(c.old_source(), kTax);
  const v1::FieldValue& f = Get(o.built.next, "industry_code");
  EXPECT_EQ(f.provenance().source(), kMarket);
  EXPECT_EQ(f.provenance().revision(), 3);
}

TEST_F(SourceAuthorityTest, SameSourceMayReplaceItsOwnValue) {
  const sv1::RecordState held = SteelWithIndustry(kTax, "C31");
  Outcome o = Build(*enterprise_, &held, Request(kTax, {{"industry_code", Str("C32")}}), 3);
  ASSERT_THAT(o.status, IsOk());
  EXPECT_EQ(Get(o.built.next, "industry_code").value().string_value(), "C32");
}

TEST_F(SourceAuthorityTest, AuthorityRefusalWithOtherViolationsIsInvalidArgument) {
  // The name entered by tax (so tax may touch it), the industry code by the authority.
  Outcome created =
      Build(*enterprise_, nullptr, Request(kTax, {{"name", Str("三明市测试企业有限公司")}}), 1);
  ASSERT_THAT(created.status, IsOk());
  const sv1::RecordState held =
      Apply(*enterprise_, created.built.next, Request(kMarket, {{"industry_code", Str("C31")}}));
  Outcome o = Build(*enterprise_, &held,
                    Request(kTax, {{"industry_code", Str("C32")}, {"name", std::nullopt}}), 3);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Rules(o.violations),
              UnorderedElementsAre("industry_code/SOURCE_AUTHORITY", "name/REQUIRED"));
}

// ------------------------------------------------------------------ lookup field

TEST_F(ChangeBuilderTest, LookupFieldChangesAreReportedWithOldAndNewValue) {
  Outcome created =
      Build(*person_, nullptr,
            Request(kHousehold, {{"id_number", Str(kSongId)}, {"name", Str("宋文富")}}), 1);
  ASSERT_THAT(created.status, IsOk());
  EXPECT_TRUE(created.built.lookup_changed);
  EXPECT_EQ(created.built.old_lookup, "");
  EXPECT_EQ(created.built.new_lookup, kSongId);

  Outcome other =
      Build(*person_, &created.built.next,
            Request(kHousehold, {{"household_address", Str("三明市三元区富文新村")}}), 2);
  ASSERT_THAT(other.status, IsOk());
  EXPECT_FALSE(other.built.lookup_changed);

  Outcome same =
      Build(*person_, &created.built.next, Request(kHousehold, {{"id_number", Str(kSongId)}}), 2);
  ASSERT_THAT(same.status, IsOk());
  EXPECT_TRUE(same.built.unchanged);
  EXPECT_FALSE(same.built.lookup_changed);

  Outcome moved =
      Build(*person_, &created.built.next, Request(kHousehold, {{"id_number", Str(kWuId)}}), 2);
  ASSERT_THAT(moved.status, IsOk());
  EXPECT_TRUE(moved.built.lookup_changed);
  EXPECT_EQ(moved.built.old_lookup, kSongId);
  EXPECT_EQ(moved.built.new_lookup, kWuId);

  // A retroactive ID number does not move the index: the current one stays.
  WriteRequest retro = Request(kHousehold, {{"id_number", Str(kWuId)}});
  *retro.provenance.mutable_valid_from() = D(2020, 1, 1);
  Outcome r = Build(*person_, &created.built.next, retro, 2);
  ASSERT_THAT(r.status, IsOk());
  EXPECT_FALSE(r.built.unchanged);
  EXPECT_FALSE(r.built.lookup_changed);
}

TEST_F(ChangeBuilderTest, LowerCaseIdNumberIsNormalisedBeforeComparing) {
  // A valid number ending in X (a GB 11643 test vector); lower-case x is normalised.
  const std::string id_x = "11010519491231002X";
  Outcome created = Build(
      *person_, nullptr, Request(kHousehold, {{"id_number", Str(id_x)}, {"name", Str("张三")}}), 1);
  ASSERT_THAT(created.status, IsOk());
  std::string lower = id_x;
  lower.back() = 'x';
  Outcome same =
      Build(*person_, &created.built.next, Request(kHousehold, {{"id_number", Str(lower)}}), 2);
  ASSERT_THAT(same.status, IsOk());
  EXPECT_TRUE(same.built.unchanged);
}

// ------------------------------------------------------------------ record-level rules

TEST_F(ChangeBuilderTest, RecordViolationsAreReportedOnlyWhenTheChangeCausesThem) {
  // A record from before the cross-field rule: its birth date disagrees with the ID number.
  sv1::RecordState old;
  old.set_revision(1);
  old.set_create_time_us(kT1 - 1000000);
  old.set_update_time_us(kT1 - 1000000);
  auto add = [&old](const char* field, v1::Value value) {
    v1::FieldValue* f = old.add_fields();
    f->set_field(field);
    *f->mutable_value() = std::move(value);
    f->mutable_provenance()->set_source(kHousehold);
    f->mutable_provenance()->set_revision(1);
    *f->mutable_provenance()->mutable_valid_from() = D(2020, 1, 1);
  };
  add("birth_date", DateV(1945, 3, 13));
  add("id_number", Str(kSongId));
  add("name", Str("宋文富"));

  // Correcting something else is allowed despite the old problem.
  Outcome other =
      Build(*person_, &old, Request(kHousehold, {{"household_address", Str("三明市三元区")}}), 2);
  EXPECT_THAT(other.status, IsOk());
  EXPECT_THAT(other.violations, IsEmpty());

  // A new disagreement is refused, and only it is reported.
  Outcome gender = Build(*person_, &old, Request(kHousehold, {{"gender", Code("2")}}), 2);
  EXPECT_THAT(gender.status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("gender")));
  EXPECT_THAT(Rules(gender.violations), UnorderedElementsAre("gender/CROSS_FIELD"));

  // The agreeing sex is fine; so is correcting the birth date.
  EXPECT_THAT(Build(*person_, &old, Request(kHousehold, {{"gender", Code("1")}}), 2).status,
              IsOk());
  EXPECT_THAT(
      Build(*person_, &old, Request(kHousehold, {{"birth_date", DateV(1945, 3, 12)}}), 2).status,
      IsOk());
}

TEST_F(ChangeBuilderTest, NewRecordBreakingACrossFieldRuleIsRefused) {
  Outcome o = Build(*person_, nullptr,
                    Request(kHousehold, {{"id_number", Str(kWuId)},
                                         {"name", Str("吴丽华")},
                                         {"gender", Code("1")},
                                         {"birth_date", DateV(1992, 8, 15)}}),
                    1);
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Rules(o.violations), UnorderedElementsAre("gender/CROSS_FIELD"));
}

// ------------------------------------------------------------------ value checks

TEST_F(ChangeBuilderTest, UnknownDuplicateAndDeprecatedFieldsAreReported) {
  v1::Catalog proto = ExampleCatalog("enterprise");
  for (auto& f : *proto.mutable_fields()) {
    if (f.name() == "business_scope") f.set_deprecated(true);
  }
  auto cat = catalog::Catalog::Compile(proto);
  ASSERT_THAT(cat, IsOk());
  WriteRequest r = Request(kMarket, {{"no_such_field", Str("x")},
                                     {"status", Code("1")},
                                     {"status", Code("2")},
                                     {"business_scope", Str("钢材销售")},
                                     {"name", Str("三明市测试企业有限公司")}});
  catalog::Violations v;
  CheckRequestValues(**cat, kToday, &r, &v);
  EXPECT_THAT(Rules(v), UnorderedElementsAre("no_such_field/UNKNOWN_FIELD", "status/DUPLICATE",
                                             "business_scope/DEPRECATED"));
  // The shipped catalog takes the same field.
  WriteRequest ok = Request(kMarket, {{"business_scope", Str("钢材销售")}});
  v.clear();
  CheckRequestValues(*enterprise_, kToday, &ok, &v);
  EXPECT_THAT(v, IsEmpty());
}

TEST_F(ChangeBuilderTest, EmptyChangesAndMissingSourceAreReported) {
  WriteRequest r = Request("", {});
  catalog::Violations v;
  CheckRequestValues(*enterprise_, kToday, &r, &v);
  EXPECT_THAT(Rules(v), UnorderedElementsAre("changes/REQUIRED", "provenance.source/REQUIRED"));

  WriteRequest long_source = Request(std::string(129, 's'), {{"status", Code("1")}});
  v.clear();
  CheckRequestValues(*enterprise_, kToday, &long_source, &v);
  EXPECT_THAT(Rules(v), UnorderedElementsAre("provenance.source/LENGTH"));
}

TEST_F(ChangeBuilderTest, ValidFromMayNotBeInTheFutureOrNotADate) {
  auto check = [&](google::type::Date day) {
    WriteRequest r = Request(kMarket, {{"status", Code("1")}});
    *r.provenance.mutable_valid_from() = day;
    catalog::Violations v;
    CheckRequestValues(*enterprise_, kToday, &r, &v);
    return Rules(v);
  };
  EXPECT_THAT(check(D(2026, 3, 1)), IsEmpty());  // today
  EXPECT_THAT(check(D(1990, 1, 1)), IsEmpty());
  EXPECT_THAT(check(D(2026, 3, 2)), UnorderedElementsAre("provenance.valid_from/RANGE"));
  EXPECT_THAT(check(D(2027, 1, 1)), UnorderedElementsAre("provenance.valid_from/RANGE"));
  google::type::Date feb30;
  feb30.set_year(2026);
  feb30.set_month(2);
  feb30.set_day(30);
  EXPECT_THAT(check(feb30), UnorderedElementsAre("provenance.valid_from/FORMAT"));
  google::type::Date year0;
  year0.set_month(1);
  year0.set_day(1);
  EXPECT_THAT(check(year0), UnorderedElementsAre("provenance.valid_from/FORMAT"));
}

TEST_F(ChangeBuilderTest, ValuesAreNormalisedAndCheckedButClearingIsNot) {
  WriteRequest r = Request(kMarket, {{"registered_capital", Dec("0012.500")},
                                     {"employee_count", Str("many")},
                                     {"status", Code("99")},
                                     {"legal_representative_name", std::nullopt}});
  catalog::Violations v;
  CheckRequestValues(*enterprise_, kToday, &r, &v);
  EXPECT_THAT(Rules(v), UnorderedElementsAre("employee_count/TYPE", "status/CODE"));
  EXPECT_EQ(r.changes[0].value->decimal_value(), "12.5");
}

TEST_F(ChangeBuilderTest, SameValueComparesTypeAndContent) {
  EXPECT_TRUE(SameValue(Str("a"), Str("a")));
  EXPECT_FALSE(SameValue(Str("a"), Str("b")));
  EXPECT_FALSE(SameValue(Str("1"), Code("1")));
  EXPECT_TRUE(SameValue(Int(7), Int(7)));
  EXPECT_FALSE(SameValue(Int(7), Int(8)));
  EXPECT_TRUE(SameValue(DateV(2020, 1, 2), DateV(2020, 1, 2)));
  EXPECT_FALSE(SameValue(DateV(2020, 1, 2), DateV(2020, 2, 1)));
  EXPECT_FALSE(SameValue(Dec("1"), Dec("2")));
  v1::Value list_a, list_b;
  *list_a.mutable_list_value()->add_values() = Code("1");
  *list_b.mutable_list_value()->add_values() = Code("1");
  EXPECT_TRUE(SameValue(list_a, list_b));
  *list_b.mutable_list_value()->add_values() = Code("2");
  EXPECT_FALSE(SameValue(list_a, list_b));
}

}  // namespace
}  // namespace collectonce::store
