// The console's templates escape by context, its sessions end and rotate, and its tokens
// compare whole.
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/console/pages.h"
#include "services/console/render.h"
#include "services/console/session.h"

namespace collectonce::console {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostile[] = "\"><script>alert(1)</script>";

class RenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(LoadTemplates().ok()); }
};

// Every variable every template names, set to the same hostile text.
void FillEverything(ctemplate::TemplateDictionary* d) {
  for (const char* k : {"SUBJECT",
                        "REVISION",
                        "MATTER",
                        "CASE_ID",
                        "FIELD",
                        "LABEL",
                        "VALUE",
                        "SOURCE",
                        "COMMITTED",
                        "FIELD_MATTER",
                        "WITHHELD",
                        "FORM",
                        "FORM_TITLE",
                        "PREFILLED",
                        "REQUESTED",
                        "KEY",
                        "STATE",
                        "STATE_CODE",
                        "COUNT",
                        "TIME",
                        "PRINCIPAL",
                        "VIA",
                        "PURPOSE",
                        "FIELDS",
                        "MASKED",
                        "SCOPE",
                        "NAME",
                        "DEPARTMENT",
                        "DECIDE_BY",
                        "OPENED_BY",
                        "FIELD_LABEL",
                        "ETAG",
                        "CORRECTED_BY",
                        "NOTIFIED",
                        "OPERATOR",
                        "REASON",
                        "PRINCIPAL_NAME",
                        "LAST_SERVED",
                        "DISPUTE",
                        "IDENTITY",
                        "TITLE",
                        "ASOF",
                        "DATE",
                        "HOW",
                        "MESSAGE",
                        "DAY",
                        "KIND",
                        "SERVED",
                        "COLLECTED",
                        "RATE",
                        "FROM",
                        "TO",
                        "DAYS",
                        "TARGET",
                        "ALL_RATE",
                        "BELOW_COUNT",
                        "N",
                        "WIDTH",
                        "HEIGHT",
                        "CHART_TITLE",
                        "PLOT_LEFT",
                        "PLOT_RIGHT",
                        "PLOT_TOP",
                        "PLOT_BOTTOM",
                        "MID_Y",
                        "LABEL_X",
                        "TARGET_Y",
                        "TARGET_TEXT",
                        "X",
                        "Y",
                        "W",
                        "H",
                        "CLASS",
                        "TIP",
                        "CHANGE_MATTER"}) {
    d->SetValue(k, kHostile);
  }
  for (const char* section :
       {"FIELDS", "EVENTS", "DISPUTES", "STEPS", "NOTICES", "PRINCIPALS", "FORMS", "TIMELINES",
        "HISTORY_ERROR", "AS_OF", "BARS", "DAY_LABELS", "DAY_OPTIONS"}) {
    auto* row = d->AddSectionDictionary(section);
    for (const char* shown : {"CAN_DISPUTE", "MASKED", "CONTESTED", "OVERDUE", "BELOW", "UNUSED",
                              "RETROACTIVE", "HAS_REASON", "SELECTED"}) {
      row->ShowSection(shown);
    }
    row->AddSectionDictionary("EVENTS")->ShowSection("HAS_REASON");
    row->AddIncludeDictionary("CHART")->SetFilename("chart.tpl");
  }
  for (const char* section : {"HAS_CASE", "HAS_WITHHELD", "CAN_DECIDE", "CAN_WITHDRAW", "CORRECTED",
                              "NONE", "HISTORY_CUT", "NO_HISTORY", "CURRENT", "VIEW_VALID"}) {
    d->ShowSection(section);
  }
  d->AddIncludeDictionary("OVERALL_CHART")->SetFilename("chart.tpl");
}

TEST_F(RenderTest, EveryPageEscapesEveryValue) {
  Session s;
  s.csrf = kHostile;
  s.identity = "x";
  s.label = kHostile;
  for (const char* name :
       {"login.tpl", "find.tpl", "file.tpl", "preview.tpl", "access.tpl", "disputes.tpl",
        "dispute.tpl", "notifications.tpl", "error.tpl", "reuse.tpl"}) {
    Page p(name, kHostile);
    p.SetSession(s);
    p.Error(kHostile, kHostile);
    p.Notice(kHostile);
    FillEverything(p.dict());
    const std::string html = p.Render();
    EXPECT_THAT(html, HasSubstr("</html>")) << name;
    EXPECT_THAT(html, Not(HasSubstr("<script"))) << name;
    EXPECT_THAT(html, HasSubstr("&lt;script&gt;")) << name;
  }
}

TEST_F(RenderTest, TheStylesheetIsEmbedded) { EXPECT_THAT(Stylesheet(), HasSubstr("table")); }

TEST(SessionTest, RotateGivesNewIdAndTokenAndForgetsTheOld) {
  Sessions sessions(absl::Minutes(30));
  Session s = sessions.Create();
  EXPECT_TRUE(sessions.Find(s.id).has_value());
  s.identity = "window";
  Session next = sessions.Rotate(s);
  EXPECT_NE(next.id, s.id);
  EXPECT_NE(next.csrf, s.csrf);
  EXPECT_FALSE(sessions.Find(s.id).has_value());
  ASSERT_TRUE(sessions.Find(next.id).has_value());
  EXPECT_EQ(sessions.Find(next.id)->identity, "window");
}

TEST(SessionTest, IdleSessionsEnd) {
  Sessions sessions(absl::ZeroDuration());
  Session s = sessions.Create();
  absl::SleepFor(absl::Milliseconds(2));
  EXPECT_FALSE(sessions.Find(s.id).has_value());
}

TEST(SessionTest, TokensCompareWhole) {
  const std::string t = RandomToken();
  EXPECT_EQ(t.size(), 43u);
  EXPECT_TRUE(SameToken(t, t));
  EXPECT_FALSE(SameToken(t, t.substr(0, 42)));
  EXPECT_FALSE(SameToken("", ""));
  EXPECT_NE(RandomToken(), t);
}

// Pages show times in the zone the console is started with, not in a constant UTC+8.
TEST(CityTimeTest, ShowsTheInstantInTheGivenZone) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2026, 3, 6, 18, 0, 5), absl::UTCTimeZone())));
  EXPECT_EQ(CityTime(t, DefaultCityZone()), "2026-03-07 02:00:05");
  EXPECT_EQ(CityTime(t, ZoneAtUtcOffset(-5)), "2026-03-06 13:00:05");
  EXPECT_EQ(CityTime(google::protobuf::Timestamp(), DefaultCityZone()), "");
}

}  // namespace
}  // namespace collectonce::console
