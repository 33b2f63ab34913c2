// The fold of change sets against the states the change builder makes: for every kind of
// change (new fields, changes, clearing, retroactive values, another department's source)
// the fold of the change sets serves exactly what the built state serves.
#include "libs/store/state_fold.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/store/change_builder.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

namespace sv1 = ::collectonce::storage::v1;
using namespace ::collectonce::store::testing;  // NOLINT

const absl::CivilDay kToday(2026, 3, 1);
constexpr int64_t kT1 = 1772326800000000;  // 2026-03-01 09:00 +08:00

WriteRequest Request(std::string source, std::vector<FieldChange> changes,
                     std::optional<absl::CivilDay> valid_from = std::nullopt) {
  WriteRequest r;
  r.provenance.set_source(std::move(source));
  r.provenance.set_operator_("op-7");
  r.provenance.set_matter("matters/m1");
  r.principal = "principals/tester";
  r.reason = "test";
  r.changes = std::move(changes);
  if (valid_from) *r.provenance.mutable_valid_from() = ToDate(*valid_from);
  return r;
}

class StateFoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = catalog::Catalog::Compile(ExampleCatalog("enterprise"));
    ASSERT_TRUE(e.ok()) << e.status();
    cat_ = *e;
  }

  // Builds the change on the last state, checks that the fold of every change set so far
  // serves what the built state serves, and keeps both.
  void Apply(WriteRequest request) {
    catalog::Violations v;
    CheckRequestValues(*cat_, kToday, &request, &v);
    ASSERT_TRUE(v.empty()) << v[0].field << " " << v[0].rule;
    BuiltChange built;
    const sv1::RecordState* current = states_.empty() ? nullptr : &states_.back();
    const int64_t revision = static_cast<int64_t>(states_.size()) + 1;
    ASSERT_TRUE(
        BuildChange(*cat_, current, request, kToday, kT1 + revision * 1000, revision, &built, &v)
            .ok());
    ASSERT_FALSE(built.unchanged);
    built.next.set_commit_sequence(100 + revision);
    built.change_set.set_commit_sequence(100 + revision);
    states_.push_back(built.next);
    const ServedState folded = Fold(folded_.empty() ? nullptr : &folded_.back(), built.change_set);
    folded_.push_back(folded);
    EXPECT_EQ(Difference(folded, ServedView(built.next)), "") << "revision " << revision;
  }

  std::shared_ptr<const catalog::Catalog> cat_;
  std::vector<sv1::RecordState> states_;
  std::vector<ServedState> folded_;
};

TEST_F(StateFoldTest, TheFoldOfTheChangeSetsServesWhatTheBuiltStatesServe) {
  Apply(Request("market-regulation", {{"name", Str("福建省钢源粉体材料有限公司")},
                                      {"status", Code("1")},
                                      {"registered_capital", Dec("5000")}}));
  Apply(Request("market-regulation", {{"registered_capital", Dec("6000")}}));
  // Another department vouches for one value of the same submission.
  Apply(Request(
      "market-regulation",
      {{"status", Code("2")}, {"employee_count", Int(12), "human-resources.social-insurance"}}));
  // Cleared, then a value from before the current one (kept in history only).
  Apply(Request("market-regulation", {{"registered_capital", std::nullopt}}));
  Apply(Request("market-regulation", {{"status", Code("1")}}, absl::CivilDay(2020, 1, 1)));
  Apply(Request("market-regulation", {{"registered_capital", Dec("8000")}}));
  ASSERT_EQ(states_.size(), 6u);
}

TEST_F(StateFoldTest, AStateThatIsNotTheFoldIsNamed) {
  Apply(Request("market-regulation", {{"name", Str("甲公司")}, {"status", Code("1")}}));
  Apply(Request("market-regulation", {{"status", Code("2")}}));

  sv1::RecordState edited = states_.back();
  for (auto& f : *edited.mutable_fields()) {
    if (f.field() == "status") *f.mutable_value() = Code("3");
  }
  EXPECT_EQ(Difference(folded_.back(), ServedView(edited)),
            "field status: the value differs from its change sets");

  // The previous state put back as the current one.
  EXPECT_EQ(Difference(folded_.back(), ServedView(states_[0])),
            "holds revision 1 where its change sets give 2");

  sv1::RecordState extra = states_.back();
  auto* f = extra.add_fields();
  f->set_field("zz_added");
  *f->mutable_value() = Str("x");
  EXPECT_EQ(Difference(folded_.back(), ServedView(extra)), "field zz_added is in no change set");

  sv1::RecordState other_source = states_.back();
  for (auto& p : *other_source.mutable_provenances()) p.set_source("tax");
  EXPECT_NE(Difference(folded_.back(), ServedView(other_source)), "");
}

}  // namespace
}  // namespace collectonce::store
