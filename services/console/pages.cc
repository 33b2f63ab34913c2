#include "services/console/pages.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/catalog/value_text.h"
#include "libs/rpc/errors.h"

namespace collectonce::console {

namespace {

const char* StateName(gw::FormFieldValue::State s) {
  switch (s) {
    case gw::FormFieldValue::PREFILLED:
      return "已预填";
    case gw::FormFieldValue::MISSING:
      return "需采集";
    case gw::FormFieldValue::STALE:
      return "待确认（已过时效）";
    case gw::FormFieldValue::DENIED:
      return "无权查看";
    case gw::FormFieldValue::MASKED:
      return "已掩码";
    case gw::FormFieldValue::CONTESTED:
      return "异议中";
    default:
      return "未知";
  }
}

}  // namespace

bool IsSubjectName(const std::string& s) {
  return absl::StartsWith(s, "persons/") || absl::StartsWith(s, "enterprises/");
}

const std::string& Input::Get(const std::string& name) const {
  static const std::string* empty = new std::string();
  auto it = params.find(name);
  return it == params.end() ? *empty : it->second;
}

std::pair<std::string, std::string> Describe(const grpc::Status& status) {
  const std::string reason = rpc::FromGrpc(status).reason;
  std::string message;
  switch (status.error_code()) {
    case grpc::StatusCode::PERMISSION_DENIED:
      message = "当前身份无权进行此操作";
      break;
    case grpc::StatusCode::NOT_FOUND:
      message = "未找到";
      break;
    case grpc::StatusCode::INVALID_ARGUMENT:
      message = "输入有误，请检查后重试";
      break;
    case grpc::StatusCode::FAILED_PRECONDITION:
      message = "当前状态下不能这样办理";
      break;
    case grpc::StatusCode::ALREADY_EXISTS:
      message = "已存在，不能重复提出";
      break;
    case grpc::StatusCode::ABORTED:
      message = "数据已被他人修改，请刷新后重试";
      break;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      message = "登记系统暂时无法访问，请稍后重试";
      break;
    default:
      message = "操作失败";
  }
  return {message, reason};
}

std::string CityTime(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(t.seconds()), zone);
}

std::string StateText(v1::Dispute::State state) {
  switch (state) {
    case v1::Dispute::OPEN:
      return "待受理";
    case v1::Dispute::UNDER_REVIEW:
      return "核实中";
    case v1::Dispute::CORRECTED:
      return "已更正";
    case v1::Dispute::UPHELD:
      return "维持原值";
    case v1::Dispute::WITHDRAWN:
      return "已撤回";
    default:
      return "未知";
  }
}

std::string DisplayValue(const v1::Catalog& catalog, const std::string& field,
                         const v1::Value& value, bool masked) {
  if (!masked && field == catalog.lookup_field()) {
    // The console never shows an ID number whole, whatever the principal may read.
    for (const auto& def : catalog.fields()) {
      if (def.name() == field) return catalog::MaskValue(def, value);
    }
    return "****";
  }
  return catalog::FormatValue(value);
}

std::string LabelOf(const v1::Catalog& catalog, const std::string& field) {
  for (const auto& f : catalog.fields()) {
    if (f.name() == field) return f.label();
  }
  return field;
}

Reply Pages::ErrorPage(const Session& s, int status, const std::string& message,
                       const std::string& reason) {
  Page p("error.tpl", "出错了");
  p.SetSession(s);
  p.Error(message, reason);
  return Reply{status, p.Render(), ""};
}

Reply Pages::Login(const Session& s, const std::string& error) {
  Page p("login.tpl", "选择身份");
  p.SetSession(s);
  if (!error.empty()) p.Error(error, "");
  bool first = true;
  for (const auto& [identity, label] : principals_) {
    auto* d = p.dict()->AddSectionDictionary("PRINCIPALS");
    d->SetValue("IDENTITY", identity);
    d->SetValue("LABEL", label);
    if (first) d->ShowSection("CHECKED");
    first = false;
  }
  return Reply{200, p.Render(), ""};
}

bool Pages::ChoosePrincipal(const Input& in, Session* s) const {
  for (const auto& [identity, label] : principals_) {
    if (identity == in.Get("principal")) {
      s->identity = identity;
      s->label = label;
      s->matter.clear();
      s->case_id.clear();
      return true;
    }
  }
  return false;
}

void Pages::SignInAs(const std::string& identity, Session* s) const {
  s->identity = identity;
  s->label = identity;
  for (const auto& [id, label] : principals_) {
    if (id == identity) s->label = label;
  }
  s->matter.clear();
  s->case_id.clear();
}

Reply Pages::SignedOut(const Session& s) {
  Page p("error.tpl", "已退出");
  p.SetSession(s);
  p.Notice("已退出本次会话。再次访问将以浏览器证书中的身份重新进入；离开时请关闭浏览器。");
  return Reply{200, p.Render(), ""};
}

void Pages::AddForms(const Session& s, const std::string& selected,
                     ctemplate::TemplateDictionary* d, const std::string& section) {
  auto add = [&](const std::string& name, const std::string& title) {
    auto* o = d->AddSectionDictionary(section);
    o->SetValue("NAME", name);
    o->SetValue("TITLE", title);
    if (name == selected) o->ShowSection("SELECTED");
  };
  v1::ListBundlesRequest bq;
  bq.set_page_size(200);
  v1::ListBundlesResponse bundles;
  if (backend_->governance().ListBundles(backend_->Context(s.identity).get(), bq, &bundles).ok()) {
    for (const auto& b : bundles.bundles()) add(b.name(), b.title());
  }
  v1::ListMattersRequest mq;
  mq.set_page_size(200);
  v1::ListMattersResponse matters;
  if (backend_->governance().ListMatters(backend_->Context(s.identity).get(), mq, &matters).ok()) {
    for (const auto& m : matters.matters()) add(m.name(), m.title());
  }
}

v1::Catalog Pages::CatalogOf(const Session& s, const std::string& subject) {
  v1::GetCatalogRequest q;
  q.set_name(absl::StartsWith(subject, "persons/") ? "catalogs/person" : "catalogs/enterprise");
  v1::Catalog c;
  if (!backend_->governance().GetCatalog(backend_->Context(s.identity).get(), q, &c).ok()) {
    c.Clear();
  }
  return c;
}

Reply Pages::Find(const Session& s) {
  Page p("find.tpl", "查找档案");
  p.SetSession(s);
  p.dict()->SetValue("CASE_ID", s.case_id);
  AddForms(s, s.matter, p.dict(), "FORMS");
  return Reply{200, p.Render(), ""};
}

Reply Pages::DoFind(const Input& in, Session* s) {
  const std::string& id_number = in.Get("id_number");
  const std::string& subject = in.Get("subject");
  const std::string& enterprise_name = in.Get("enterprise_name");
  s->matter = in.Get("matter").substr(0, 200);
  s->case_id = in.Get("case_id").substr(0, 128);
  if (!id_number.empty() + !subject.empty() + !enterprise_name.empty() != 1) {
    Page p("find.tpl", "查找档案");
    p.SetSession(*s);
    p.Error("请填写身份证号码、企业名称或档案名称中的一项", "");
    p.dict()->SetValue("CASE_ID", s->case_id);
    AddForms(*s, s->matter, p.dict(), "FORMS");
    return Reply{400, p.Render(), ""};
  }
  if (!enterprise_name.empty()) return FindEnterprises(in, *s);
  if (!subject.empty()) {
    if (!IsSubjectName(subject))
      return ErrorPage(*s, 400, "档案名称应为 persons/… 或 enterprises/…");
    return Reply::Redirect(absl::StrCat("/file?s=", subject));
  }
  // The ID number goes to the registry in the request body and nowhere else.
  v1::GetRecordRequest q;
  q.set_id_number(id_number);
  q.mutable_options()->set_purpose(s->matter);
  q.mutable_options()->set_case_id(s->case_id);
  q.mutable_options()->mutable_read_mask()->add_paths("name");
  v1::Record r;
  grpc::Status st = backend_->records().GetRecord(backend_->Context(s->identity).get(), q, &r);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    Page p("find.tpl", "查找档案");
    p.SetSession(*s);
    p.Error(st.error_code() == grpc::StatusCode::NOT_FOUND ? "没有该身份证号码的档案" : message,
            reason);
    p.dict()->SetValue("CASE_ID", s->case_id);
    AddForms(*s, s->matter, p.dict(), "FORMS");
    return Reply{st.error_code() == grpc::StatusCode::NOT_FOUND ? 404 : 400, p.Render(), ""};
  }
  return Reply::Redirect(absl::StrCat("/file?s=", r.name()));
}

Reply Pages::Preview(const Input& in, const Session& s) {
  const std::string& subject = in.Get("s");
  const std::string form = in.Get("form").empty() ? s.matter : in.Get("form");
  if (!IsSubjectName(subject)) return ErrorPage(s, 400, "档案名称有误");
  gw::PrefillFormRequest q;
  q.set_form(form);
  q.set_subject(subject);
  q.set_case_id(s.case_id);
  gw::PrefillFormResponse r;
  grpc::Status st = backend_->gateway().PrefillForm(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    return ErrorPage(s, 403, message, reason);
  }
  const v1::Catalog catalog = CatalogOf(s, subject);
  Page p("preview.tpl", "预填预览");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetValue("FORM", r.form());
  d->SetValue("FORM_TITLE", r.title());
  d->SetValue("SUBJECT", subject);
  d->SetIntValue("PREFILLED", r.prefilled_count());
  d->SetIntValue("REQUESTED", r.requested_count());
  AddForms(s, form, d, "FORMS");
  for (const auto& f : r.fields()) {
    auto* row = d->AddSectionDictionary("FIELDS");
    row->SetValue("KEY", f.key());
    row->SetValue("LABEL", f.label());
    row->SetValue("FIELD", f.catalog_field());
    row->SetValue("STATE", StateName(f.state()));
    row->SetValue("STATE_CODE", absl::AsciiStrToLower(gw::FormFieldValue::State_Name(f.state())));
    row->SetValue("VALUE", f.has_value() ? DisplayValue(catalog, f.catalog_field(), f.value(),
                                                        f.state() == gw::FormFieldValue::MASKED)
                                         : "");
    row->SetValue("SOURCE", f.provenance().source());
    if (f.required()) row->ShowSection("REQUIRED");
  }
  return Reply{200, p.Render(), ""};
}

Reply Pages::Access(const Input& in, const Session& s) {
  const std::string& subject = in.Get("s");
  if (!IsSubjectName(subject)) return ErrorPage(s, 400, "档案名称有误");
  v1::ListAccessEventsRequest q;
  q.set_subject(subject);
  q.set_page_size(100);
  v1::ListAccessEventsResponse r;
  grpc::Status st = backend_->audit().ListAccessEvents(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) {
    auto [message, reason] = Describe(st);
    return ErrorPage(s, 403, message, reason);
  }
  Page p("access.tpl", "谁查看了这些数据");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetValue("SUBJECT", subject);
  d->SetIntValue("COUNT", r.entries_size());
  for (const auto& e : r.entries()) {
    auto* row = d->AddSectionDictionary("EVENTS");
    row->SetValue("TIME", CityTime(e.time(), zone_));
    row->SetValue("PRINCIPAL", e.principal());
    row->SetValue("VIA", e.access().via());
    row->SetValue("PURPOSE", e.access().purpose());
    row->SetValue("CASE_ID", e.access().case_id());
    row->SetValue("FIELDS", absl::StrJoin(e.access().fields(), "、"));
    row->SetValue("MASKED", absl::StrJoin(e.access().masked_fields(), "、"));
  }
  return Reply{200, p.Render(), ""};
}

}  // namespace collectonce::console
