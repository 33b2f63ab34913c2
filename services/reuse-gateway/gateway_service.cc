#include "services/reuse-gateway/gateway_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/error_reason.h"
#include "libs/receipt/verifier.h"
#include "libs/rpc/caller.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "libs/rpc/trace.h"
#include "openssl/rand.h"

namespace collectonce::reuse {

namespace {

absl::Status CheckSubject(const std::string& subject, const std::string& id_number,
                          catalog::Violations* v) {
  if (subject.empty() == id_number.empty()) {
    v->push_back({"subject", "ONE_OF", "give a subject name or a person's id_number"});
    return WithReason(absl::InvalidArgumentError("give a subject name or a person's id_number"),
                      "INVALID_VALUES");
  }
  return absl::OkStatus();
}

std::string RandomRequestId() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  return absl::StrCat(
      "gw-", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(b), sizeof b)));
}

// Whom the registry call is for. The gateway acts for its caller; a caller that itself acts
// for someone (the console for a staff member, x-on-behalf-of) is named as the one who
// asked (x-on-behalf-of-via), and the registry checks that it may act for others. The
// gateway takes no one's word for it.
RegistryClient::Origin OriginOf(const rpc::CallerIdentity& caller,
                                const grpc::CallbackServerContext& context) {
  RegistryClient::Origin origin;
  origin.traceparent = rpc::CallTrace(context).Traceparent();
  if (caller.on_behalf_of.empty()) {
    origin.on_behalf_of = caller.peer;
  } else {
    origin.on_behalf_of = caller.on_behalf_of;
    origin.on_behalf_of_via = caller.peer;
  }
  return origin;
}

}  // namespace

absl::StatusOr<rpc::CallerIdentity> GatewayServiceImpl::AdmitAndIdentify(
    const grpc::CallbackServerContext& context) const {
  if (options_.admission != nullptr) {
    if (absl::Status s = options_.admission->Admit(context); !s.ok()) return s;
  }
  return rpc::IdentifyCaller(context, options_.insecure);
}

absl::Time GatewayServiceImpl::Deadline(const grpc::CallbackServerContext& context) const {
  absl::Time fallback = absl::Now() + options_.default_deadline;
  absl::Time caller = absl::FromChrono(context.deadline());
  return std::min(caller, fallback);
}

absl::StatusOr<std::shared_ptr<const Form>> GatewayServiceImpl::FormFor(
    const std::string& name, const RegistryClient::Origin& origin, absl::Time deadline) {
  auto form = forms_->Get(name, deadline);
  if (!absl::IsNotFound(form.status())) return form;
  const absl::Status as_caller = absl::StartsWith(name, "bundles/")
                                     ? registry_->GetBundle(name, deadline, origin).status()
                                     : registry_->GetMatter(name, deadline, origin).status();
  if (!as_caller.ok()) return as_caller;
  return form;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::PrefillForm(grpc::CallbackServerContext* context,
                                                          const gw::PrefillFormRequest* request,
                                                          gw::PrefillFormResponse* response) {
  auto caller = AdmitAndIdentify(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status(), {}, rpc::kGatewayDomain);
  catalog::Violations v;
  if (auto s = CheckSubject(request->subject(), request->id_number(), &v); !s.ok()) {
    return rpc::Reply(context, s, v, rpc::kGatewayDomain);
  }
  const absl::Time deadline = Deadline(*context);
  const RegistryClient::Origin origin = OriginOf(*caller, *context);
  auto form = FormFor(request->form(), origin, deadline);
  if (!form.ok()) return rpc::Reply(context, form.status(), {}, rpc::kGatewayDomain);

  v1::GetRecordRequest get;
  get.set_name(request->subject());
  get.set_id_number(request->id_number());
  auto* options = get.mutable_options();
  options->set_purpose((*form)->name);
  options->set_case_id(request->case_id());
  // What the approval system is served is proven by the registry's receipt of this read.
  options->set_receipt(true);
  for (const auto& f : (*form)->CatalogFields()) options->mutable_read_mask()->add_paths(f);

  auto* reactor = context->DefaultReactor();
  std::shared_ptr<const Form> f = *form;
  // One registry read for the whole form, on the approval system's behalf.
  registry_->GetRecord(
      origin, get, deadline,
      [this, reactor, response, f, origin](absl::StatusOr<v1::Record> record, rpc::RpcError error) {
        const bool no_file =
            record.status().code() == absl::StatusCode::kNotFound && error.reason == "NOT_FOUND";
        if (!record.ok() && !no_file) {
          reactor->Finish(rpc::ToGrpc(record.status(), error.violations, rpc::kGatewayDomain));
          return;
        }
        response->set_form(f->name);
        response->set_title(f->title);
        // A subject with no file yet gets a form with every field MISSING: collect it once.
        PrefillCounts counts =
            FillPrefill(*f, record.ok() ? &*record : nullptr, absl::Now(), response);
        if (record.ok() && record->has_receipt())
          response->mutable_receipt()->Swap(record->mutable_receipt());
        v1::RecordReuseRequest reuse;
        reuse.set_form(f->name);
        reuse.set_forms_served(1);
        reuse.set_fields_requested(counts.requested);
        reuse.set_fields_prefilled(counts.prefilled);
        registry_->RecordReuse(origin, reuse);
        metrics_->Count("collectonce_gateway_forms_served_total", "Forms pre-filled, by form.",
                        "form", f->name, 1);
        metrics_->Count("collectonce_gateway_fields_requested_total",
                        "Form fields asked for, by form.", "form", f->name, counts.requested);
        metrics_->Count("collectonce_gateway_fields_prefilled_total",
                        "Form fields pre-filled from the registry, by form.", "form", f->name,
                        counts.prefilled);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::SubmitForm(grpc::CallbackServerContext* context,
                                                         const gw::SubmitFormRequest* request,
                                                         gw::SubmitFormResponse* response) {
  auto caller = AdmitAndIdentify(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status(), {}, rpc::kGatewayDomain);
  catalog::Violations v;
  if (auto s = CheckSubject(request->subject(), request->id_number(), &v); !s.ok()) {
    return rpc::Reply(context, s, v, rpc::kGatewayDomain);
  }
  if (request->values().empty()) {
    return rpc::Reply(
        context, WithReason(absl::InvalidArgumentError("nothing was collected"), "INVALID_VALUES"),
        {{"values", "REQUIRED", "the newly collected values"}}, rpc::kGatewayDomain);
  }
  const absl::Time deadline = Deadline(*context);
  const RegistryClient::Origin origin = OriginOf(*caller, *context);
  auto form = FormFor(request->form(), origin, deadline);
  if (!form.ok()) return rpc::Reply(context, form.status(), {}, rpc::kGatewayDomain);
  // Only what this form collects goes back; the registry checks the grant again.
  for (const auto& [field, value] : request->values()) {
    const FormField* ff = (*form)->Find(field);
    if (ff == nullptr || !ff->write_back) {
      v.push_back({absl::StrCat("values.", field.substr(0, 64)), "NOT_WRITTEN_BACK",
                   absl::StrCat(request->form(), " does not write back this field")});
    }
  }
  if (!v.empty()) {
    return rpc::Reply(
        context,
        WithReason(absl::InvalidArgumentError("some values are not collected by this form"),
                   "INVALID_VALUES"),
        v, rpc::kGatewayDomain);
  }
  v1::UpdateRecordRequest up;
  up.set_name(request->subject());
  if (request->subject().empty()) {
    up.set_kind(v1::PERSON);
    v1::Value id;
    id.set_string_value(request->id_number());
    (*up.mutable_values())["id_number"] = id;
  }
  for (const auto& [field, value] : request->values()) (*up.mutable_values())[field] = value;
  auto* prov = up.mutable_provenance();
  prov->set_matter((*form)->name);
  prov->set_operator_(request->operator_());
  prov->set_evidence_ref(request->evidence_ref().empty() ? request->case_id()
                                                         : request->evidence_ref());
  if (request->has_valid_from()) *prov->mutable_valid_from() = request->valid_from();
  up.set_reason(request->reason().empty()
                    ? absl::StrCat("collected for ", (*form)->title,
                                   request->case_id().empty()
                                       ? ""
                                       : absl::StrCat(" (", request->case_id(), ")"))
                    : request->reason());
  up.set_etag(request->etag());
  // A request id makes the registry-side retries of this one submission safe.
  up.set_request_id(request->request_id().empty() ? RandomRequestId() : request->request_id());

  auto* reactor = context->DefaultReactor();
  const std::string form_name = (*form)->name;
  registry_->UpdateRecord(
      origin, up, deadline,
      [this, reactor, response, origin, form_name](absl::StatusOr<v1::UpdateRecordResponse> r,
                                                   rpc::RpcError error) {
        if (!r.ok()) {
          reactor->Finish(rpc::ToGrpc(r.status(), error.violations, rpc::kGatewayDomain));
          return;
        }
        response->set_subject(r->record().name());
        response->set_revision(r->record().revision());
        response->set_etag(r->record().etag());
        response->set_unchanged(r->unchanged());
        for (const auto& c : r->change_set().changes()) response->add_written_fields(c.field());
        v1::RecordReuseRequest reuse;
        reuse.set_form(form_name);
        reuse.set_fields_collected(r->unchanged() ? 0 : response->written_fields_size());
        registry_->RecordReuse(origin, reuse);
        metrics_->Count("collectonce_gateway_fields_collected_total",
                        "Newly collected values written back, by form.", "form", form_name,
                        reuse.fields_collected());
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayServiceImpl::GetReuseStats(grpc::CallbackServerContext* context,
                                                            const gw::GetReuseStatsRequest* request,
                                                            gw::GetReuseStatsResponse* response) {
  auto caller = AdmitAndIdentify(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status(), {}, rpc::kGatewayDomain);
  v1::GetReuseStatsRequest req;
  req.set_form(request->form());
  *req.mutable_start_time() = request->start_time();
  *req.mutable_end_time() = request->end_time();
  if (!request->has_start_time()) req.clear_start_time();
  if (!request->has_end_time()) req.clear_end_time();
  auto stats = registry_->GetReuseStats(OriginOf(*caller, *context), req, Deadline(*context));
  if (!stats.ok()) return rpc::Reply(context, stats.status(), {}, rpc::kGatewayDomain);
  response->set_form(stats->form());
  response->set_forms_served(stats->forms_served());
  response->set_fields_requested(stats->fields_requested());
  response->set_fields_prefilled(stats->fields_prefilled());
  response->set_fields_collected(stats->fields_collected());
  response->set_reuse_rate(stats->fields_requested() == 0
                               ? 0.0
                               : static_cast<double>(stats->fields_prefilled()) /
                                     static_cast<double>(stats->fields_requested()));
  return rpc::Reply(context, absl::OkStatus(), {}, rpc::kGatewayDomain);
}

grpc::ServerUnaryReactor* GatewayServiceImpl::VerifyReceipt(grpc::CallbackServerContext* context,
                                                            const gw::VerifyReceiptRequest* request,
                                                            gw::VerifyReceiptResponse* response) {
  auto caller = AdmitAndIdentify(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status(), {}, rpc::kGatewayDomain);
  if (options_.audit_public_key.empty()) {
    return rpc::Reply(context,
                      WithReason(absl::FailedPreconditionError(
                                     "this gateway has no pinned audit key "
                                     "(--audit-public-key-file); verify with registryctl"),
                                 "AUDIT_KEY_NOT_CONFIGURED"),
                      {}, rpc::kGatewayDomain);
  }
  if (!request->has_receipt()) {
    return rpc::Reply(
        context, WithReason(absl::InvalidArgumentError("give the receipt"), "INVALID_VALUES"),
        {{"receipt", "REQUIRED", "the receipt of a PrefillForm"}}, rpc::kGatewayDomain);
  }
  // Offline: nothing but the receipt and the pinned key (libs/receipt/verifier.h).
  receipt::ReceiptVerification v =
      receipt::VerifyReceipt(request->receipt(), options_.audit_public_key);
  response->set_valid(v.valid);
  response->set_failed_check(v.failed_check);
  response->set_message(v.message);
  if (v.entry.has_access()) {
    response->set_subject(v.entry.access().subject());
    response->set_purpose(v.entry.access().purpose());
    response->set_case_id(v.entry.access().case_id());
    response->set_revision(v.entry.access().served().revision());
    response->set_leaf_index(v.entry.index());
  }
  response->set_tree_size(request->receipt().tree_head().tree_size());
  return rpc::Reply(context, absl::OkStatus(), {}, rpc::kGatewayDomain);
}

grpc::ServerUnaryReactor* GatewayServiceImpl::IssueEvidence(grpc::CallbackServerContext* context,
                                                            const v1::IssueEvidenceRequest* request,
                                                            v1::IssueEvidenceResponse* response) {
  auto caller = AdmitAndIdentify(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status(), {}, rpc::kGatewayDomain);
  // What the gateway can tell by itself; everything else (the type, the caller's place among
  // its requesters, the matter, missing fields) the registry decides.
  catalog::Violations v;
  if (request->evidence_type().empty()) {
    v.push_back({"evidence_type", "REQUIRED", "evidence-types/{id}"});
  }
  if (request->matter().empty()) {
    v.push_back({"matter", "REQUIRED", "the matter the evidence serves"});
  }
  catalog::Violations subject;
  if (auto s = CheckSubject(request->subject(), request->id_number(), &subject); !s.ok()) {
    v.insert(v.end(), subject.begin(), subject.end());
  }
  if (!v.empty()) {
    return rpc::Reply(context,
                      WithReason(absl::InvalidArgumentError("the evidence request is incomplete"),
                                 "INVALID_VALUES"),
                      v, rpc::kGatewayDomain);
  }
  auto issued = registry_->IssueEvidence(OriginOf(*caller, *context), *request, Deadline(*context));
  if (!issued.ok()) return rpc::Reply(context, issued.status(), {}, rpc::kGatewayDomain);
  *response = *std::move(issued);
  metrics_->Count("collectonce_gateway_evidence_issued_total",
                  "Evidence issued through the gateway, by evidence type.", "evidence_type",
                  request->evidence_type(), 1);
  return rpc::Reply(context, absl::OkStatus(), {}, rpc::kGatewayDomain);
}

}  // namespace collectonce::reuse
