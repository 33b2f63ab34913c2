// Finding an enterprise by name: the registry's ListRecords with a name filter, page by page.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/console/pages.h"

namespace collectonce::console {

namespace {

// Matches shown at once, and registry pages read to find them (each examines a bounded
// number of records, so a page may hold few matches or none).
constexpr int kMatchesShown = 20;
constexpr int kPagesPerSearch = 10;

// `name : "text"`, the text quoted as the filter language wants.
std::string ContainsFilter(const std::string& text) {
  std::string quoted;
  for (char c : text) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return absl::StrCat("name : \"", quoted, "\"");
}

}  // namespace

Reply Pages::FindEnterprises(const Input& in, const Session& s) {
  const std::string& text = in.Get("enterprise_name");
  Page p("find.tpl", "查找档案");
  p.SetSession(s);
  p.dict()->SetValue("CASE_ID", s.case_id);
  p.dict()->SetValue("ENTERPRISE_NAME", text);
  AddForms(s, s.matter, p.dict(), "FORMS");
  // Two characters at least: a single one would match much of the city.
  int characters = 0;
  for (unsigned char c : text) characters += (c & 0xC0) != 0x80;
  if (characters < 2 || text.size() > 300) {
    p.Error("企业名称请至少输入两个字", "");
    return Reply{400, p.Render(), ""};
  }
  v1::ListRecordsRequest q;
  q.set_parent("enterprises");
  q.set_filter(ContainsFilter(text));
  q.set_page_size(kMatchesShown);
  q.set_page_token(in.Get("page_token"));
  q.mutable_options()->set_purpose(s.matter);
  q.mutable_options()->set_case_id(s.case_id);
  q.mutable_options()->mutable_read_mask()->add_paths("name");
  std::vector<v1::Record> matches;
  std::string next;
  for (int i = 0; i < kPagesPerSearch; ++i) {
    v1::ListRecordsResponse r;
    grpc::Status st = backend_->records().ListRecords(backend_->Context(s.identity).get(), q, &r);
    if (!st.ok()) {
      auto [message, reason] = Describe(st);
      if (reason == "INVALID_PAGE_TOKEN") message = "查找条件已变化，请重新查找";
      p.Error(message, reason);
      return Reply{st.error_code() == grpc::StatusCode::PERMISSION_DENIED ? 403 : 400, p.Render(),
                   ""};
    }
    for (auto& rec : *r.mutable_records()) matches.push_back(std::move(rec));
    next = r.next_page_token();
    if (next.empty() || static_cast<int>(matches.size()) >= kMatchesShown) break;
    q.set_page_token(next);
  }
  auto* d = p.dict();
  d->ShowSection("SEARCHED");
  d->SetValue("MATTER", s.matter);
  d->SetValue("CASE_ID", s.case_id);
  if (!next.empty()) {
    auto* more = d->AddSectionDictionary("MORE");
    more->SetValue("PAGE_TOKEN", next);
  }
  if (matches.empty()) {
    auto* none = d->AddSectionDictionary("NO_MATCH");
    if (!next.empty()) none->ShowSection("MORE");
  }
  for (const auto& rec : matches) {
    auto* m = d->AddSectionDictionary("MATCHES");
    m->SetValue("SUBJECT", rec.name());
    m->SetValue("USCC", std::string(absl::StripPrefix(rec.name(), "enterprises/")));
    std::string name = rec.name();
    for (const auto& f : rec.fields()) {
      if (f.field() == "name") name = f.value().string_value();
    }
    m->SetValue("NAME", name);
  }
  return Reply{200, p.Render(), ""};
}

}  // namespace collectonce::console
