// Randomized check of the store's bitemporal reads against a brute-force reference model.
//
// The model keeps nothing but a plain list of assertions (field, valid-from day, revision,
// value or cleared) and the commit time of each revision, and answers every read by
// scanning that list. It decides on its own which changes are no-ops and which are
// retroactive. The store's write results and its AsOf::Current / Revision / CommitTime /
// ValidDay reads must agree with it, before and after the store is reopened.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/uscc.h"
#include "libs/store/test_util.h"

namespace collectonce::store {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using namespace ::collectonce::store::testing;  // NOLINT

constexpr char kSource[] = "market-regulation";
const absl::TimeZone kChina = DefaultCityZone();

bool SameValueText(const v1::Value& a, const v1::Value& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

absl::CivilDay ChinaDay(int64_t us) { return absl::ToCivilDay(absl::FromUnixMicros(us), kChina); }

absl::CivilDay DayOf(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

google::type::Date DateOf(absl::CivilDay d) {
  google::type::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// ------------------------------------------------------------------ the reference model

struct Assertion {
  std::string field;
  absl::CivilDay day;
  int64_t revision = 0;
  std::optional<v1::Value> value;  // unset: cleared
};

// A field as a read should show it.
struct ModelField {
  v1::Value value;
  int64_t revision = 0;
  absl::CivilDay day;
};
using ModelRecord = std::map<std::string, ModelField>;

struct ModelSubject {
  std::string name;
  std::vector<Assertion> assertions;
  std::vector<int64_t> commit_times;  // [r - 1]: commit time of revision r

  int64_t revision() const { return static_cast<int64_t>(commit_times.size()); }

  // The assertion with the greatest (valid-from, revision) among those `keep` accepts.
  template <typename Keep>
  const Assertion* Winner(const std::string& field, Keep keep) const {
    const Assertion* best = nullptr;
    for (const Assertion& a : assertions) {
      if (a.field != field || !keep(a)) continue;
      if (best == nullptr || a.day > best->day ||
          (a.day == best->day && a.revision > best->revision)) {
        best = &a;
      }
    }
    return best;
  }

  template <typename Keep>
  ModelRecord View(Keep keep) const {
    std::vector<std::string> fields;
    for (const Assertion& a : assertions) fields.push_back(a.field);
    std::sort(fields.begin(), fields.end());
    fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
    ModelRecord out;
    for (const std::string& f : fields) {
      const Assertion* w = Winner(f, keep);
      if (w != nullptr && w->value) out[f] = {*w->value, w->revision, w->day};
    }
    return out;
  }

  // The state right after revision r.
  ModelRecord AtRevision(int64_t r) const {
    return View([r](const Assertion& a) { return a.revision <= r; });
  }
  // What was in effect on day d, as known now.
  ModelRecord OnDay(absl::CivilDay d) const {
    return View([d](const Assertion& a) { return a.day <= d; });
  }
  // The newest revision committed at or before t; 0 when none.
  int64_t RevisionAt(int64_t t) const {
    int64_t r = 0;
    for (size_t i = 0; i < commit_times.size(); ++i) {
      if (commit_times[i] <= t) r = static_cast<int64_t>(i) + 1;
    }
    return r;
  }
};

// What the model expects of one field change.
struct Planned {
  std::string field;
  std::optional<v1::Value> value;
  std::optional<v1::Value> old_value;
  bool retroactive = false;
};

// Decides, from the assertions alone, which changes take effect.
std::vector<Planned> Plan(const ModelSubject& s, const std::vector<FieldChange>& changes,
                          absl::CivilDay day) {
  std::vector<Planned> out;
  for (const FieldChange& c : changes) {
    const Assertion* cur = s.Winner(c.field, [](const Assertion&) { return true; });
    const bool has_value = cur != nullptr && cur->value.has_value();
    if (!c.value && !has_value) continue;  // nothing to clear
    const bool retroactive = cur != nullptr && day < cur->day;
    if (!retroactive && c.value && has_value && SameValueText(*cur->value, *c.value)) {
      continue;  // the same value again (one source: equal authority)
    }
    Planned p;
    p.field = c.field;
    p.value = c.value;
    if (has_value) p.old_value = cur->value;
    p.retroactive = retroactive;
    out.push_back(std::move(p));
  }
  return out;
}

std::string Describe(const ModelRecord& m) {
  std::string out = "{";
  for (const auto& [f, v] : m) {
    absl::StrAppend(&out, " ", f, "=", catalog::FormatValue(v.value), "@r", v.revision, "/",
                    absl::FormatCivilTime(v.day));
  }
  return out + " }";
}

std::string Describe(const v1::Record& r) {
  std::string out = absl::StrCat("r", r.revision(), " {");
  for (const auto& f : r.fields()) {
    absl::StrAppend(&out, " ", f.field(), "=", catalog::FormatValue(f.value()), "@r",
                    f.provenance().revision(), "/",
                    absl::FormatCivilTime(DayOf(f.provenance().valid_from())));
  }
  return out + " }";
}

// Empty when the record shows exactly the model's fields, values and provenance.
std::string Diff(const v1::Record& got, const ModelRecord& want, int64_t want_revision) {
  std::ostringstream d;
  if (got.revision() != want_revision) {
    d << " revision " << got.revision() << " != " << want_revision << ";";
  }
  for (int i = 1; i < got.fields_size(); ++i) {
    if (!(got.fields(i - 1).field() < got.fields(i).field())) d << " fields not ordered;";
  }
  std::map<std::string, const v1::FieldValue*> by_name;
  for (const auto& f : got.fields()) by_name[f.field()] = &f;
  for (const auto& [name, want_f] : want) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      d << " missing " << name << ";";
      continue;
    }
    const v1::FieldValue& f = *it->second;
    if (!f.has_value() || !SameValueText(f.value(), want_f.value)) d << " value of " << name << ";";
    if (f.provenance().revision() != want_f.revision) d << " revision of " << name << ";";
    if (DayOf(f.provenance().valid_from()) != want_f.day) d << " valid_from of " << name << ";";
    if (f.provenance().source() != kSource) d << " source of " << name << ";";
  }
  for (const auto& [name, f] : by_name) {
    if (!want.count(name)) d << " unexpected " << name << ";";
  }
  if (d.str().empty()) return "";
  return absl::StrCat(d.str(), "\n    store: ", Describe(got), "\n    model: ", Describe(want));
}

// ------------------------------------------------------------------ random writes

// How the random writes are shaped.
struct Profile {
  const char* name;
  std::vector<std::string> fields;  // besides `name`
  int values_per_field;             // size of each field's value pool
  int max_days_back;                // valid-from at most this many days before today
  int max_advance_minutes;          // the clock moves 1..this between writes
  int writes;
};

const Profile kWide = {"wide",
                       {"legal_representative_name", "registered_capital", "employee_count",
                        "status", "establishment_date", "registered_address"},
                       5,
                       75,
                       30 * 60,
                       150};
// Few fields, few values, days close together: many no-ops, ties on a day and
// retroactive writes behind retroactive writes.
const Profile kDense = {"dense", {"status", "registered_capital"}, 2, 6, 8 * 60, 150};

v1::Value RandomValue(const std::string& field, int pool, std::mt19937_64& rng) {
  const int i = static_cast<int>(rng() % static_cast<uint64_t>(pool));
  if (field == "legal_representative_name") {
    static const char* const kNames[] = {"吴秀英", "林志强", "陈建华", "郑明", "王芳", "李娜"};
    return Str(kNames[i % 6]);
  }
  if (field == "registered_capital") {
    static const char* const kCapital[] = {"1234", "12.5", "5000", "0.75", "100", "0"};
    return Dec(kCapital[i % 6]);
  }
  if (field == "employee_count") {
    static const int64_t kCounts[] = {0, 7, 120, 3000, 45, 9999};
    return Int(kCounts[i % 6]);
  }
  if (field == "status") return Code(absl::StrCat(1 + i % 6));
  if (field == "establishment_date") {
    static const int kDates[][3] = {{1998, 5, 20}, {2003, 11, 11}, {2010, 1, 1},
                                    {2019, 7, 31}, {1949, 10, 1},  {2024, 2, 29}};
    return DateV(kDates[i % 6][0], kDates[i % 6][1], kDates[i % 6][2]);
  }
  static const char* const kAddresses[] = {"三明市三元区新市北路1号", "三明市梅列区列东街2号",
                                           "永安市燕江中路8号",       "沙县区府西路3号",
                                           "明溪县雪峰镇4号",         "将乐县古镛镇5号"};
  return Str(kAddresses[i % 6]);
}

struct Param {
  uint64_t seed;
  const Profile* profile;
};
void PrintTo(const Param& p, std::ostream* os) {
  *os << p.profile->name << " profile, seed " << p.seed;
}

class AsOfReferenceTest : public StoreFixture, public ::testing::WithParamInterface<Param> {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    const std::string third = ident::MakeUscc("91350403MA2Y00001");
    ASSERT_FALSE(third.empty());
    for (const std::string& n :
         {std::string(kSteel), std::string(kPowder), absl::StrCat("enterprises/", third)}) {
      ASSERT_THAT(catalog::ParseSubjectName(n), IsOk()) << n;
      ModelSubject s;
      s.name = n;
      model_.push_back(std::move(s));
    }
  }

  int64_t Uniform(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }

  // One random write, mirrored in the model and checked against it.
  void RandomWrite(const Profile& p) {
    Advance(absl::Minutes(Uniform(1, p.max_advance_minutes)));
    const int64_t now = now_us_.load();
    const absl::CivilDay today = ChinaDay(now);
    ModelSubject& s =
        model_[static_cast<size_t>(Uniform(0, static_cast<int64_t>(model_.size()) - 1))];

    WriteRequest req = Req(s.name, kSource);
    if (s.revision() == 0) {
      req.changes.push_back(
          {"name", Str(absl::StrCat("三明市测试企业", s.name.substr(20), "有限公司"))});
    }
    std::vector<std::string> fields = p.fields;
    std::shuffle(fields.begin(), fields.end(), rng_);
    const int n = static_cast<int>(Uniform(
        s.revision() == 0 ? 0 : 1, std::min<int64_t>(3, static_cast<int64_t>(fields.size()))));
    for (int i = 0; i < n; ++i) {
      FieldChange c;
      c.field = fields[static_cast<size_t>(i)];
      if (!Chance(20)) c.value = RandomValue(c.field, p.values_per_field, rng_);
      req.changes.push_back(std::move(c));
    }

    // valid-from: omitted (today), a random past day, or exactly the day of a current
    // assertion (a tie broken by revision) or the day before it.
    absl::CivilDay day = today;
    const int how = static_cast<int>(Uniform(1, 100));
    if (how > 35 && how <= 80) {
      day = today - Uniform(0, p.max_days_back);
    } else if (how > 80) {
      const Assertion* cur =
          s.Winner(req.changes.back().field, [](const Assertion&) { return true; });
      if (cur != nullptr) day = std::min(today, cur->day - Uniform(0, 1));
    }
    if (how > 35) *req.provenance.mutable_valid_from() = DateOf(day);

    const std::vector<Planned> plan = Plan(s, req.changes, day);
    const bool unchanged = plan.empty();
    const int64_t revision = s.revision() + (unchanged ? 0 : 1);
    ++writes_;
    if (unchanged) ++unchanged_;
    for (const Planned& x : plan) retroactive_ += x.retroactive;

    auto w = store_->WriteAndWait(req);
    ASSERT_THAT(w, IsOk()) << "write " << writes_ << " to " << s.name;
    EXPECT_EQ(w->unchanged, unchanged) << "write " << writes_;
    EXPECT_FALSE(w->replayed);
    EXPECT_EQ(w->record.revision(), revision) << "write " << writes_;
    EXPECT_EQ(w->change_set.has_value(), !unchanged) << "write " << writes_;
    if (w->change_set && !unchanged) {
      const v1::ChangeSet& cs = *w->change_set;
      EXPECT_EQ(cs.revision(), revision);
      EXPECT_EQ(cs.subject(), s.name);
      EXPECT_EQ(MicrosOf(cs.commit_time()), now);
      EXPECT_EQ(DayOf(cs.valid_from()), day);
      EXPECT_EQ(cs.source(), kSource);
      EXPECT_EQ(cs.changes_size(), static_cast<int>(plan.size())) << "write " << writes_;
      for (const Planned& x : plan) {
        const v1::FieldChange* c = nullptr;
        for (const auto& fc : cs.changes()) {
          if (fc.field() == x.field) c = &fc;
        }
        if (c == nullptr) {
          ADD_FAILURE() << "write " << writes_ << ": no change of " << x.field;
          continue;
        }
        EXPECT_EQ(c->retroactive(), x.retroactive) << "write " << writes_ << " " << x.field;
        EXPECT_EQ(c->cleared(), !x.value.has_value()) << "write " << writes_ << " " << x.field;
        EXPECT_EQ(c->has_new_value(), x.value.has_value());
        if (x.value && c->has_new_value()) {
          EXPECT_TRUE(SameValueText(c->new_value(), *x.value)) << "write " << writes_;
        }
        EXPECT_EQ(c->has_old_value(), x.old_value.has_value()) << "write " << writes_;
        if (x.old_value && c->has_old_value()) {
          EXPECT_TRUE(SameValueText(c->old_value(), *x.old_value));
        }
      }
    }

    if (!unchanged) {
      for (const Planned& x : plan) s.assertions.push_back({x.field, day, revision, x.value});
      s.commit_times.push_back(now);
    }
    const std::string diff = Diff(w->record, s.AtRevision(s.revision()), s.revision());
    EXPECT_TRUE(diff.empty()) << "write " << writes_ << " result:" << diff;
  }

  // Reports a mismatch; false once there have been too many to be useful.
  bool Report(const std::string& what, const std::string& diff) {
    if (diff.empty()) return true;
    ADD_FAILURE() << what << ":" << diff;
    return ++mismatches_ < 15;
  }

  // Every read of every subject against the model.
  void CheckAllReads(const std::string& phase) {
    SCOPED_TRACE(phase);
    const int64_t now = now_us_.load();
    for (const ModelSubject& s : model_) {
      SCOPED_TRACE(s.name);
      const SubjectName subject = *catalog::ParseSubjectName(s.name);
      const int64_t last = s.revision();
      if (last == 0) {
        EXPECT_THAT(store_->GetRecord(subject, AsOf::Current()),
                    StatusIs(absl::StatusCode::kNotFound));
        EXPECT_THAT(store_->GetRecord(subject, AsOf::Revision(1)),
                    StatusIs(absl::StatusCode::kNotFound));
        EXPECT_THAT(store_->GetRecord(subject, AsOf::CommitTime(now)),
                    StatusIs(absl::StatusCode::kNotFound));
        EXPECT_THAT(store_->GetRecord(subject, AsOf::ValidDay(ChinaDay(now))),
                    StatusIs(absl::StatusCode::kNotFound));
        continue;
      }

      // Current.
      {
        auto r = store_->GetRecord(subject, AsOf::Current());
        ASSERT_THAT(r, IsOk());
        if (!Report("current", Diff(*r, s.AtRevision(last), last))) return;
        EXPECT_EQ(MicrosOf(r->create_time()), s.commit_times.front());
        EXPECT_EQ(MicrosOf(r->update_time()), s.commit_times.back());
      }

      // Every revision.
      for (int64_t rev = 1; rev <= last; ++rev) {
        auto r = store_->GetRecord(subject, AsOf::Revision(rev));
        ASSERT_THAT(r, IsOk()) << "revision " << rev;
        if (!Report(absl::StrCat("revision ", rev), Diff(*r, s.AtRevision(rev), rev))) return;
        EXPECT_EQ(MicrosOf(r->update_time()), s.commit_times[static_cast<size_t>(rev - 1)]);
      }
      EXPECT_THAT(store_->GetRecord(subject, AsOf::Revision(last + 1)),
                  StatusIs(absl::StatusCode::kNotFound));
      EXPECT_THAT(store_->GetRecord(subject, AsOf::Revision(0)),
                  StatusIs(absl::StatusCode::kInvalidArgument));

      // Commit times: at each commit, 1 µs before it, between commits and after the last.
      std::vector<int64_t> times = {
          0, s.commit_times.back() + 1,
          s.commit_times.back() + absl::ToInt64Microseconds(absl::Hours(240))};
      for (size_t i = 0; i < s.commit_times.size(); ++i) {
        times.push_back(s.commit_times[i]);
        times.push_back(s.commit_times[i] - 1);
        if (i + 1 < s.commit_times.size()) {
          times.push_back(s.commit_times[i] + (s.commit_times[i + 1] - s.commit_times[i]) / 2);
        }
      }
      for (int64_t t : times) {
        const int64_t rev = s.RevisionAt(t);
        auto r = store_->GetRecord(subject, AsOf::CommitTime(t));
        if (rev == 0) {
          EXPECT_THAT(r, StatusIs(absl::StatusCode::kNotFound)) << "commit time " << t;
          continue;
        }
        ASSERT_THAT(r, IsOk()) << "commit time " << t;
        if (!Report(absl::StrCat("commit time ", t, " (revision ", rev, ")"),
                    Diff(*r, s.AtRevision(rev), rev))) {
          return;
        }
      }

      // Every valid day touched, and a few before and after.
      absl::CivilDay first = ChinaDay(now), end = ChinaDay(now);
      for (const Assertion& a : s.assertions) first = std::min(first, a.day);
      for (absl::CivilDay d = first - 3; d <= end + 3; ++d) {
        auto r = store_->GetRecord(subject, AsOf::ValidDay(d));
        ASSERT_THAT(r, IsOk()) << absl::FormatCivilTime(d);
        if (!Report(absl::StrCat("valid day ", absl::FormatCivilTime(d)),
                    Diff(*r, s.OnDay(d), last))) {
          return;
        }
      }
      // A valid-time read of some fields shows only those.
      {
        const absl::CivilDay d = first + (end - first) / 2;
        ModelRecord want = s.OnDay(d);
        for (auto it = want.begin(); it != want.end();) {
          it = it->first == "status" || it->first == "name" ? std::next(it) : want.erase(it);
        }
        auto r = store_->GetRecord(subject, AsOf::ValidDay(d), {"status", "name"});
        ASSERT_THAT(r, IsOk());
        if (!Report("valid day, two fields", Diff(*r, want, last))) return;
      }
    }
  }

  std::mt19937_64 rng_;
  std::vector<ModelSubject> model_;
  int writes_ = 0, unchanged_ = 0, retroactive_ = 0, mismatches_ = 0;
};

TEST_P(AsOfReferenceTest, ReadsAgreeWithTheReferenceModel) {
  const Param param = GetParam();
  const Profile& p = *param.profile;
  SCOPED_TRACE(absl::StrCat("seed ", param.seed, ", profile ", p.name));
  rng_.seed(param.seed);

  // Half the writes, every read; reopen, every read; the other half on the reopened store,
  // every read; reopen again, every read.
  for (int half = 0; half < 2; ++half) {
    for (int i = 0; i < p.writes / 2; ++i) {
      RandomWrite(p);
      if (HasFatalFailure()) return;
    }
    CheckAllReads(absl::StrCat("after ", writes_, " writes"));
    if (HasFatalFailure() || mismatches_ >= 15) return;
    Reopen();
    if (HasFatalFailure()) return;
    CheckAllReads(absl::StrCat("after ", writes_, " writes, reopened"));
    if (HasFatalFailure() || mismatches_ >= 15) return;
  }

  // The random writes exercised what they are meant to.
  int revisions = 0;
  for (const ModelSubject& s : model_) revisions += static_cast<int>(s.revision());
  EXPECT_EQ(revisions + unchanged_, writes_);
  EXPECT_GT(unchanged_, 0);
  EXPECT_GT(retroactive_, 0);
  EXPECT_EQ(store_->Stats().last_commit_sequence, revisions);
}

INSTANTIATE_TEST_SUITE_P(Seeds, AsOfReferenceTest,
                         ::testing::Values(Param{1, &kWide}, Param{7, &kWide},
                                           Param{20260301, &kWide}, Param{0x5eed5eedULL, &kWide},
                                           Param{2, &kDense}, Param{99, &kDense},
                                           Param{31337, &kDense}),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return absl::StrCat(info.param.profile->name, "_seed_", info.param.seed);
                         });

// The model itself, on a hand-worked history, so that a wrong model cannot hide a wrong
// store: status "1" from Mar 1 (r1), "2" from Mar 5 (r2), then "3" back-dated to Feb 20
// (r3, retroactive), then cleared from Mar 3 (r4, retroactive), then "2" again from Mar 6
// (r5, a no-op: the same value as the current one).
TEST(AsOfReferenceModelTest, HandWorkedHistory) {
  ModelSubject s;
  s.name = kSteel;
  auto write = [&s](int64_t t, absl::CivilDay day, std::vector<FieldChange> changes) {
    std::vector<Planned> plan = Plan(s, changes, day);
    if (plan.empty()) return plan;
    const int64_t r = s.revision() + 1;
    for (const Planned& x : plan) s.assertions.push_back({x.field, day, r, x.value});
    s.commit_times.push_back(t);
    return plan;
  };
  const absl::CivilDay mar1(2026, 3, 1);
  EXPECT_EQ(write(100, mar1, {{"name", Str("钢源")}, {"status", Code("1")}}).size(), 2u);
  auto p2 = write(200, mar1 + 4, {{"status", Code("2")}});
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_FALSE(p2[0].retroactive);
  auto p3 = write(300, absl::CivilDay(2026, 2, 20), {{"status", Code("3")}});
  ASSERT_EQ(p3.size(), 1u);
  EXPECT_TRUE(p3[0].retroactive);
  auto p4 = write(400, mar1 + 2, {{"status", std::nullopt}});
  ASSERT_EQ(p4.size(), 1u);
  EXPECT_TRUE(p4[0].retroactive);
  EXPECT_TRUE(write(500, mar1 + 5, {{"status", Code("2")}}).empty());
  EXPECT_TRUE(write(600, mar1 + 5, {{"employee_count", std::nullopt}}).empty());
  ASSERT_EQ(s.revision(), 4);

  auto status = [](const ModelRecord& m) {
    auto it = m.find("status");
    return it == m.end() ? std::string("-") : it->second.value.code_value();
  };
  EXPECT_EQ(status(s.AtRevision(1)), "1");
  EXPECT_EQ(status(s.AtRevision(2)), "2");
  EXPECT_EQ(status(s.AtRevision(3)), "2");
  EXPECT_EQ(status(s.AtRevision(4)), "2");
  EXPECT_EQ(s.AtRevision(4).at("status").revision, 2);
  EXPECT_EQ(s.RevisionAt(99), 0);
  EXPECT_EQ(s.RevisionAt(100), 1);
  EXPECT_EQ(s.RevisionAt(399), 3);
  EXPECT_EQ(s.RevisionAt(1000), 4);
  EXPECT_EQ(status(s.OnDay(absl::CivilDay(2026, 2, 19))), "-");
  EXPECT_TRUE(s.OnDay(absl::CivilDay(2026, 2, 19)).empty());
  EXPECT_EQ(status(s.OnDay(absl::CivilDay(2026, 2, 20))), "3");
  EXPECT_EQ(status(s.OnDay(absl::CivilDay(2026, 2, 28))), "3");
  EXPECT_EQ(status(s.OnDay(mar1)), "1");  // r1 beats r3 (later valid-from)
  EXPECT_EQ(status(s.OnDay(mar1 + 1)), "1");
  EXPECT_EQ(status(s.OnDay(mar1 + 2)), "-");  // cleared by r4
  EXPECT_EQ(status(s.OnDay(mar1 + 3)), "-");
  EXPECT_EQ(status(s.OnDay(mar1 + 4)), "2");
  EXPECT_EQ(s.OnDay(mar1 + 4).at("status").revision, 2);
  EXPECT_EQ(s.OnDay(mar1 + 4).count("name"), 1u);
}

}  // namespace
}  // namespace collectonce::store
