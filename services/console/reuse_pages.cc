// The governance office's reuse dashboard: per matter and bundle, the fields requested,
// pre-filled and collected anew and the reuse rate (pre-filled / requested), as a table and
// as server-drawn SVG charts of the rate per day; forms below the city's target marked.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/console/pages.h"

namespace collectonce::console {

namespace {

// The chart's geometry, in SVG user units.
constexpr int kSlot = 22, kBar = 14, kLeft = 40, kTop = 8, kPlot = 100, kBottom = 22;

struct Period {
  absl::Time start, end;  // [start, end)
  absl::CivilDay day;
};

struct Counts {
  int64_t served = 0, requested = 0, prefilled = 0, collected = 0;
  void Add(const v1::ReuseStats& s) {
    served += s.forms_served();
    requested += s.fields_requested();
    prefilled += s.fields_prefilled();
    collected += s.fields_collected();
  }
  bool has_rate() const { return requested > 0; }
  double rate() const { return requested > 0 ? static_cast<double>(prefilled) / requested : 0; }
};

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp p;
  const int64_t us = absl::ToUnixMicros(t);
  p.set_seconds(us / 1000000);
  p.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return p;
}

std::string Percent(const Counts& c) {
  return c.has_rate() ? absl::StrFormat("%.1f%%", c.rate() * 100) : "—";
}

// The SVG of one chart: a bar per day (its height the day's rate), the target as a line.
void FillChart(const std::vector<Period>& periods, const std::vector<Counts>& days, double target,
               const std::string& title, ctemplate::TemplateDictionary* chart) {
  const int width = kLeft + kSlot * static_cast<int>(periods.size()) + 6;
  chart->SetIntValue("WIDTH", width);
  chart->SetIntValue("HEIGHT", kTop + kPlot + kBottom);
  chart->SetValue("CHART_TITLE", title);
  chart->SetIntValue("PLOT_LEFT", kLeft);
  chart->SetIntValue("PLOT_RIGHT", width - 4);
  chart->SetIntValue("PLOT_TOP", kTop);
  chart->SetIntValue("PLOT_BOTTOM", kTop + kPlot);
  chart->SetIntValue("MID_Y", kTop + kPlot / 2);
  chart->SetIntValue("LABEL_X", kLeft - 4);
  chart->SetIntValue("TARGET_Y", kTop + kPlot - static_cast<int>(target * kPlot + 0.5));
  chart->SetValue("TARGET_TEXT", absl::StrFormat("目标 %.0f%%", target * 100));
  for (size_t i = 0; i < periods.size(); ++i) {
    const Counts& c = days[i];
    const int x = kLeft + kSlot * static_cast<int>(i) + (kSlot - kBar) / 2;
    const std::string day = absl::FormatCivilTime(periods[i].day).substr(5);  // MM-DD
    // Every other day when there are many, always today.
    if ((periods.size() - 1 - i) % 2 == 0 || periods.size() <= 10) {
      auto* l = chart->AddSectionDictionary("DAY_LABELS");
      l->SetIntValue("X", x + kBar / 2);
      l->SetIntValue("Y", kTop + kPlot + 15);
      l->SetValue("DAY", day);
    }
    if (!c.has_rate()) continue;
    const int h = std::max(1, static_cast<int>(c.rate() * kPlot + 0.5));
    auto* b = chart->AddSectionDictionary("BARS");
    b->SetIntValue("X", x);
    b->SetIntValue("Y", kTop + kPlot - h);
    b->SetIntValue("W", kBar);
    b->SetIntValue("H", h);
    b->SetValue("CLASS", c.rate() < target ? "bar below" : "bar");
    b->SetValue("TIP", absl::StrCat(absl::FormatCivilTime(periods[i].day), " 复用率 ", Percent(c),
                                    "（请求 ", c.requested, "，预填 ", c.prefilled, "）"));
  }
}

}  // namespace

Reply Pages::Reuse(const Input& in, const Session& s) {
  int days = 14;
  if (const std::string& d = in.Get("days"); !d.empty()) {
    if (d == "7") {
      days = 7;
    } else if (d == "14") {
      days = 14;
    } else if (d == "30") {
      days = 30;
    } else {
      return ErrorPage(s, 400, "统计天数只能是 7、14 或 30", "INVALID_DAYS");
    }
  }
  // The periods: the city's days, the last one today (up to now).
  const Clock clock(zone_);
  const absl::CivilDay today = clock.Today();
  std::vector<Period> periods;
  for (int i = days - 1; i >= 0; --i) {
    const absl::CivilDay day = today - i;
    periods.push_back({absl::FromCivil(day, zone_), absl::FromCivil(day + 1, zone_), day});
  }
  struct Row {
    std::string name, title, kind;
    Counts total;
    std::vector<Counts> days;
  };
  std::vector<Row> rows;
  auto add_form = [&](const std::string& name, const std::string& title, const char* kind) {
    rows.push_back({name, title, kind, {}, std::vector<Counts>(periods.size())});
  };
  v1::ListBundlesRequest bq;
  bq.set_page_size(200);
  v1::ListBundlesResponse bundles;
  grpc::Status st =
      backend_->governance().ListBundles(backend_->Context(s.identity).get(), bq, &bundles);
  v1::ListMattersRequest mq;
  mq.set_page_size(200);
  v1::ListMattersResponse matters;
  if (st.ok())
    st = backend_->governance().ListMatters(backend_->Context(s.identity).get(), mq, &matters);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    return ErrorPage(s, 403, message, reason);
  }
  for (const auto& b : bundles.bundles()) add_form(b.name(), b.title(), "一件事");
  for (const auto& m : matters.matters()) add_form(m.name(), m.title(), "事项");

  // One call per form and day: the ledger sums a range, and a day is a range.
  std::vector<Counts> all_days(periods.size());
  Counts all;
  for (Row& row : rows) {
    for (size_t i = 0; i < periods.size(); ++i) {
      v1::GetReuseStatsRequest q;
      q.set_form(row.name);
      *q.mutable_start_time() = ToProto(periods[i].start);
      *q.mutable_end_time() = ToProto(periods[i].end - absl::Microseconds(1));
      v1::ReuseStats r;
      st = backend_->reuse().GetReuseStats(backend_->Context(s.identity).get(), q, &r);
      if (!st.ok()) {
        auto [message, reason] = Describe(st);
        return ErrorPage(s, 403, message, reason);
      }
      row.days[i].Add(r);
      row.total.Add(r);
      all_days[i].Add(r);
      all.Add(r);
    }
  }

  Page p("reuse.tpl", "数据复用看板");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetIntValue("DAYS", days);
  d->SetValue("FROM", absl::FormatCivilTime(periods.front().day));
  d->SetValue("TO", absl::FormatCivilTime(periods.back().day));
  d->SetValue("TARGET", absl::StrFormat("%.0f%%", reuse_target_ * 100));
  d->SetValue("ALL_RATE", Percent(all));
  for (int option : {7, 14, 30}) {
    auto* o = d->AddSectionDictionary("DAY_OPTIONS");
    o->SetIntValue("N", option);
    if (option == days) o->ShowSection("SELECTED");
  }
  auto* overall = d->AddIncludeDictionary("OVERALL_CHART");
  overall->SetFilename("chart.tpl");
  FillChart(periods, all_days, reuse_target_, "全部事项和一件事：每日复用率", overall);
  int below = 0;
  for (const Row& row : rows) {
    auto* r = d->AddSectionDictionary("FORMS");
    r->SetValue("FORM", row.name);
    r->SetValue("FORM_TITLE", row.title);
    r->SetValue("KIND", row.kind);
    r->SetIntValue("SERVED", row.total.served);
    r->SetIntValue("REQUESTED", row.total.requested);
    r->SetIntValue("PREFILLED", row.total.prefilled);
    r->SetIntValue("COLLECTED", row.total.collected);
    r->SetValue("RATE", Percent(row.total));
    if (row.total.has_rate() && row.total.rate() < reuse_target_) {
      r->ShowSection("BELOW");
      ++below;
    }
    if (!row.total.has_rate()) r->ShowSection("UNUSED");
    auto* chart = r->AddIncludeDictionary("CHART");
    chart->SetFilename("chart.tpl");
    FillChart(periods, row.days, reuse_target_, absl::StrCat(row.title, "：每日复用率"), chart);
  }
  d->SetIntValue("BELOW_COUNT", below);
  return Reply{200, p.Render(), ""};
}

}  // namespace collectonce::console
