// Time in the store: valid-from dates before 1970 (a person's household record can start in
// the 1950s) read as of a date, and "today" taken in the city's zone from the injected clock.
#include "absl/time/time.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/clock.h"
#include "libs/base/status_matchers.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::collectonce::store::testing;  // NOLINT

google::type::Date DateOf(absl::CivilDay d) {
  google::type::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}
absl::CivilDay DayOf(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

class TimeTest : public StoreFixture {
 protected:
  // 宋文富's file: his household address as registered in 1958 and moved in 1968.
  std::string CreateSongWithHistory() {
    WriteRequest r = Req("", "public-security.household");
    r.kind = v1::PERSON;
    r.changes = {{"id_number", Str(kSongId)},
                 {"name", Str("宋文富")},
                 {"gender", Code("1")},
                 {"birth_date", DateV(1945, 3, 12)},
                 {"household_address", Str("三明县城关镇解放路3号")}};
    *r.provenance.mutable_valid_from() = DateOf(absl::CivilDay(1958, 7, 1));
    auto first = store_->WriteAndWait(r);
    EXPECT_THAT(first, IsOk());
    if (!first.ok()) return "";
    Advance(absl::Minutes(5));
    WriteRequest moved = Req(first->record.name(), "public-security.household");
    moved.changes = {{"household_address", Str("三明市列东街道富文新村12幢301室")}};
    *moved.provenance.mutable_valid_from() = DateOf(absl::CivilDay(1968, 9, 1));
    moved.reason = "户口迁移（补录）";
    EXPECT_THAT(store_->WriteAndWait(moved), IsOk());
    return first->record.name();
  }
  // The household address in effect on `day`, or "<absent>".
  std::string AddressOn(const std::string& name, absl::CivilDay day) {
    auto r = store_->GetRecord(*catalog::ParseSubjectName(name), AsOf::ValidDay(day));
    EXPECT_THAT(r, IsOk());
    return r.ok() ? FieldText(*r, "household_address") : "<error>";
  }
};

TEST_F(TimeTest, AValidFromBefore1970IsReadAsOfADate) {
  const std::string name = CreateSongWithHistory();
  ASSERT_FALSE(name.empty());
  EXPECT_EQ(AddressOn(name, absl::CivilDay(1957, 1, 1)), "<absent>");
  EXPECT_EQ(AddressOn(name, absl::CivilDay(1958, 7, 1)), "三明县城关镇解放路3号");
  EXPECT_EQ(AddressOn(name, absl::CivilDay(1968, 8, 31)), "三明县城关镇解放路3号");
  EXPECT_EQ(AddressOn(name, absl::CivilDay(1968, 9, 1)), "三明市列东街道富文新村12幢301室");
  EXPECT_EQ(AddressOn(name, absl::CivilDay(1969, 12, 31)), "三明市列东街道富文新村12幢301室");
  EXPECT_EQ(AddressOn(name, absl::CivilDay(2026, 3, 1)), "三明市列东街道富文新村12幢301室");

  // What is served carries the dates as written, and commit times as valid Timestamps.
  auto then = store_->GetRecord(*catalog::ParseSubjectName(name),
                                AsOf::ValidDay(absl::CivilDay(1960, 1, 1)));
  ASSERT_THAT(then, IsOk());
  bool seen = false;
  for (const auto& f : then->fields()) {
    if (f.field() != "household_address") continue;
    seen = true;
    EXPECT_EQ(DayOf(f.provenance().valid_from()), absl::CivilDay(1958, 7, 1));
    EXPECT_EQ(f.provenance().revision(), 1);
    EXPECT_GE(f.provenance().commit_time().nanos(), 0);
  }
  EXPECT_TRUE(seen);
  auto history = store_->ListHistory(*catalog::ParseSubjectName(name), HistoryQuery{});
  ASSERT_THAT(history, IsOk());
  ASSERT_EQ(history->change_sets.size(), 2u);
  EXPECT_EQ(DayOf(history->change_sets[0].valid_from()), absl::CivilDay(1968, 9, 1));
  EXPECT_EQ(DayOf(history->change_sets[1].valid_from()), absl::CivilDay(1958, 7, 1));
}

// The clock reads 2026-03-01 16:30 UTC, which is already 2026-03-02 in the city (UTC+8):
// "today", and so the latest valid-from a write may give, is the city's date, and a store
// told of another zone counts in that one.
TEST_F(TimeTest, TodayIsTheDateInTheInjectedZone) {
  now_us_ = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 16, 30, 0), absl::UTCTimeZone()));
  auto write = [&](absl::CivilDay valid_from) {
    WriteRequest r = Req(kSteel);
    r.changes = {{"name", Str("三明市某某商贸有限公司")}, {"status", Code("1")}};
    *r.provenance.mutable_valid_from() = DateOf(valid_from);
    return store_->WriteAndWait(r);
  };
  EXPECT_THAT(write(absl::CivilDay(2026, 3, 2)), IsOk());
  EXPECT_THAT(write(absl::CivilDay(2026, 3, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("future")));

  // No valid_from: it defaults to the city's today.
  WriteRequest plain = Req(kSteel);
  plain.changes = {{"registered_capital", Dec("6000")}};
  auto w = store_->WriteAndWait(plain);
  ASSERT_THAT(w, IsOk());
  ASSERT_TRUE(w->change_set.has_value());
  EXPECT_EQ(DayOf(w->change_set->valid_from()), absl::CivilDay(2026, 3, 2));

  // The same instant in a store whose city keeps UTC: 2026-03-02 is tomorrow there.
  store_.reset();
  RocksDbStoreOptions utc = Options();
  utc.clock = Clock(ZoneAtUtcOffset(0), [this] { return absl::FromUnixMicros(now_us_.load()); });
  auto reopened = RocksDbStore::Open(std::move(utc));
  ASSERT_THAT(reopened, IsOk());
  store_ = *std::move(reopened);
  WriteRequest later = Req(kSteel);
  later.changes = {{"registered_capital", Dec("7000")}};
  *later.provenance.mutable_valid_from() = DateOf(absl::CivilDay(2026, 3, 2));
  EXPECT_THAT(store_->WriteAndWait(later),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("future")));
}

}  // namespace
}  // namespace collectonce::store
