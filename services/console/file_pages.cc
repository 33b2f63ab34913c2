// The file page: the current values (or the values as of a date) and each field's history
// on a timeline.
#include <map>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/console/pages.h"

namespace collectonce::console {

namespace {

// The change sets a timeline shows (newest first); older ones are left to the CLI.
constexpr int kTimelineChangeSets = 200;

// What the as-of form asks for: a date and whether it is what the registry knew at the end
// of that day (commit time) or what was in force on that day (valid time).
struct AsOf {
  bool set = false;
  absl::CivilDay day;
  bool valid_time = false;
  std::string text;  // the date as typed, back into the form
};

// An empty date is "now"; anything else must be a real day in YYYY-MM-DD form.
bool ParseAsOf(const Input& in, AsOf* out) {
  const std::string& date = in.Get("asof");
  out->valid_time = in.Get("view") == "valid";
  if (date.empty()) return true;
  if (date.size() != 10 || !absl::ParseCivilTime(date, &out->day) ||
      absl::FormatCivilTime(out->day) != date || out->day.year() < 1900 || out->day.year() > 9999) {
    return false;
  }
  out->set = true;
  out->text = date;
  return true;
}

void SetAsOf(const AsOf& as_of, absl::TimeZone zone, v1::ReadOptions* options) {
  if (!as_of.set) return;
  if (as_of.valid_time) {
    auto* d = options->mutable_valid_date();
    d->set_year(static_cast<int32_t>(as_of.day.year()));
    d->set_month(as_of.day.month());
    d->set_day(as_of.day.day());
    return;
  }
  // The end of that day in the city: the last microsecond before the next day begins.
  const absl::Time end = absl::FromCivil(as_of.day + 1, zone) - absl::Microseconds(1);
  const int64_t us = absl::ToUnixMicros(end);
  auto* t = options->mutable_commit_time();
  t->set_seconds(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
  t->set_nanos(static_cast<int32_t>((us - t->seconds() * 1000000) * 1000));
}

std::string CityDay(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()), zone);
}

}  // namespace

Reply Pages::File(const Input& in, const Session& s) {
  const std::string& subject = in.Get("s");
  if (!IsSubjectName(subject)) return ErrorPage(s, 400, "档案名称有误");
  if (s.matter.empty()) return Reply::Redirect("/find");
  AsOf as_of;
  if (!ParseAsOf(in, &as_of)) {
    return ErrorPage(s, 400, "日期应为 年-月-日，例如 2026-03-01", "INVALID_DATE");
  }
  v1::GetRecordRequest q;
  q.set_name(subject);
  q.mutable_options()->set_purpose(s.matter);
  q.mutable_options()->set_case_id(s.case_id);
  SetAsOf(as_of, zone_, q.mutable_options());
  v1::Record r;
  grpc::Status st = backend_->records().GetRecord(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    if (as_of.set && st.error_code() == grpc::StatusCode::NOT_FOUND)
      return ErrorPage(s, 404, absl::StrCat(as_of.text, " 时档案尚未建立"), reason);
    return ErrorPage(s, st.error_code() == grpc::StatusCode::NOT_FOUND ? 404 : 403, message,
                     reason);
  }
  const v1::Catalog catalog = CatalogOf(s, subject);
  Page p("file.tpl", absl::StartsWith(subject, "persons/") ? "一人一档" : "一企一档");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetValue("SUBJECT", r.name());
  d->SetIntValue("REVISION", r.revision());
  d->SetValue("MATTER", s.matter);
  d->SetValue("ASOF", as_of.text);
  if (as_of.valid_time) d->ShowSection("VIEW_VALID");
  if (as_of.set) {
    auto* a = d->AddSectionDictionary("AS_OF");
    a->SetValue("DATE", as_of.text);
    a->SetValue("SUBJECT", r.name());
    a->SetValue("HOW", as_of.valid_time ? "当日有效的值" : "当日结束时登记系统所知的值");
  } else {
    d->ShowSection("CURRENT");
  }
  if (!s.case_id.empty()) {
    d->ShowSection("HAS_CASE");
    d->SetValue("CASE_ID", s.case_id);
  }
  for (const auto& f : r.fields()) {
    auto* row = d->AddSectionDictionary("FIELDS");
    row->SetValue("FIELD", f.field());
    row->SetValue("LABEL", LabelOf(catalog, f.field()));
    row->SetValue("VALUE", DisplayValue(catalog, f.field(), f.value(), f.masked()));
    row->SetValue("SOURCE", f.provenance().source());
    row->SetValue("COMMITTED", CityTime(f.provenance().commit_time(), zone_));
    row->SetValue("FIELD_MATTER", f.provenance().matter());
    if (f.masked()) row->ShowSection("MASKED");
    if (f.contested()) {
      row->ShowSection("CONTESTED");
    } else if (!as_of.set) {
      row->ShowSection("CAN_DISPUTE");
    }
  }
  if (as_of.set && r.fields_size() == 0) {
    // A valid-time read of a day before anything took effect has no values.
    p.Notice(absl::StrCat(as_of.text, " 时档案尚未建立，或当日没有有效的值"));
  }
  if (r.withheld_fields_size() > 0) {
    d->ShowSection("HAS_WITHHELD");
    d->SetValue("WITHHELD", absl::StrJoin(r.withheld_fields(), "、"));
  }
  AddTimeline(s, subject, catalog, d);
  return Reply{200, p.Render(), ""};
}

void Pages::AddTimeline(const Session& s, const std::string& subject, const v1::Catalog& catalog,
                        ctemplate::TemplateDictionary* d) {
  v1::ListRecordRevisionsRequest q;
  q.set_parent(subject);
  q.set_purpose(s.matter);
  q.set_page_size(kTimelineChangeSets);
  v1::ListRecordRevisionsResponse r;
  grpc::Status st =
      backend_->records().ListRecordRevisions(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    auto* e = d->AddSectionDictionary("HISTORY_ERROR");
    e->SetValue("MESSAGE", absl::StrCat("无法显示变更历史：", message));
    e->SetValue("REASON", reason);
    return;
  }
  if (!r.next_page_token().empty()) d->ShowSection("HISTORY_CUT");
  // The catalog's order, so that the timelines read like the file.
  std::map<std::string, std::vector<std::pair<const v1::ChangeSet*, const v1::FieldChange*>>>
      by_field;
  for (const auto& cs : r.change_sets()) {
    for (const auto& c : cs.changes()) by_field[c.field()].emplace_back(&cs, &c);
  }
  std::vector<std::string> order;
  std::set<std::string> listed;
  for (const auto& f : catalog.fields()) {
    if (by_field.count(f.name()) > 0 && listed.insert(f.name()).second) order.push_back(f.name());
  }
  for (const auto& [field, _] : by_field) {
    if (listed.insert(field).second) order.push_back(field);
  }
  if (order.empty()) d->ShowSection("NO_HISTORY");
  for (const std::string& field : order) {
    auto* t = d->AddSectionDictionary("TIMELINES");
    t->SetValue("FIELD", field);
    t->SetValue("LABEL", LabelOf(catalog, field));
    for (const auto& [cs, c] : by_field[field]) {
      auto* e = t->AddSectionDictionary("EVENTS");
      e->SetValue("TIME", CityTime(cs->commit_time(), zone_));
      e->SetValue("DAY", CityDay(cs->commit_time(), zone_));
      e->SetValue("SUBJECT", subject);
      e->SetIntValue("REVISION", cs->revision());
      e->SetValue("SOURCE", c->source().empty() ? cs->source() : c->source());
      e->SetValue("CHANGE_MATTER", cs->matter());
      e->SetValue("REASON", cs->reason());
      if (c->cleared()) {
        e->SetValue("VALUE", "（已清除）");
      } else if (c->has_new_value()) {
        e->SetValue("VALUE", DisplayValue(catalog, field, c->new_value(), false));
      } else {
        e->SetValue("VALUE", "（无权查看）");
      }
      if (c->retroactive()) e->ShowSection("RETROACTIVE");
      if (!cs->reason().empty()) e->ShowSection("HAS_REASON");
    }
  }
}

}  // namespace collectonce::console
