#include "services/registry/evidence_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/evidence/evidence_type.h"
#include "libs/evidence/status_list.h"
#include "services/registry/governance_objects.h"
#include "services/registry/read_receipt.h"

namespace collectonce::registry {

namespace {

using catalog::Violations;
using governance::Reply;

constexpr char kTypes[] = "evidence-types";
constexpr char kWithdrawals[] = "evidence-withdrawals";
constexpr int kMaxReasonLength = 500;

absl::Status KeyMissing() {
  return WithReason(absl::FailedPreconditionError(
                        "this registry has no evidence signing key; it issues no credentials"),
                    "EVIDENCE_KEY_MISSING");
}

// The withdrawn credentials' entries in list `list`.
absl::Status AddWithdrawals(store::Store* store, uint64_t list, std::vector<uint64_t>* out) {
  std::string after;
  for (;;) {
    auto page = store->ListObjects(kWithdrawals, after, 500);
    if (!page.ok()) return page.status();
    for (const auto& o : *page) {
      v1::EvidenceWithdrawal w;
      if (!w.ParseFromString(o.payload)) return absl::DataLossError("unreadable withdrawal");
      if (evidence::StatusListOf(w.audit_index()) == list) {
        out->push_back(evidence::StatusIndexOf(w.audit_index()));
      }
      after = o.name;
    }
    if (page->size() < 500) return absl::OkStatus();
  }
}

}  // namespace

void EvidenceServiceImpl::set_status_base_url(std::string url) {
  absl::MutexLock lock(&mu_);
  status_base_url_ = std::move(url);
}

std::string EvidenceServiceImpl::status_base_url() const {
  absl::MutexLock lock(&mu_);
  return status_base_url_;
}

absl::StatusOr<v1::StatusList> EvidenceServiceImpl::StatusListToken(uint64_t list) const {
  if (settings_.key == nullptr) return KeyMissing();
  const uint64_t size = ctx_->store()->Stats().audit_size;
  if (list > 0 && list * evidence::kStatusListSize >= size) {
    return WithReason(
        absl::NotFoundError(absl::StrCat("status list ", list, " has no entries yet")),
        "STATUS_LIST_NOT_FOUND");
  }
  const uint64_t first = list * evidence::kStatusListSize;
  auto invalid = ctx_->store()->ListInvalidEvidence(first, first + evidence::kStatusListSize);
  if (!invalid.ok()) return invalid.status();
  for (uint64_t& i : *invalid) i -= first;
  if (absl::Status s = AddWithdrawals(ctx_->store(), list, &*invalid); !s.ok()) return s;
  v1::StatusList out;
  out.set_uri(evidence::StatusListUri(status_base_url(), list));
  auto token = evidence::SignStatusList(*settings_.key, out.uri(), *invalid, absl::Now());
  if (!token.ok()) return token.status();
  out.set_token(*std::move(token));
  return out;
}

EvidenceServiceImpl::EvidenceServiceImpl(RegistryContext* ctx, EvidenceSettings settings)
    : ctx_(ctx),
      settings_(std::move(settings)),
      heads_(settings_.log_heads != nullptr ? std::make_unique<ReceiptHeads>(settings_.log_heads)
                                            : nullptr),
      signer_(settings_.key != nullptr ? std::make_unique<jose::SdJwtSigner>(*settings_.key)
                                       : nullptr),
      status_base_url_(settings_.status_base_url) {}

EvidenceServiceImpl::~EvidenceServiceImpl() = default;

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetEvidenceKeys(grpc::CallbackServerContext* context,
                                                               const v1::GetEvidenceKeysRequest*,
                                                               v1::EvidenceKeys* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  response->set_jwks(settings_.jwks.ToJson());
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetStatusList(
    grpc::CallbackServerContext* context, const v1::GetStatusListRequest* request,
    v1::StatusList* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  auto list = StatusListToken(request->list());
  if (!list.ok()) return Reply(context, list.status());
  *response = *std::move(list);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::WithdrawEvidence(
    grpc::CallbackServerContext* context, const v1::WithdrawEvidenceRequest* request,
    v1::EvidenceWithdrawal* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = governance::RequireRole(*caller, {v1::GOVERNANCE}, "withdraw evidence"); !s.ok()) {
    return Reply(context, s);
  }
  if (request->reason().empty() || request->reason().size() > kMaxReasonLength) {
    return Reply(context,
                 WithReason(absl::InvalidArgumentError("state why the credential is withdrawn"),
                            "INVALID_VALUES"),
                 {{"reason", "REQUIRED", "1 to 500 characters"}});
  }
  auto entry = request->audit_index() < ctx_->store()->Stats().audit_size
                   ? ctx_->store()->ReadAuditEntry(request->audit_index())
                   : absl::StatusOr<v1::AuditEntry>(absl::NotFoundError("beyond the log"));
  if (!entry.ok() || !entry->access().has_evidence()) {
    return Reply(
        context,
        WithReason(absl::NotFoundError(absl::StrCat("no credential was issued at audit index ",
                                                    request->audit_index())),
                   "EVIDENCE_NOT_FOUND"));
  }
  v1::EvidenceWithdrawal w;
  w.set_name(absl::StrCat(kWithdrawals, "/", request->audit_index()));
  w.set_audit_index(request->audit_index());
  w.set_reason(request->reason());
  w.set_evidence_type(entry->access().evidence().evidence_type());
  w.set_credential_id(entry->access().evidence().credential_id());
  return governance::StoreObject(context, ctx_, kWithdrawals, std::move(w),
                                 caller->principal.name(), /*reload_policy=*/false, response);
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::ListEvidenceTypes(
    grpc::CallbackServerContext* context, const v1::ListEvidenceTypesRequest* request,
    v1::ListEvidenceTypesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  return governance::ListPage<v1::EvidenceType>(
      context, ctx_, kTypes, PageList::kEvidenceTypes, request->page_size(), request->page_token(),
      response->mutable_next_page_token(),
      [&](v1::EvidenceType t) { *response->add_evidence_types() = std::move(t); });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetEvidenceType(
    grpc::CallbackServerContext* context, const v1::GetEvidenceTypeRequest* request,
    v1::EvidenceType* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  Violations bad_name;
  if (auto s = governance::CheckName(request->name(), kTypes, &bad_name); !s.ok()) {
    return Reply(context, s, bad_name);
  }
  auto t = governance::Load<v1::EvidenceType>(ctx_->store(), kTypes, request->name());
  if (!t.ok()) return Reply(context, t.status());
  *response = *std::move(t);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::ApplyEvidenceType(
    grpc::CallbackServerContext* context, const v1::ApplyEvidenceTypeRequest* request,
    v1::EvidenceType* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = governance::RequireRole(*caller, {v1::GOVERNANCE}, "change evidence types");
      !s.ok()) {
    return Reply(context, s);
  }
  v1::EvidenceType t = request->evidence_type();
  governance::ClearOutputOnly(&t);
  auto cat = ctx_->store()->GetCatalog(t.subject_kind());
  const auto policy = caller->policy;
  Violations v;
  evidence::ValidateEvidenceType(
      t, cat.ok() ? cat->get() : nullptr,
      [&](const std::string& m) { return policy->FindMatter(m); },
      [&](const std::string& p) { return governance::Exists(ctx_->store(), "principals", p); }, &v);
  if (!v.empty()) {
    return Reply(
        context,
        WithReason(catalog::ViolationsToStatus(v, "the evidence type"), "INVALID_EVIDENCE_TYPE"),
        v);
  }
  if (request->validate_only()) {
    *response = t;
    return Reply(context, absl::OkStatus());
  }
  // Issuing reads types from the registry's governance snapshot: reload it.
  return governance::StoreObject(context, ctx_, kTypes, std::move(t), caller->principal.name(),
                                 /*reload_policy=*/true, response);
}

}  // namespace collectonce::registry
