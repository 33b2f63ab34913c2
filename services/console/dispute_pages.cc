// The dispute pages: open from a value of the file, the department's queue with deadlines,
// one dispute with its steps, and the decision (correct with a new value, or uphold).
#include "absl/strings/str_cat.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/value_text.h"
#include "services/console/pages.h"

namespace collectonce::console {

namespace {

Reply Failed(const Session& s, const grpc::Status& st) {
  auto [message, reason] = Describe(st);
  const int code = st.error_code() == grpc::StatusCode::PERMISSION_DENIED ? 403
                   : st.error_code() == grpc::StatusCode::NOT_FOUND       ? 404
                                                                          : 400;
  return Pages::ErrorPage(s, code, message, reason);
}

}  // namespace

Reply Pages::Disputes(const Input& in, const Session& s) {
  v1::ListDisputesRequest q;
  q.set_subject(in.Get("s"));
  q.set_page_size(200);
  v1::ListDisputesResponse r;
  grpc::Status st = backend_->disputes().ListDisputes(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) return Failed(s, st);
  Page p("disputes.tpl", "异议队列");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetValue("SCOPE", in.Get("s").empty() ? "本身份可见的异议，按档案排列；超期的标黄。"
                                           : absl::StrCat("档案 ", in.Get("s"), " 的异议"));
  for (const auto& x : r.disputes()) {
    auto* row = d->AddSectionDictionary("DISPUTES");
    row->SetValue("NAME", x.name());
    row->SetValue("FIELD", x.field());
    row->SetValue("STATE", StateText(x.state()));
    row->SetValue("DEPARTMENT", x.department());
    row->SetValue("DECIDE_BY", CityTime(x.decide_by(), zone_));
    row->SetValue("OPENED_BY", x.opened_by());
    if (x.overdue()) row->ShowSection("OVERDUE");
  }
  if (r.disputes_size() == 0) d->ShowSection("NONE");
  return Reply{200, p.Render(), ""};
}

Reply Pages::Dispute(const Input& in, const Session& s) {
  v1::GetDisputeRequest q;
  q.set_name(in.Get("n"));
  v1::Dispute x;
  grpc::Status st = backend_->disputes().GetDispute(backend_->Context(s.identity).get(), q, &x);
  if (!st.ok()) return Failed(s, st);
  const v1::Catalog catalog = CatalogOf(s, x.subject());
  Page p("dispute.tpl", "异议");
  p.SetSession(s);
  if (!in.Get("done").empty()) p.Notice("已办理。");
  auto* d = p.dict();
  d->SetValue("NAME", x.name());
  d->SetValue("SUBJECT", x.subject());
  d->SetValue("FIELD", x.field());
  d->SetValue("FIELD_LABEL", LabelOf(catalog, x.field()));
  d->SetValue("STATE", StateText(x.state()));
  d->SetValue("DEPARTMENT", x.department());
  d->SetValue("DECIDE_BY", CityTime(x.decide_by(), zone_));
  d->SetValue("MATTER", x.matter());
  d->SetValue("CASE_ID", x.case_id());
  d->SetValue("ETAG", x.etag());
  if (x.overdue()) d->ShowSection("OVERDUE");
  if (x.state() == v1::Dispute::CORRECTED) {
    auto* c = d->AddSectionDictionary("CORRECTED");
    c->SetValue("CORRECTED_BY", x.corrected_by());
    c->SetIntValue("NOTIFIED", x.notified_count());
  }
  for (const auto& step : x.steps()) {
    auto* row = d->AddSectionDictionary("STEPS");
    row->SetValue("TIME", CityTime(step.time(), zone_));
    row->SetValue("STATE", StateText(step.state()));
    row->SetValue("PRINCIPAL", step.principal());
    row->SetValue("OPERATOR", step.operator_());
    row->SetValue("REASON", step.reason());
  }
  // The forms are offered while the dispute is pending; the registry decides who may use them.
  if (x.state() == v1::Dispute::OPEN || x.state() == v1::Dispute::UNDER_REVIEW) {
    d->ShowSection("CAN_DECIDE");
    d->ShowSection("CAN_WITHDRAW");
  }
  return Reply{200, p.Render(), ""};
}

Reply Pages::OpenDispute(const Input& in, const Session& s) {
  v1::OpenDisputeRequest q;
  v1::Dispute* d = q.mutable_dispute();
  d->set_subject(in.Get("subject"));
  d->set_field(in.Get("field"));
  d->set_reason(in.Get("reason"));
  d->set_matter(s.matter);
  d->set_case_id(s.case_id);
  v1::Dispute out;
  grpc::Status st = backend_->disputes().OpenDispute(backend_->Context(s.identity).get(), q, &out);
  if (!st.ok()) return Failed(s, st);
  return Reply::Redirect(absl::StrCat("/dispute?n=", out.name(), "&done=1"));
}

Reply Pages::Correct(const Input& in, const Session& s) {
  v1::GetDisputeRequest gq;
  gq.set_name(in.Get("name"));
  v1::Dispute x;
  grpc::Status st = backend_->disputes().GetDispute(backend_->Context(s.identity).get(), gq, &x);
  if (!st.ok()) return Failed(s, st);
  // The new value in the field's text form, typed by the catalog.
  const v1::Catalog catalog = CatalogOf(s, x.subject());
  const v1::FieldDefinition* def = nullptr;
  for (const auto& f : catalog.fields()) {
    if (f.name() == x.field()) def = &f;
  }
  if (def == nullptr) return ErrorPage(s, 400, "目录中没有该字段");
  auto value = catalog::ParseValueText(*def, in.Get("value"));
  if (!value.ok()) return ErrorPage(s, 400, "更正后的值格式不正确", "INVALID_VALUES");
  // The correction is a change set of its own; a retry of this form replays it.
  v1::UpdateRecordRequest uq;
  uq.set_name(x.subject());
  (*uq.mutable_values())[x.field()] = *std::move(value);
  uq.mutable_provenance()->set_source(in.Get("source").empty() ? x.department() : in.Get("source"));
  uq.set_reason(absl::StrCat("异议更正：", in.Get("reason")));
  uq.set_request_id(absl::StrCat("console-correct:", x.name(), ":", x.etag()).substr(0, 128));
  v1::UpdateRecordResponse ur;
  st = backend_->records().UpdateRecord(backend_->Context(s.identity).get(), uq, &ur);
  if (!st.ok()) return Failed(s, st);
  v1::DecideDisputeRequest dq;
  dq.set_name(x.name());
  dq.set_outcome(v1::Dispute::CORRECTED);
  dq.set_corrected_by(absl::StrCat(x.subject(), "/revisions/", ur.record().revision()));
  dq.set_reason(in.Get("reason"));
  dq.set_etag(in.Get("etag"));
  v1::Dispute out;
  st = backend_->disputes().DecideDispute(backend_->Context(s.identity).get(), dq, &out);
  if (!st.ok()) return Failed(s, st);
  return Reply::Redirect(absl::StrCat("/dispute?n=", out.name(), "&done=1"));
}

Reply Pages::Uphold(const Input& in, const Session& s) {
  v1::DecideDisputeRequest q;
  q.set_name(in.Get("name"));
  q.set_outcome(v1::Dispute::UPHELD);
  q.set_reason(in.Get("reason"));
  q.set_etag(in.Get("etag"));
  v1::Dispute out;
  grpc::Status st =
      backend_->disputes().DecideDispute(backend_->Context(s.identity).get(), q, &out);
  if (!st.ok()) return Failed(s, st);
  return Reply::Redirect(absl::StrCat("/dispute?n=", out.name(), "&done=1"));
}

Reply Pages::Withdraw(const Input& in, const Session& s) {
  v1::WithdrawDisputeRequest q;
  q.set_name(in.Get("name"));
  q.set_reason(in.Get("reason"));
  q.set_etag(in.Get("etag"));
  v1::Dispute out;
  grpc::Status st =
      backend_->disputes().WithdrawDispute(backend_->Context(s.identity).get(), q, &out);
  if (!st.ok()) return Failed(s, st);
  return Reply::Redirect(absl::StrCat("/dispute?n=", out.name(), "&done=1"));
}

Reply Pages::Notifications(const Session& s) {
  v1::ListNotificationsRequest q;
  q.set_page_size(200);
  v1::ListNotificationsResponse r;
  grpc::Status st =
      backend_->disputes().ListNotifications(backend_->Context(s.identity).get(), q, &r);
  if (!st.ok()) return Failed(s, st);
  Page p("notifications.tpl", "更正通知");
  p.SetSession(s);
  auto* d = p.dict();
  d->SetValue("PRINCIPAL_NAME", s.label);
  for (const auto& n : r.notifications()) {
    auto* row = d->AddSectionDictionary("NOTICES");
    row->SetValue("SUBJECT", n.subject());
    row->SetValue("FIELD", n.field());
    row->SetValue("CORRECTED_BY", n.corrected_by());
    row->SetValue("LAST_SERVED", CityTime(n.last_served_time(), zone_));
    row->SetValue("MATTER", n.matter());
    row->SetValue("DISPUTE", n.dispute());
  }
  if (r.notifications_size() == 0) d->ShowSection("NONE");
  return Reply{200, p.Render(), ""};
}

}  // namespace collectonce::console
