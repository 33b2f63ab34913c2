#include "services/registry/dispute_service.h"

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/authz/validate.h"
#include "libs/base/clock.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/disputes/dispute_rules.h"
#include "libs/disputes/served.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"

namespace collectonce::registry {

namespace {

using catalog::Violations;
namespace ds = ::collectonce::disputes;

constexpr size_t kMaxReasonLength = 1000;
constexpr size_t kMaxRefLength = 256;
constexpr size_t kMaxOperatorLength = 128;
constexpr size_t kMaxRequestIdLength = 128;

using rpc::Reply;

absl::Status InvalidValues(const std::string& what) {
  return WithReason(absl::InvalidArgumentError(absl::StrCat(what, " is not valid")),
                    "INVALID_VALUES");
}

void CheckLength(const std::string& value, size_t max, const std::string& field, Violations* v) {
  if (value.size() > max) v->push_back({field, "LENGTH", absl::StrCat("at most ", max, " bytes")});
}

// The subject of a dispute name, checked; INVALID_NAME otherwise.
absl::StatusOr<catalog::SubjectName> DisputeSubject(const std::string& name, Violations* v) {
  const std::string subject = ds::SubjectOfDispute(name);
  auto parsed = catalog::ParseSubjectName(subject);
  const size_t id_at = subject.size() + std::string("/disputes/").size();
  if (subject.empty() || !parsed.ok() || name.size() <= id_at) {
    v->push_back({"name", "NAME", "a dispute is {subject}/disputes/{id}"});
    return WithReason(absl::InvalidArgumentError("the name is not a dispute's name"),
                      "INVALID_NAME");
  }
  return parsed;
}

absl::Status NotFound(const std::string& name) {
  return WithReason(absl::NotFoundError("no such dispute"), "DISPUTE_NOT_FOUND");
}

// Loads a dispute the caller may see. A caller that does not see every dispute gets the same
// PERMISSION_DENIED for one that does not exist as for another department's.
absl::StatusOr<v1::Dispute> LoadVisible(const ds::DisputeStore& store, const Clock& clock,
                                        const Caller& caller, const std::string& name,
                                        Violations* v) {
  auto subject = DisputeSubject(name, v);
  if (!subject.ok()) return subject.status();
  auto d = store.Get(name, clock.NowMicros());
  if (absl::IsNotFound(d.status())) {
    if (ds::ReadsAllDisputes(caller.principal)) return NotFound(name);
    v1::Dispute none;
    return ds::MaySee(caller.principal, none);
  }
  if (!d.ok()) return d.status();
  if (absl::Status s = ds::MaySee(caller.principal, *d); !s.ok()) return s;
  return d;
}

void AddStep(const Caller& caller, v1::Dispute::State state, const std::string& op,
             const std::string& reason, int64_t now_us, v1::Dispute* d) {
  d->set_state(state);
  auto* step = d->add_steps();
  step->set_state(state);
  step->set_principal(caller.principal.name());
  step->set_operator_(op);
  step->set_reason(reason);
  *step->mutable_time() = catalog::MicrosToTimestamp(now_us);
}

// Stores the next version of `d` (based on `version`) and answers with it.
void SaveAndReply(ds::DisputeStore& store, const Clock& clock, grpc::ServerUnaryReactor* reactor,
                  v1::Dispute d, int64_t version, const Caller& caller, const std::string& action,
                  v1::Dispute* response) {
  store.Save(std::move(d), version, caller.principal.name(), action,
             [clock, reactor, response](absl::StatusOr<v1::Dispute> saved) {
               if (!saved.ok()) {
                 absl::Status s = saved.status();
                 if (ReasonOf(s) == "OBJECT_CHANGED") {
                   s = WithReason(absl::AbortedError("the dispute changed meanwhile: read it "
                                                     "again"),
                                  "CONCURRENT_DISPUTE_CHANGE");
                 }
                 reactor->Finish(rpc::ToGrpc(s));
                 return;
               }
               ds::MarkOverdue(clock.NowMicros(), &*saved);
               *response = *std::move(saved);
               reactor->Finish(grpc::Status::OK);
             });
}

// ---- OpenDispute ----

// Checks what the caller gave; fills the definition of the field. Violations for each bad
// member.
absl::Status CheckOpen(const Caller& caller, store::Store* store, const Clock& clock,
                       const v1::OpenDisputeRequest& r, catalog::SubjectName* subject,
                       std::shared_ptr<const catalog::Catalog>* cat, Violations* v) {
  const v1::Dispute& d = r.dispute();
  auto parsed = catalog::ParseSubjectName(d.subject());
  if (!parsed.ok()) {
    v->push_back({"dispute.subject", "NAME", "enterprises/{uscc} or persons/{pid}"});
    return InvalidValues("the dispute");
  }
  *subject = *parsed;
  auto c = store->GetCatalog(subject->kind);
  if (!c.ok()) return WithReason(absl::FailedPreconditionError(c.status().message()), "NO_CATALOG");
  *cat = *c;
  const v1::FieldDefinition* def = (*cat)->FindField(d.field());
  if (def == nullptr) {
    v->push_back(
        {"dispute.field", "UNKNOWN_FIELD",
         absl::StrCat("the ", catalog::KindName(subject->kind), " catalog has no such field")});
  }
  if (d.reason().empty())
    v->push_back({"dispute.reason", "REQUIRED", "say why the value is wrong"});
  CheckLength(d.reason(), kMaxReasonLength, "dispute.reason", v);
  CheckLength(d.evidence_ref(), kMaxRefLength, "dispute.evidence_ref", v);
  CheckLength(d.case_id(), kMaxCaseIdLength, "dispute.case_id", v);
  CheckLength(d.operator_(), kMaxOperatorLength, "dispute.operator", v);
  CheckLength(r.request_id(), kMaxRequestIdLength, "request_id", v);
  if (d.disputed_revision() < 0) {
    v->push_back({"dispute.disputed_revision", "RANGE", "revisions start at 1"});
  }
  const bool window_only = !authz::Policy::HasRole(caller.principal, v1::GOVERNANCE);
  if (d.matter().empty() && window_only) {
    v->push_back({"dispute.matter", "REQUIRED", "the matter or bundle the dispute arose in"});
  } else if (!d.matter().empty() && caller.policy->FindMatter(d.matter()) == nullptr &&
             caller.policy->FindBundle(d.matter()) == nullptr) {
    v->push_back({"dispute.matter", "UNKNOWN_FORM", "not a known matter or bundle"});
  }
  if (def != nullptr && d.has_claimed_value()) {
    (*cat)->CheckValue(*def, d.claimed_value(), clock.Today(), "dispute.claimed_value", v);
  }
  if (!v->empty()) return InvalidValues("the dispute");
  if (window_only) {
    // A window disputes only what it may be shown for the matter.
    auto releases =
        caller.policy->AuthorizeRead(caller.principal, d.matter(), subject->kind, **cat);
    if (!releases.ok()) return releases.status();
    auto it = releases->find(d.field());
    if (it == releases->end() || it->second == authz::Release::kDenied) {
      return WithReason(
          absl::PermissionDeniedError(absl::StrCat(caller.principal.name(), " is not granted ",
                                                   d.field(), " for ", d.matter())),
          "FIELD_NOT_GRANTED");
    }
  }
  return absl::OkStatus();
}

// The revision whose value is disputed: the one asked for, or the current one; the field
// must have a value there.
absl::StatusOr<int64_t> DisputedRevision(store::Store* store, const catalog::SubjectName& subject,
                                         const std::string& field, int64_t revision) {
  auto record = store->GetRecord(
      subject, revision > 0 ? store::AsOf::Revision(revision) : store::AsOf::Current(), {field});
  if (absl::IsNotFound(record.status())) {
    return WithReason(absl::NotFoundError(revision > 0 ? "the subject has no such revision"
                                                       : "the subject has no record"),
                      "RECORD_NOT_FOUND");
  }
  if (!record.ok()) return record.status();
  for (const auto& f : record->fields()) {
    if (f.field() == field) return record->revision();
  }
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat("the record has no value of ", field,
                                                 " to dispute at revision ", record->revision())),
      "NO_VALUE_TO_DISPUTE");
}

// ---- DecideDispute: the correction and who was served the old value ----

// The revision named by "{subject}/revisions/{n}" when the subject is the dispute's.
absl::StatusOr<int64_t> CorrectionRevision(const v1::Dispute& d, const std::string& name,
                                           Violations* v) {
  const std::string prefix = absl::StrCat(d.subject(), "/revisions/");
  int64_t n = 0;
  if (name.rfind(prefix, 0) != 0 || !absl::SimpleAtoi(name.substr(prefix.size()), &n) || n < 1) {
    v->push_back(
        {"corrected_by", "NAME",
         absl::StrCat("a change set of the dispute's subject: ", d.subject(), "/revisions/{n}")});
    return InvalidValues("corrected_by");
  }
  return n;
}

// The correcting change set: revision n of the subject, touching the field, committed after
// the dispute was opened. NOT_A_CORRECTION otherwise.
absl::StatusOr<v1::ChangeSet> CheckCorrection(store::Store* store, const v1::Dispute& d,
                                              const catalog::SubjectName& subject, int64_t n) {
  store::HistoryQuery q;
  q.field = d.field();
  q.before_revision = n + 1;
  q.page_size = 1;
  auto page = store->ListHistory(subject, q);
  if (!page.ok()) return page.status();
  if (page->change_sets.empty() || page->change_sets[0].revision() != n) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("revision ", n, " does not change ", d.field())),
        "NOT_A_CORRECTION");
  }
  const v1::ChangeSet& cs = page->change_sets[0];
  if (catalog::TimestampToMicros(cs.commit_time()) < catalog::TimestampToMicros(d.create_time())) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "revision ", n, " was written before the dispute was opened")),
                      "NOT_A_CORRECTION");
  }
  return cs;
}

// When the value the correction replaced was written (0 if there was none).
absl::StatusOr<int64_t> OldValueTime(store::Store* store, const catalog::SubjectName& subject,
                                     const std::string& field, int64_t correction) {
  if (correction <= 1) return 0;
  auto before = store->GetRecord(subject, store::AsOf::Revision(correction - 1), {field});
  if (!before.ok()) return before.status();
  for (const auto& f : before->fields()) {
    if (f.field() == field) return catalog::TimestampToMicros(f.provenance().commit_time());
  }
  return 0;
}

bool IsApprovalSystem(store::Store* store, const std::string& principal) {
  auto o = store->GetObject("principals", principal);
  if (!o.ok()) return false;
  v1::Principal p;
  return p.ParseFromString(o->payload) && authz::Policy::HasRole(p, v1::APPROVAL_SYSTEM);
}

// One notification per approval system that read the old value.
absl::StatusOr<std::vector<v1::Notification>> NotificationsFor(store::Store* store,
                                                               const v1::Dispute& d,
                                                               const catalog::SubjectName& subject,
                                                               const v1::ChangeSet& correction,
                                                               int64_t decided_us) {
  auto since = OldValueTime(store, subject, d.field(), correction.revision());
  if (!since.ok()) return since.status();
  auto served = ds::ServedField(store, subject, d.field(), *since,
                                catalog::TimestampToMicros(correction.commit_time()));
  if (!served.ok()) return served.status();
  std::vector<v1::Notification> out;
  for (const auto& s : *served) {
    if (!IsApprovalSystem(store, s.principal)) continue;
    v1::Notification n;
    n.set_name(ds::NotificationName(s.principal, d.name()));
    n.set_principal(s.principal);
    n.set_subject(d.subject());
    n.set_field(d.field());
    n.set_dispute(d.name());
    n.set_corrected_by(correction.name());
    *n.mutable_last_served_time() = catalog::MicrosToTimestamp(s.last_time_us);
    n.set_matter(s.matter);
    *n.mutable_create_time() = catalog::MicrosToTimestamp(decided_us);
    out.push_back(std::move(n));
  }
  return out;
}

// The steps after OPEN share this: load, check the caller, the etag and the transition.
absl::StatusOr<v1::Dispute> LoadForStep(const ds::DisputeStore& store, const Clock& clock,
                                        const Caller& caller, const std::string& name,
                                        const std::string& etag, v1::Dispute::State to,
                                        Violations* v) {
  auto d = LoadVisible(store, clock, caller, name, v);
  if (!d.ok()) return d.status();
  absl::Status allowed = to == v1::Dispute::WITHDRAWN ? ds::MayWithdraw(caller.principal)
                                                      : ds::MayDecide(caller.principal, *d);
  if (!allowed.ok()) return allowed;
  if (!etag.empty() && etag != d->etag()) {
    return WithReason(absl::AbortedError("the dispute changed since it was read"), "ETAG_MISMATCH");
  }
  if (absl::Status s = ds::CheckTransition(d->state(), to); !s.ok()) return s;
  return d;
}

// ---- lists ----

std::string DisputeFilterKey(const ds::DisputeFilter& f) {
  return absl::StrCat(f.subject, "|", f.department, "|", static_cast<int>(f.state), "|",
                      f.overdue_only ? 1 : 0, "\n");
}

absl::StatusOr<std::string> DecodeAfter(const PageTokens& tokens, PageList list,
                                        const std::string& token, const std::string& bound,
                                        Violations* v) {
  if (token.empty()) return std::string();
  auto decoded = tokens.DecodeKey(list, token);
  if (decoded.ok() && decoded->rfind(bound, 0) != 0) {
    decoded = WithReason(absl::InvalidArgumentError("the page token belongs to another query"),
                         "INVALID_PAGE_TOKEN");
  }
  if (!decoded.ok()) return TokenRefused(decoded.status(), v);
  return decoded->substr(bound.size());
}

}  // namespace

grpc::ServerUnaryReactor* DisputeServiceImpl::OpenDispute(grpc::CallbackServerContext* context,
                                                          const v1::OpenDisputeRequest* request,
                                                          v1::Dispute* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (absl::Status s = ds::MayOpen(caller->principal); !s.ok()) return Reply(context, s);
  Violations v;
  catalog::SubjectName subject;
  std::shared_ptr<const catalog::Catalog> cat;
  absl::Status checked =
      CheckOpen(*caller, ctx_->store(), ctx_->clock(), *request, &subject, &cat, &v);
  if (!checked.ok()) return Reply(context, checked, v);
  const v1::Dispute& in = request->dispute();
  const std::string subject_name = subject.ToString();
  auto existing = disputes_.ForSubject(subject_name, ctx_->clock().NowMicros());
  if (!existing.ok()) return Reply(context, existing.status());
  int on_field = 0;
  for (const auto& d : *existing) {
    if (!request->request_id().empty() && d.request_id() == request->request_id() &&
        d.opened_by() == caller->principal.name()) {
      *response = d;  // a retry: the first outcome
      return Reply(context, absl::OkStatus());
    }
    if (d.field() != in.field()) continue;
    ++on_field;
    if (ds::IsPending(d.state())) {
      return Reply(
          context,
          WithMetadata(WithReason(absl::AlreadyExistsError("a dispute on this field is open"),
                                  "DISPUTE_ALREADY_OPEN"),
                       "dispute", d.name()));
    }
  }
  if (existing->size() >= static_cast<size_t>(ds::kMaxDisputesPerSubject)) {
    return Reply(
        context,
        WithReason(absl::ResourceExhaustedError("the subject has as many disputes as it may have"),
                   "TOO_MANY_DISPUTES"));
  }
  auto revision = DisputedRevision(ctx_->store(), subject, in.field(), in.disputed_revision());
  if (!revision.ok()) return Reply(context, revision.status());

  const v1::FieldDefinition& def = *cat->FindField(in.field());
  const int64_t now = ctx_->clock().NowMicros();
  v1::Dispute d;
  d.set_name(absl::StrCat(subject_name, "/disputes/", ds::DisputeId(in.field(), on_field + 1)));
  d.set_subject(subject_name);
  d.set_field(in.field());
  d.set_disputed_revision(*revision);
  if (in.has_claimed_value()) *d.mutable_claimed_value() = in.claimed_value();
  d.set_evidence_ref(in.evidence_ref());
  d.set_matter(in.matter());
  d.set_case_id(in.case_id());
  d.set_department(ds::RouteDepartment(def));
  d.set_reason(in.reason());
  d.set_opened_by(caller->principal.name());
  d.set_operator_(in.operator_());
  d.set_request_id(request->request_id());
  *d.mutable_create_time() = catalog::MicrosToTimestamp(now);
  *d.mutable_decide_by() =
      catalog::MicrosToTimestamp(ds::DecideBy(now, ds::WorkingDays(def), ctx_->clock().zone()));
  AddStep(*caller, v1::Dispute::OPEN, in.operator_(), in.reason(), now, &d);
  auto* reactor = context->DefaultReactor();
  disputes_.Save(std::move(d), 0, caller->principal.name(), "DISPUTE_OPEN",
                 [reactor, response](absl::StatusOr<v1::Dispute> saved) {
                   if (!saved.ok()) {
                     absl::Status s = saved.status();
                     if (ReasonOf(s) == "OBJECT_CHANGED") {  // another window was first
                       s = WithReason(absl::AlreadyExistsError("a dispute on this field is open"),
                                      "DISPUTE_ALREADY_OPEN");
                     }
                     reactor->Finish(rpc::ToGrpc(s));
                     return;
                   }
                   *response = *std::move(saved);
                   reactor->Finish(grpc::Status::OK);
                 });
  return reactor;
}

grpc::ServerUnaryReactor* DisputeServiceImpl::GetDispute(grpc::CallbackServerContext* context,
                                                         const v1::GetDisputeRequest* request,
                                                         v1::Dispute* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (absl::Status s = ds::MayReadDisputes(caller->principal); !s.ok()) return Reply(context, s);
  Violations v;
  auto d = LoadVisible(disputes_, ctx_->clock(), *caller, request->name(), &v);
  if (!d.ok()) return Reply(context, d.status(), v);
  *response = *std::move(d);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* DisputeServiceImpl::ListDisputes(grpc::CallbackServerContext* context,
                                                           const v1::ListDisputesRequest* request,
                                                           v1::ListDisputesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  const v1::Principal& p = caller->principal;
  if (absl::Status s = ds::MayReadDisputes(p); !s.ok()) return Reply(context, s);
  ds::DisputeFilter f;
  f.subject = request->subject();
  f.department = request->department();
  f.state = request->state();
  f.overdue_only = request->overdue_only();
  if (!ds::ReadsAllDisputes(p)) {
    // A department reads its own queue.
    if (f.department.empty()) f.department = p.source();
    if (f.department != p.source()) {
      return Reply(context,
                   WithReason(absl::PermissionDeniedError(absl::StrCat(
                                  p.name(), " may not read another department's disputes")),
                              "NOT_DISPUTE_DEPARTMENT"));
    }
  }
  Violations v;
  if (!f.subject.empty() && !catalog::ParseSubjectName(f.subject).ok()) {
    v.push_back({"subject", "NAME", "enterprises/{uscc} or persons/{pid}"});
  }
  if (!v1::Dispute::State_IsValid(f.state)) v.push_back({"state", "RANGE", "not a state"});
  auto size = PageSize(request->page_size(), kDefaultPageSize, &v);
  if (!v.empty()) return Reply(context, InvalidValues("the query"), v);
  const std::string bound = DisputeFilterKey(f);
  auto after =
      DecodeAfter(ctx_->page_tokens(), PageList::kDisputes, request->page_token(), bound, &v);
  if (!after.ok()) return Reply(context, after.status(), v);
  auto page =
      disputes_.List(f, *after, *size, std::max(10 * *size, 500), ctx_->clock().NowMicros());
  if (!page.ok()) return Reply(context, page.status());
  for (auto& d : page->disputes) *response->add_disputes() = std::move(d);
  if (!page->next_after.empty()) {
    response->set_next_page_token(
        ctx_->page_tokens().EncodeKey(PageList::kDisputes, bound + page->next_after));
  }
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* DisputeServiceImpl::ReviewDispute(grpc::CallbackServerContext* context,
                                                            const v1::ReviewDisputeRequest* request,
                                                            v1::Dispute* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (absl::Status s = ds::MayReadDisputes(caller->principal); !s.ok()) return Reply(context, s);
  Violations v;
  CheckLength(request->reason(), kMaxReasonLength, "reason", &v);
  CheckLength(request->operator_(), kMaxOperatorLength, "operator", &v);
  if (!v.empty()) return Reply(context, InvalidValues("the request"), v);
  auto d = LoadForStep(disputes_, ctx_->clock(), *caller, request->name(), request->etag(),
                       v1::Dispute::UNDER_REVIEW, &v);
  if (!d.ok()) return Reply(context, d.status(), v);
  const int64_t version = d->version();
  AddStep(*caller, v1::Dispute::UNDER_REVIEW, request->operator_(), request->reason(),
          ctx_->clock().NowMicros(), &*d);
  auto* reactor = context->DefaultReactor();
  SaveAndReply(disputes_, ctx_->clock(), reactor, *std::move(d), version, *caller, "DISPUTE_REVIEW",
               response);
  return reactor;
}

grpc::ServerUnaryReactor* DisputeServiceImpl::DecideDispute(grpc::CallbackServerContext* context,
                                                            const v1::DecideDisputeRequest* request,
                                                            v1::Dispute* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (absl::Status s = ds::MayReadDisputes(caller->principal); !s.ok()) return Reply(context, s);
  Violations v;
  const v1::Dispute::State outcome = request->outcome();
  if (outcome != v1::Dispute::CORRECTED && outcome != v1::Dispute::UPHELD) {
    v.push_back({"outcome", "ONE_OF", "CORRECTED or UPHELD"});
  }
  if (outcome == v1::Dispute::CORRECTED && request->corrected_by().empty()) {
    v.push_back({"corrected_by", "REQUIRED", "the change set that corrected the value"});
  }
  if (outcome == v1::Dispute::UPHELD && request->reason().empty()) {
    v.push_back({"reason", "REQUIRED", "why the value stands"});
  }
  CheckLength(request->reason(), kMaxReasonLength, "reason", &v);
  CheckLength(request->operator_(), kMaxOperatorLength, "operator", &v);
  if (!v.empty()) return Reply(context, InvalidValues("the decision"), v);
  auto d =
      LoadForStep(disputes_, ctx_->clock(), *caller, request->name(), request->etag(), outcome, &v);
  if (!d.ok()) return Reply(context, d.status(), v);
  auto subject = catalog::ParseSubjectName(d->subject());
  if (!subject.ok()) return Reply(context, absl::DataLossError("a stored dispute is unreadable"));
  const int64_t version = d->version();
  const int64_t now = ctx_->clock().NowMicros();
  std::vector<v1::Notification> notices;
  if (outcome == v1::Dispute::CORRECTED) {
    auto n = CorrectionRevision(*d, request->corrected_by(), &v);
    if (!n.ok()) return Reply(context, n.status(), v);
    auto correction = CheckCorrection(ctx_->store(), *d, *subject, *n);
    if (!correction.ok()) return Reply(context, correction.status());
    auto made = NotificationsFor(ctx_->store(), *d, *subject, *correction, now);
    if (!made.ok()) return Reply(context, made.status());
    notices = *std::move(made);
    d->set_corrected_by(correction->name());
    d->set_notified_count(static_cast<int32_t>(notices.size()));
  }
  d->set_decision_reason(request->reason());
  AddStep(*caller, outcome, request->operator_(), request->reason(), now, &*d);
  auto* reactor = context->DefaultReactor();
  // Notifications first: if the decision then fails, a retry writes the same ones again,
  // which is no new version; a decided dispute always has its notifications.
  auto decided = std::make_shared<v1::Dispute>(*std::move(d));
  Caller who = *caller;
  disputes_.SaveNotifications(std::move(notices), who.principal.name(),
                              [this, reactor, decided, version, who, response](absl::Status s) {
                                if (!s.ok()) {
                                  reactor->Finish(rpc::ToGrpc(s));
                                  return;
                                }
                                SaveAndReply(disputes_, ctx_->clock(), reactor, std::move(*decided),
                                             version, who, "DISPUTE_DECIDE", response);
                              });
  return reactor;
}

grpc::ServerUnaryReactor* DisputeServiceImpl::WithdrawDispute(
    grpc::CallbackServerContext* context, const v1::WithdrawDisputeRequest* request,
    v1::Dispute* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (absl::Status s = ds::MayWithdraw(caller->principal); !s.ok()) return Reply(context, s);
  Violations v;
  CheckLength(request->reason(), kMaxReasonLength, "reason", &v);
  CheckLength(request->operator_(), kMaxOperatorLength, "operator", &v);
  if (!v.empty()) return Reply(context, InvalidValues("the request"), v);
  auto d = LoadForStep(disputes_, ctx_->clock(), *caller, request->name(), request->etag(),
                       v1::Dispute::WITHDRAWN, &v);
  if (!d.ok()) return Reply(context, d.status(), v);
  const int64_t version = d->version();
  d->set_decision_reason(request->reason());
  AddStep(*caller, v1::Dispute::WITHDRAWN, request->operator_(), request->reason(),
          ctx_->clock().NowMicros(), &*d);
  auto* reactor = context->DefaultReactor();
  SaveAndReply(disputes_, ctx_->clock(), reactor, *std::move(d), version, *caller,
               "DISPUTE_WITHDRAW", response);
  return reactor;
}

grpc::ServerUnaryReactor* DisputeServiceImpl::ListNotifications(
    grpc::CallbackServerContext* context, const v1::ListNotificationsRequest* request,
    v1::ListNotificationsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  const v1::Principal& p = caller->principal;
  const std::string parent = request->parent().empty() ? p.name() : request->parent();
  if (parent != p.name() && !authz::Policy::HasRole(p, v1::GOVERNANCE) &&
      !authz::Policy::HasRole(p, v1::AUDITOR)) {
    return Reply(context, WithReason(absl::PermissionDeniedError(absl::StrCat(
                                         p.name(), " may read only its own notifications")),
                                     "ROLE_MAY_NOT_READ_NOTIFICATIONS"));
  }
  Violations v;
  if (!authz::IsResourceName(parent, "principals")) {
    v.push_back({"parent", "NAME", "principals/{id}"});
  }
  auto size = PageSize(request->page_size(), kDefaultPageSize, &v);
  if (!v.empty()) return Reply(context, InvalidValues("the query"), v);
  const std::string bound = parent + "\n";
  auto after =
      DecodeAfter(ctx_->page_tokens(), PageList::kNotifications, request->page_token(), bound, &v);
  if (!after.ok()) return Reply(context, after.status(), v);
  auto page = disputes_.Notifications(parent, *after, *size + 1);
  if (!page.ok()) return Reply(context, page.status());
  for (int i = 0; i < static_cast<int>(page->size()) && i < *size; ++i) {
    *response->add_notifications() = (*page)[i];
  }
  if (static_cast<int>(page->size()) > *size) {
    response->set_next_page_token(
        ctx_->page_tokens().EncodeKey(PageList::kNotifications, bound + (*page)[*size - 1].name()));
  }
  return Reply(context, absl::OkStatus());
}

}  // namespace collectonce::registry
