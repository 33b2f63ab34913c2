#include "libs/disputes/dispute_rules.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libs/base/clock.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"

namespace collectonce::disputes {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;

const absl::TimeZone kCity = DefaultCityZone();

int64_t MicrosIn(absl::TimeZone zone, int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), zone));
}
int64_t CityMicros(int y, int mo, int d, int h, int mi) { return MicrosIn(kCity, y, mo, d, h, mi); }

v1::FieldDefinition Field(const std::string& text) {
  v1::FieldDefinition f;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &f));
  return f;
}

v1::Principal Principal(const std::string& text) {
  v1::Principal p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &p));
  return p;
}

TEST(DisputeRulesTest, RoutesToTheMostAuthoritativeSourceOrGovernance) {
  EXPECT_EQ(RouteDepartment(Field(R"(name: "name"
      sources { source: "service-center" precedence: 5 }
      sources { source: "public-security.household" precedence: 1 })")),
            "public-security.household");
  EXPECT_EQ(RouteDepartment(Field(R"(name: "residential_address")")), "data-governance");
}

TEST(DisputeRulesTest, WorkingDaysComeFromTheCatalogOrFive) {
  EXPECT_EQ(WorkingDays(Field(R"(name: "a")")), 5);
  EXPECT_EQ(WorkingDays(Field(R"(name: "a" dispute_working_days: 10)")), 10);
}

TEST(DisputeRulesTest, DeadlineSkipsWeekendsInTheCityZone) {
  // Wednesday 2026-03-04 10:00: five working days end on Wednesday 2026-03-11 at midnight.
  EXPECT_EQ(DecideBy(CityMicros(2026, 3, 4, 10, 0), 5, kCity), CityMicros(2026, 3, 12, 0, 0) - 1);
  // Friday 2026-03-06 23:30 (15:30 UTC, still Friday there): one working day is Monday.
  EXPECT_EQ(DecideBy(CityMicros(2026, 3, 6, 23, 30), 1, kCity), CityMicros(2026, 3, 10, 0, 0) - 1);
  // Saturday: the count starts on Monday.
  EXPECT_EQ(DecideBy(CityMicros(2026, 3, 7, 9, 0), 2, kCity), CityMicros(2026, 3, 11, 0, 0) - 1);
}

// The zone is the deployment's (registryd --utc-offset-hours), not a constant: the same
// instant is Friday night in the city at UTC+8 and Friday afternoon at UTC-5, and the day
// ends at that zone's midnight.
TEST(DisputeRulesTest, DeadlineFollowsTheZoneItIsGiven) {
  const absl::TimeZone west = ZoneAtUtcOffset(-5);
  const int64_t opened = CityMicros(2026, 3, 7, 2, 0);  // Saturday 02:00 at UTC+8
  EXPECT_EQ(DecideBy(opened, 1, kCity), CityMicros(2026, 3, 10, 0, 0) - 1);  // Monday
  // Friday 13:00 at UTC-5: one working day is Monday there too, ending at its midnight.
  EXPECT_EQ(DecideBy(opened, 1, west), MicrosIn(west, 2026, 3, 10, 0, 0) - 1);
  // Thursday 2026-03-05 20:00 at UTC-5 is Friday 09:00 at UTC+8: the next working day is
  // Friday there, Monday here.
  const int64_t thursday_west = MicrosIn(west, 2026, 3, 5, 20, 0);
  EXPECT_EQ(DecideBy(thursday_west, 1, west), MicrosIn(west, 2026, 3, 7, 0, 0) - 1);
  EXPECT_EQ(DecideBy(thursday_west, 1, kCity), CityMicros(2026, 3, 10, 0, 0) - 1);
}

TEST(DisputeRulesTest, OnlyPendingDisputesMove) {
  EXPECT_THAT(CheckTransition(v1::Dispute::OPEN, v1::Dispute::UNDER_REVIEW), IsOk());
  EXPECT_THAT(CheckTransition(v1::Dispute::OPEN, v1::Dispute::CORRECTED), IsOk());
  EXPECT_THAT(CheckTransition(v1::Dispute::UNDER_REVIEW, v1::Dispute::UPHELD), IsOk());
  EXPECT_THAT(CheckTransition(v1::Dispute::UNDER_REVIEW, v1::Dispute::WITHDRAWN), IsOk());
  absl::Status again = CheckTransition(v1::Dispute::UNDER_REVIEW, v1::Dispute::UNDER_REVIEW);
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReasonOf(again), "DISPUTE_UNDER_REVIEW");
  for (auto closed : {v1::Dispute::CORRECTED, v1::Dispute::UPHELD, v1::Dispute::WITHDRAWN}) {
    absl::Status s = CheckTransition(closed, v1::Dispute::UPHELD);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_EQ(ReasonOf(s), "DISPUTE_CLOSED");
  }
  EXPECT_THAT(CheckTransition(v1::Dispute::OPEN, v1::Dispute::OPEN),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DisputeRulesTest, OverdueOnlyWhilePending) {
  v1::Dispute d;
  d.set_state(v1::Dispute::OPEN);
  d.mutable_decide_by()->set_seconds(1000);
  MarkOverdue(999'000'000, &d);
  EXPECT_FALSE(d.overdue());
  MarkOverdue(1001'000'000, &d);
  EXPECT_TRUE(d.overdue());
  d.set_state(v1::Dispute::UPHELD);
  MarkOverdue(1001'000'000, &d);
  EXPECT_FALSE(d.overdue());
}

TEST(DisputeRulesTest, IdsNameTheFieldAndCount) {
  EXPECT_EQ(DisputeId("residential_address", 2), "residential-address-2");
}

TEST(DisputeRulesTest, WindowsOpenDepartmentsDecide) {
  auto window = Principal(R"(name: "principals/window" roles: APPROVAL_SYSTEM roles: WINDOW
                             source: "service-center")");
  auto gov = Principal(R"(name: "principals/gov" roles: GOVERNANCE source: "data-governance")");
  auto household = Principal(R"(name: "principals/household" roles: APPROVAL_SYSTEM
                                source: "public-security.household")");
  auto gateway = Principal(R"(name: "principals/gw" roles: GATEWAY)");
  v1::Dispute d;
  d.set_department("public-security.household");

  EXPECT_THAT(MayOpen(window), IsOk());
  EXPECT_THAT(MayOpen(gov), IsOk());
  EXPECT_EQ(ReasonOf(MayOpen(household)), "ROLE_MAY_NOT_OPEN_DISPUTE");
  EXPECT_THAT(MayWithdraw(window), IsOk());
  EXPECT_EQ(ReasonOf(MayWithdraw(household)), "ROLE_MAY_NOT_WITHDRAW_DISPUTE");

  EXPECT_THAT(MayDecide(household, d), IsOk());
  EXPECT_THAT(MayDecide(gov, d), IsOk());
  absl::Status w = MayDecide(window, d);
  EXPECT_THAT(w, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReasonOf(w), "NOT_DISPUTE_DEPARTMENT");

  EXPECT_THAT(MaySee(household, d), IsOk());
  EXPECT_THAT(MaySee(window, d), IsOk());
  d.set_department("tax");
  EXPECT_EQ(ReasonOf(MaySee(household, d)), "NOT_DISPUTE_DEPARTMENT");
  EXPECT_EQ(ReasonOf(MayReadDisputes(gateway)), "ROLE_MAY_NOT_READ_DISPUTES");
}

}  // namespace
}  // namespace collectonce::disputes
